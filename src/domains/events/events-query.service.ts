import { Injectable, type StreamableFile } from '@nestjs/common';
import { type JsonPage, ResponseCache } from '@/platform/cache/response-cache';
import { keysetBatches, streamExport, type ExportFormat } from '@/platform/http/export/streaming-export';
import type { ListResult } from '@/platform/http/list-page';
import { AppConfig } from '@/platform/config/app-config';
import { StatsService } from '@/domains/stats';
import { EventResponse, type EventRow } from './dto/event.response';
import type { ListEventsQuery } from './dto/list-events.query';
import { type EventBatchRow, EventsRepository } from './events.repository';

/**
 * Reading events. A list call runs at most two queries whatever the page size: the page
 * (LIMIT limit+1, so `has_more` is exact) and, only when the page does not show where the
 * list ends, its total — the O(1) per-user counter when unfiltered, a count capped at
 * LIST_COUNT_CAP rows when filtered.
 */
@Injectable()
export class EventsQueryService {
  constructor(
    private readonly events: EventsRepository,
    private readonly stats: StatsService,
    private readonly cache: ResponseCache,
    private readonly config: AppConfig,
  ) {}

  list(userId: string, q: ListEventsQuery): Promise<JsonPage> {
    const key = [q.skip, q.limit, q.event_type ?? null, q.tool ?? null, q.search ?? null, q.sort_by, q.sort_order];
    return this.cache.listPage(userId, 'events', key, () => this.readPage(userId, q));
  }

  private readPage(userId: string, q: ListEventsQuery): Promise<ListResult<EventResponse>> {
    return this.events.listPage(userId, q, {
      cap: this.config.lists.countCap,
      unfilteredTotal: async () => (await this.stats.counts(userId)).events,
    });
  }

  /** Every event of the user, newest first, read in keyset batches along the list index. */
  export(userId: string, format: ExportFormat): Promise<StreamableFile> {
    return streamExport({
      format,
      basename: 'events',
      batches: this.batches(userId),
      toJson: EventResponse.from,
      columns: [
        { header: 'id', value: (r) => r.id },
        { header: 'event_type', value: (r) => r.event_type },
        { header: 'file_path', value: (r) => r.file_path },
        { header: 'tool', value: (r) => r.tool },
        { header: 'operation', value: (r) => r.operation },
        { header: 'timestamp', value: (r) => r.timestamp },
        { header: 'details', value: (r) => r.details },
      ],
    });
  }

  /** The user's events in keyset batches (also used by the GDPR export). */
  batches(userId: string): AsyncGenerator<EventRow[]> {
    // The cursor keeps the timestamp as text: a JS Date would drop its microseconds.
    return keysetBatches<EventBatchRow, { ts: string; id: string }>(
      (after, size) => this.events.batchAfter(userId, after, size),
      (row) => ({ ts: row.cursor_ts, id: row.id }),
    );
  }
}
