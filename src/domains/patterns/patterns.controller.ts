import { Controller, Get, Query, Res, type StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { ExportQuery } from '@/platform/http/export/export.query';
import { sendJsonPage } from '@/platform/http/list-page';
import { ListPatternsQuery } from './dto/pattern.dto';
import { PatternsService } from './patterns.service';

@ApiTags('patterns')
@ApiBearerAuth()
@Controller('api/patterns')
export class PatternsController {
  constructor(private readonly patterns: PatternsService) {}

  @Get()
  @ApiOkResponse({ description: 'The page envelope: {items, total, skip, limit, has_more}' })
  async list(
    @CurrentUser() caller: AuthUser,
    @Query() q: ListPatternsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendJsonPage(reply, await this.patterns.list(caller.id, q));
  }

  @Get('export')
  export(@CurrentUser() caller: AuthUser, @Query() q: ExportQuery): Promise<StreamableFile> {
    return this.patterns.export(caller.id, q.format);
  }
}
