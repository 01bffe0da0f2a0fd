import { Controller, Delete, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from './auth-user';
import { CurrentUser } from './decorators/current-user.decorator';
import { MessageResponse, SessionResponse } from './dto/auth.responses';
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
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
  ): Promise<MessageResponse> {
    await this.sessions.revokeOwn(caller.id, id);
    return { message: 'Session revoked' };
  }

  @Delete()
  async revokeAll(@CurrentUser() caller: AuthUser): Promise<MessageResponse> {
    const count = await this.sessions.revokeAll(caller.id, 'revoke_all', caller.sessionId);
    return { message: `Revoked ${count} session(s)` };
  }
}
