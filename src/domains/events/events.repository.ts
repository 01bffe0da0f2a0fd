import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ListPageRepository } from '@/platform/database/list-page.repository';
import { Sql } from '@/platform/database/sql';
import { containsPattern } from '@/platform/database/sql/like';
import { SqlWhere } from '@/platform/database/sql/where';
import type { ListResult } from '@/platform/http/list-page';
import { orderBy, type SortColumn } from '@/platform/http/sorting';
import { foldUsages, PATTERN_MAX_TOOLS, type PatternUsage } from '@/domains/patterns';
import { EventResponse, type EventRow } from './dto/event.response';
import type { EventSortColumn, ListEventsQuery } from './dto/list-events.query';
import { Event } from './entities/event.entity';
import type { NewEvent } from './event-input';

/**
 * All events of one call in ONE statement: the INSERT … SELECT FROM unnest(…) of the
 * events and, as a second data-modifying CTE, the ONE upsert of their extension patterns.
 * One round trip, one implicit transaction (all or nothing); the per-user counters move
 * in it too (statement triggers).
 */
const INSERT_EVENTS = `
INSERT INTO events (id, user_id, event_type, file_path, tool, operation, details, "timestamp", storage_key)
SELECT t.id, $1, t.event_type, t.file_path, t.tool, t.operation, t.details::jsonb, coalesce(t.ts, now()), t.storage_key
  FROM unnest($2::uuid[], $3::varchar[], $4::text[], $5::varchar[], $6::varchar[], $7::text[], $8::timestamptz[], $9::text[])
       AS t(id, event_type, file_path, tool, operation, details, ts, storage_key)
RETURNING id, "timestamp"`;
const EVENT_PARAMS = 9;

/**
 * Keeps the per-user extension patterns current at ingest: ONE set-based upsert per
 * batch (count += n, last_used = max, tools ∪ new tools in first-seen order, at most
 * PATTERN_MAX_TOOLS) of the usages folded per extension (foldUsages). Rows are locked in
 * extension order, so concurrent batches never deadlock. `user` is the user id's
 * placeholder, `$(i)` the placeholder of parameter i.
 */
const upsertSql = (user: string, $: (i: number) => string) => `
INSERT INTO patterns AS p (user_id, file_extension, count, last_used, tools)
SELECT ${user}, u.ext, u.n, greatest(u.latest, CASE WHEN u.now THEN now() END), u.tools::jsonb
  FROM unnest(${$(1)}::varchar[], ${$(2)}::int[], ${$(3)}::timestamptz[], ${$(4)}::bool[], ${$(5)}::text[]) AS u(ext, n, latest, now, tools)
 ORDER BY u.ext
ON CONFLICT (user_id, file_extension) DO UPDATE SET
  count = p.count + EXCLUDED.count,
  last_used = greatest(p.last_used, EXCLUDED.last_used),
  tools = CASE WHEN EXCLUDED.tools = '[]'::jsonb OR EXCLUDED.tools <@ p.tools THEN p.tools ELSE
          (SELECT coalesce(jsonb_agg(t.tool ORDER BY t.first), '[]'::jsonb)
             FROM (SELECT e.tool, min(e.pos) AS first
                     FROM jsonb_array_elements(p.tools || EXCLUDED.tools) WITH ORDINALITY AS e(tool, pos)
                    GROUP BY e.tool
                    ORDER BY min(e.pos)
                    LIMIT ${$(6)}) t) END,
  updated_at = now()
RETURNING p.id, p.file_extension, p.count`;

/** The upsert's SQL, numbered after the events' parameters, and its parameters; null when nothing to record. */
function patternUpsert(usages: PatternUsage[]): { sql: string; params: unknown[] } | null {
  if (!usages.length) return null;
  const folded = [...foldUsages(usages)];
  return {
    sql: upsertSql('$1', (i) => `$${EVENT_PARAMS + i}`),
    params: [
      folded.map(([ext]) => ext),
      folded.map(([, u]) => u.count),
      folded.map(([, u]) => (u.latest ? u.latest.toISOString() : null)),
      folded.map(([, u]) => u.now),
      folded.map(([, u]) => JSON.stringify(u.tools)),
      PATTERN_MAX_TOOLS,
    ],
  };
}

interface IngestRow {
  kind: 'event' | 'pattern';
  id: string;
  timestamp: Date | null;
  file_extension: string | null;
  count: number | null;
}

/** An extension pattern as the ingest statement left it. */
interface IngestedPattern {
  id: string;
  file_extension: string;
  count: number;
}

export interface IngestResult {
  /** each inserted event's stored timestamp, by id */
  timestamps: Map<string, Date>;
  patterns: IngestedPattern[];
}

