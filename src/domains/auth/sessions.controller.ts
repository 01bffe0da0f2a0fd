import { Controller, Delete, Get, Param, Req } from '@nestjs/common';
import { uuidParam } from '@/platform/http/pipes/uuid-param.pipe';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { clientInfo } from '@/platform/http/client-info';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { SessionResponse } from './dto/auth.responses';
import { MessageResponse } from '@/platform/http/responses';
import { SessionsService } from './sessions.service';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  async list(@CurrentUser() caller: AuthUser): Promise<SessionResponse[]> {
    const rows = await this.sessions.listActive(caller.id);
    return rows.map((s) => SessionResponse.from(s, caller.sessionId));
  }

  @Delete(':id')
  async revoke(
    @CurrentUser() caller: AuthUser,
    @Param('id', uuidParam('Session not found')) id: string,
    @Req() req: FastifyRequest,
  ): Promise<MessageResponse> {
    await this.sessions.revokeOwn(caller.id, id, clientInfo(req));
    return { message: 'Session revoked' };
  }

  @Delete()
  async revokeAll(@CurrentUser() caller: AuthUser, @Req() req: FastifyRequest): Promise<MessageResponse> {
    const count = await this.sessions.revokeOthers(caller.id, caller.sessionId, clientInfo(req));
    return { message: `Revoked ${count} session(s)` };
  }
}
