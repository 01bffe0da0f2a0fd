import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ResponseCache } from '@/platform/cache/response-cache.service';
import { Sql } from '@/platform/database/sql.service';
import { AnalysisQueue } from '@/domains/patterns/analysis/analysis-queue.service';
import { fileExtension } from '@/domains/patterns/file-extension';
import { PatternUsageService } from '@/domains/patterns/pattern-usage.service';
import { RealtimeService } from '@/platform/realtime/realtime.service';
import { EventResponse } from './dto/event.response';
import type { NewEvent } from './event-input';

/**
 * All events of one call in ONE statement: the INSERT … SELECT FROM unnest(…) of the
 * events and, as a second data-modifying CTE, the ONE upsert of their extension patterns.
 * One round trip, one implicit transaction (all or nothing); the per-user counters move
 * in it too (statement triggers). Ids are generated here so the response keeps the
 * request's order without relying on RETURNING order.
 */
const INSERT_EVENTS = `
INSERT INTO events (id, user_id, event_type, file_path, tool, operation, details, "timestamp", storage_key)
SELECT t.id, $1, t.event_type, t.file_path, t.tool, t.operation, t.details::jsonb, coalesce(t.ts, now()), t.storage_key
  FROM unnest($2::uuid[], $3::varchar[], $4::text[], $5::varchar[], $6::varchar[], $7::text[], $8::timestamptz[], $9::text[])
       AS t(id, event_type, file_path, tool, operation, details, ts, storage_key)
RETURNING id, "timestamp"`;
const EVENT_PARAMS = 9;
/** A batch touching many extensions reports at most this many pattern updates. */
const MAX_PATTERN_UPDATES = 50;

@Injectable()
export class EventIngestService {
  constructor(
    private readonly sql: Sql,
    private readonly patternUsage: PatternUsageService,
    private readonly cache: ResponseCache,
    private readonly realtime: RealtimeService,
    private readonly analysis: AnalysisQueue,
  ) {}

  async ingest(userId: string, events: NewEvent[]): Promise<EventResponse[]> {
    const ids = events.map(() => randomUUID());
    const usages = events.flatMap((e) => {
      const extension = e.extension !== undefined ? e.extension : fileExtension(e.filePath);
      return extension ? [{ extension, at: e.timestamp, tool: e.tool }] : [];
    });
    const patterns = this.patternUsage.upsert(usages, '$1', EVENT_PARAMS + 1);
    const rows = await this.sql.query<IngestRow>(
      `WITH inserted AS (${INSERT_EVENTS})${patterns ? `, patterns AS (${patterns.sql})` : ''}
       SELECT 'event' AS kind, id, "timestamp", NULL::varchar AS file_extension, NULL::int AS count FROM inserted
       ${patterns ? `UNION ALL SELECT 'pattern', id, NULL, file_extension, count FROM patterns` : ''}`,
      [
        userId,
        ids,
        events.map((e) => e.eventType),
        events.map((e) => e.filePath),
        events.map((e) => e.tool),
        events.map((e) => e.operation),
        events.map((e) => (e.details == null ? null : JSON.stringify(e.details))),
        events.map((e) => (e.timestamp ? e.timestamp.toISOString() : null)),
        events.map((e) => e.storageKey ?? null),
        ...(patterns?.params ?? []),
      ],
    );
    const stamps = new Map(rows.filter((r) => r.kind === 'event').map((r) => [r.id, r.timestamp!]));
    // After the commit: the very next list call must miss the cache and see these rows.
    await this.cache.invalidate(userId);
    // Pattern intelligence: one Redis round trip, not awaited; debounced per user, fails open.
    this.analysis.afterIngest(userId, earliest(stamps.values()));
    const created = events.map((e, i) =>
      EventResponse.from({
        id: ids[i],
        event_type: e.eventType,
        file_path: e.filePath,
        tool: e.tool,
        operation: e.operation,
        details: e.details,
        timestamp: stamps.get(ids[i])!,
      }),
    );
    this.publish(userId, created, rows);
    return created;
  }

  /** Live dashboards: one event, or the size of a batch, and the patterns it moved. */
  private publish(userId: string, created: EventResponse[], rows: IngestRow[]): void {
    if (created.length === 1) {
      const e = created[0];
      this.realtime.toUser(userId, 'event.created', {
        id: e.id,
        event_type: e.event_type,
        file_path: e.file_path,
        tool: e.tool,
        timestamp: e.timestamp,
      });
    } else {
      this.realtime.toUser(userId, 'events.batch_created', { count: created.length });
    }
    for (const p of rows.filter((r) => r.kind === 'pattern').slice(0, MAX_PATTERN_UPDATES)) {
      this.realtime.toUser(userId, 'pattern.updated', { id: p.id, file_extension: p.file_extension!, count: p.count! });
    }
  }
}

function earliest(stamps: Iterable<Date>): Date | null {
  let min: Date | null = null;
  for (const t of stamps) if (!min || t < min) min = t;
  return min;
}

interface IngestRow {
  kind: 'event' | 'pattern';
  id: string;
  timestamp: Date | null;
  file_extension: string | null;
  count: number | null;
}