const SORT_SQL: Record<EventSortColumn, SortColumn[]> = {
  // (user_id, timestamp, id) index order: no sort step for the default list
  timestamp: [{ sql: 'e."timestamp"' }],
  event_type: [{ sql: 'e.event_type' }, { sql: 'e."timestamp"' }],
  tool: [{ sql: 'e.tool', nullable: true }, { sql: 'e."timestamp"' }],
  operation: [{ sql: 'e.operation', nullable: true }, { sql: 'e."timestamp"' }],
  file_path: [{ sql: 'e.file_path', nullable: true }, { sql: 'e."timestamp"' }],
};

const EVENT_COLUMNS = 'e.id, e.event_type, e.file_path, e.tool, e.operation, e.details, e."timestamp"';

/** An export row: the event and its keyset cursor (the timestamp as text: a JS Date would drop its microseconds). */
export type EventBatchRow = EventRow & { cursor_ts: string };

/** Statements on the events domain's table: events (and, in the ingest statement, the extension patterns). */
@Injectable()
export class EventsRepository {
  constructor(
    private readonly sql: Sql,
    private readonly pages: ListPageRepository,
    @InjectRepository(Event) private readonly events: Repository<Event>,
  ) {}

  /**
   * Inserts the events (with the ids given, so the caller keeps the request's order without
   * relying on RETURNING order) and upserts the extension patterns of `usages`: one statement.
   */
  async ingest(userId: string, ids: string[], events: NewEvent[], usages: PatternUsage[]): Promise<IngestResult> {
    const patterns = patternUpsert(usages);
    const { rows } = await this.sql.run<IngestRow>(
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
    return {
      timestamps: new Map(rows.filter((r) => r.kind === 'event').map((r) => [r.id, r.timestamp!])),
      patterns: rows.filter((r) => r.kind === 'pattern').map((p) => ({ id: p.id, file_extension: p.file_extension!, count: p.count! })),
    };
  }

  /**
   * One page of the user's events: the page (LIMIT limit+1, so `has_more` is exact) and,
   * only when the page does not show where the list ends, its total — `unfilteredTotal()`
   * when unfiltered, a count capped at `cap` rows when filtered.
   */
  listPage(
    userId: string,
    q: ListEventsQuery,
    totals: { cap: number; unfilteredTotal: () => Promise<number> },
  ): Promise<ListResult<EventResponse>> {
    return this.pages.read({
      select: EVENT_COLUMNS,
      from: 'events e',
      where: () => this.where(userId, q),
      orderBy: orderBy([...SORT_SQL[q.sort_by], { sql: 'e.id' }], q.sort_order),
      skip: q.skip,
      limit: q.limit,
      map: EventResponse.from,
      filtered: q.event_type !== undefined || q.tool !== undefined || !!q.search,
      unfilteredTotal: totals.unfilteredTotal,
      cap: totals.cap,
    });
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

  /** The next `size` of the user's events after the cursor `after` (none: from the newest), newest first, along the list index. */
  async batchAfter(userId: string, after: { ts: string; id: string } | null, size: number): Promise<EventBatchRow[]> {
    const { rows } = await this.sql.run<EventBatchRow>(
      `SELECT ${EVENT_COLUMNS}, e."timestamp"::text AS cursor_ts FROM events e
            WHERE e.user_id = $1 AND ($2::timestamptz IS NULL OR (e."timestamp", e.id) < ($2::timestamptz, $3::uuid))
            ORDER BY e."timestamp" DESC, e.id DESC LIMIT $4`,
      [userId, after?.ts ?? null, after?.id ?? null, size],
    );
    return rows;
  }

  /** The stored file of one of the user's events: its key and the details that describe it (null: no such event). */
  fileOf(userId: string, eventId: string): Promise<Pick<Event, 'id' | 'storageKey' | 'details'> | null> {
    return this.events.findOne({
      where: { id: eventId, userId },
      select: { id: true, storageKey: true, details: true },
    });
  }

  /**
   * The owner's most recent upload whose file name matches `likePattern` (ILIKE, `\\` escapes),
   * newest by event time.
   */
  latestUploadMatching(userId: string, likePattern: string): Promise<Pick<Event, 'id' | 'storageKey' | 'details'> | null> {
    return this.events
      .createQueryBuilder('e')
      .select(['e.id', 'e.storageKey', 'e.details'])
      .where('e.userId = :userId AND e.storageKey IS NOT NULL', { userId })
      .andWhere(`e.details->>'filename' ILIKE :pattern ESCAPE '\\'`, { pattern: likePattern })
      .orderBy('e.timestamp', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(1)
      .getOne();
  }
}
