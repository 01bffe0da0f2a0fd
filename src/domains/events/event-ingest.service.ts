import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Sql } from '@/platform/database/sql';
import { EventBus } from '@/platform/event-bus/event-bus';
import { fileExtension, PatternUsageService } from '@/domains/patterns';
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

@Injectable()
export class EventIngestService {
  constructor(
    private readonly sql: Sql,
    private readonly patternUsage: PatternUsageService,
    private readonly events: EventBus,
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
    // After the commit, before the answer: caches go stale (the very next list call sees
    // these rows), the analysis is scheduled, live dashboards are told.
    await this.events.publish('activity.ingested', {
      userId,
      events: created.map((e) => ({ id: e.id, event_type: e.event_type, file_path: e.file_path, tool: e.tool, timestamp: e.timestamp })),
      patterns: rows.filter((r) => r.kind === 'pattern').map((p) => ({ id: p.id, file_extension: p.file_extension!, count: p.count! })),
      earliest: earliest(stamps.values()),
    });
    return created;
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
