import { Injectable, type StreamableFile } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { type JsonPage, ResponseCache } from '@/platform/cache/response-cache';
import { keysetBatches, streamExport, type ExportFormat } from '@/platform/http/export/streaming-export';
import type { ListResult } from '@/platform/http/list-page';
import { ListPageRepository } from '@/platform/database/list-page.repository';
import { orderBy, type SortColumn } from '@/platform/http/sorting';
import { containsPattern } from '@/platform/database/sql/like';
import { SqlWhere } from '@/platform/database/sql/where';
import { AppConfig } from '@/platform/config/app-config';
import { Sql } from '@/platform/database/sql';
import { StatsService } from '@/domains/stats';
import { EventResponse, type EventRow } from './dto/event.response';
import type { EventSortColumn, ListEventsQuery } from './dto/list-events.query';
import { Event } from './entities/event.entity';

const SORT_SQL: Record<EventSortColumn, SortColumn[]> = {
  // (user_id, timestamp, id) index order: no sort step for the default list
  timestamp: [{ sql: 'e."timestamp"' }],
  event_type: [{ sql: 'e.event_type' }, { sql: 'e."timestamp"' }],
  tool: [{ sql: 'e.tool', nullable: true }, { sql: 'e."timestamp"' }],
  operation: [{ sql: 'e.operation', nullable: true }, { sql: 'e."timestamp"' }],
  file_path: [{ sql: 'e.file_path', nullable: true }, { sql: 'e."timestamp"' }],
};

export const EVENT_COLUMNS = 'e.id, e.event_type, e.file_path, e.tool, e.operation, e.details, e."timestamp"';

/**
 * Reading events. A list call runs at most two queries whatever the page size: the page
 * (LIMIT limit+1, so `has_more` is exact) and, only when the page does not show where the
 * list ends, its total — the O(1) per-user counter when unfiltered, a count capped at
 * LIST_COUNT_CAP rows when filtered.
 */
@Injectable()
export class EventsQueryService {
  constructor(
    @InjectRepository(Event) private readonly events: Repository<Event>,
    private readonly stats: StatsService,
    private readonly cache: ResponseCache,
    private readonly config: AppConfig,
    private readonly pages: ListPageRepository,
    private readonly sql: Sql,
  ) {}

  list(userId: string, q: ListEventsQuery): Promise<JsonPage> {
    const key = [q.skip, q.limit, q.event_type ?? null, q.tool ?? null, q.search ?? null, q.sort_by, q.sort_order];
    return this.cache.listPage(userId, 'events', key, () => this.readPage(userId, q));
  }

  private where(userId: string, q: ListEventsQuery): SqlWhere {
    const where = new SqlWhere().and((p) => `e.user_id = ${p}`, userId);
    if (q.event_type !== undefined) where.and((p) => `e.event_type = ${p}`, q.event_type);
    if (q.tool !== undefined) where.and((p) => `e.tool = ${p}`, q.tool);
    if (q.search) {
      where.and(
        (p) => `(e.file_path ILIKE ${p} ESCAPE '\\' OR e.operation ILIKE ${p} ESCAPE '\\' OR e.event_type ILIKE ${p} ESCAPE '\\')`,
        containsPattern(q.search),
      );
    }
    return where;
  }

  private readPage(userId: string, q: ListEventsQuery): Promise<ListResult<EventResponse>> {
    return this.pages.read({
      select: EVENT_COLUMNS,
      from: 'events e',
      where: () => this.where(userId, q),
      orderBy: orderBy([...SORT_SQL[q.sort_by], { sql: 'e.id' }], q.sort_order),
      skip: q.skip,
      limit: q.limit,
      map: EventResponse.from,
      filtered: q.event_type !== undefined || q.tool !== undefined || !!q.search,
      unfilteredTotal: async () => (await this.stats.counts(userId)).events,
      cap: this.config.lists.countCap,
    });
  }

  /** The file paths of the user's latest events, newest first (generator input). */
  async recentFilePaths(userId: string, limit: number): Promise<string[]> {
    const rows = (await this.events.query(
      `SELECT e.file_path FROM events e WHERE e.user_id = $1 AND e.file_path IS NOT NULL
        ORDER BY e."timestamp" DESC, e.id DESC LIMIT $2`,
      [userId, limit],
    )) as { file_path: string }[];
    return rows.map((r) => r.file_path);
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
    return keysetBatches<EventRow & { cursor_ts: string }, { ts: string; id: string }>(
      (after, size) =>
        this.events.query(
          `SELECT ${EVENT_COLUMNS}, e."timestamp"::text AS cursor_ts FROM events e
            WHERE e.user_id = $1 AND ($2::timestamptz IS NULL OR (e."timestamp", e.id) < ($2::timestamptz, $3::uuid))
            ORDER BY e."timestamp" DESC, e.id DESC LIMIT $4`,
          [userId, after?.ts ?? null, after?.id ?? null, size],
        ) as Promise<(EventRow & { cursor_ts: string })[]>,
      (row) => ({ ts: row.cursor_ts, id: row.id }),
    );
  }
}
