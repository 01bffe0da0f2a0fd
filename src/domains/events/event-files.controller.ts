import { Controller, Get, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { uuidParam } from '@/platform/http/pipes/uuid-param.pipe';
import { RequireFeature } from '@/platform/http/decorators/require-feature.decorator';
import type { UploadResponse } from './dto/event.response';
import { EventFilesService } from './event-files.service';
import { attachmentDisposition } from './upload-metadata';

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
export class EventFilesController {
  constructor(private readonly files: EventFilesService) {}

  @Post('upload')
  @RequireFeature('enable_file_uploads')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' }, event_type: { type: 'string', default: 'file_upload' } },
    },
  })
  upload(@CurrentUser() caller: AuthUser, @Req() req: FastifyRequest, @Query('event_type') eventType: unknown): Promise<UploadResponse> {
    return this.files.upload(caller.id, req, eventType);
  }

  @Get(':id/file')
  async download(
    @CurrentUser() caller: AuthUser,
    @Param('id', uuidParam('File not found')) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const file = await this.files.download(caller.id, id);
    // User content on the API origin: never rendered, never sniffed, never scripted.
    void reply.header('Content-Security-Policy', "sandbox; default-src 'none'");
    void reply.header('X-Content-Type-Options', 'nosniff');
    return new StreamableFile(file.stream, {
      type: file.contentType,
      length: file.size ?? undefined,
      disposition: attachmentDisposition(file.filename),
    });
  }
}
