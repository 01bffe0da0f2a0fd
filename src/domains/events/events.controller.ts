import { Body, Controller, Get, Post, Query, Res, type StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { ExportQuery } from '@/platform/http/export/export.query';
import { sendJsonPage } from '@/platform/http/list-page';
import { RouteLimit } from '@/platform/throttling/route-limit.decorator';
import { CreateEventDto } from './dto/create-event.dto';
import type { EventResponse } from './dto/event.response';
import { ListEventsQuery } from './dto/list-events.query';
import { EventIngestService } from './event-ingest.service';
import { parseEvent, parseEventBatch } from './event-input';
import { EventsQueryService } from './events-query.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly ingest: EventIngestService,
    private readonly query: EventsQueryService,
  ) {}

  @Post()
  @ApiBody({ type: CreateEventDto })
  async create(@CurrentUser() caller: AuthUser, @Body() body: unknown): Promise<EventResponse> {
    const [event] = await this.ingest.ingest(caller.id, [await parseEvent(body)]);
    return event;
  }

  @Post('batch')
  @RouteLimit('batch')
  @ApiBody({ type: [CreateEventDto], description: '1 to 1000 events, all inserted or none' })
  async batch(@CurrentUser() caller: AuthUser, @Body() body: unknown): Promise<EventResponse[]> {
    return this.ingest.ingest(caller.id, await parseEventBatch(body));
  }

  @Get()
  @ApiOkResponse({ description: 'The page envelope: {items, total, skip, limit, has_more}' })
  async list(
    @CurrentUser() caller: AuthUser,
    @Query() q: ListEventsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendJsonPage(reply, await this.query.list(caller.id, q));
  }

  @Get('export')
  export(@CurrentUser() caller: AuthUser, @Query() q: ExportQuery): Promise<StreamableFile> {
    return this.query.export(caller.id, q.format);
  }
}
