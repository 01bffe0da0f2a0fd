import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { averageGapSeconds, type ExtensionHistogram, mergeSequence, type RelationAgg, type SequenceAgg } from './aggregates';
import type { Tail } from './fold';
import { SEQUENCE_SEPARATOR } from './steps';

export interface StateRow {
  position_at: Date | null;
  position_us: string | null;
  position_id: string | null;
  fingerprint: string;
  tail: Tail | null;
  salt: string;
  steps_total: string;
  late_from: Date | null;
  rebuilt_at: Date | null;
  db_now: Date;
}

export interface EventRow {
  id: string;
  /** microseconds since the epoch, exact */
  us: string;
  event_type: string;
  tool: string | null;
  operation: string | null;
  /** file_path, or the client's file name for uploads (whose path is a storage key) */
  path: string | null;
}

export interface TouchedPattern {
  id: string;
  sequence_key: string;
  count: number;
}

export interface StatePatch {
  position: { us: string; id: string } | null;
  tail: Tail;
  fingerprint: string;
  events: number;
  steps: number;
  lateFrom: Date | null;
  rebuilt: boolean;
}

/** `'epoch' + us µs`: a timestamptz from exact microseconds (no float rounding). */
const FROM_US = (p: string) => `('epoch'::timestamptz + ${p}::bigint * interval '1 microsecond')`;

const EVENT_COLUMNS = `e.id, (extract(epoch FROM e."timestamp") * 1000000)::bigint::text AS us, e.event_type, e.tool, e.operation,
       CASE WHEN e.storage_key IS NOT NULL THEN coalesce(e.details->>'filename', e.file_path) ELSE e.file_path END AS path`;

interface SequenceRow {
  kept: boolean;
  sequence_key: string;
  steps: number;
  count: number;
  first_seen: Date;
  last_seen: Date;
  data: StoredAggregate;
  example_files: string[] | null;
}

/** The aggregate fields stored as JSON (temporal_patterns.metadata / sequence_candidates.data). */
interface StoredAggregate {
  hours?: number[];
  weekdays?: number[];
  days?: number;
  first_day?: number;
  last_day?: number;
  span_ms?: number;
  files?: string[];
}

function fromRow(r: SequenceRow): SequenceAgg {
  const d = r.data ?? {};
  return {
    steps: r.steps,
    count: r.count,
    first: r.first_seen.getTime(),
    last: r.last_seen.getTime(),
    spanMs: d.span_ms ?? 0,
    hours: d.hours ?? [],
    weekdays: d.weekdays ?? [],
    days: d.days ?? 0,
    firstDay: d.first_day ?? 0,
    lastDay: d.last_day ?? 0,
    files: r.example_files ?? d.files ?? [],
  };
}

const stored = (a: SequenceAgg, withFiles: boolean): StoredAggregate => ({
  ...(a.steps > 1 ? { hours: a.hours, weekdays: a.weekdays } : {}),
  days: a.days,
  first_day: a.firstDay,
  last_day: a.lastDay,
  span_ms: a.spanMs,
  ...(withFiles ? { files: a.files } : {}),
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The analysis' SQL (pattern_analysis_state, relationships, temporal_patterns,
 * sequence_candidates, the extension patterns' histograms, and its read of the events):
 * set-based reads and writes of one batch, all inside the caller's transaction `tx`
 * (which holds the user's state row lock, so no other writer of these rows for this user
 * runs at the same time). One statement per table and batch, never a query per row.
 */
@Injectable()
export class AnalysisRepository {
  constructor(private readonly sql: Sql) {}

  /** Creates the user's state row (with its anonymisation key) unless it exists or the user is gone. */
  async ensureState(userId: string, salt: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO pattern_analysis_state (user_id, salt) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
     ON CONFLICT (user_id) DO NOTHING`,
      [userId, salt],
    );
  }

  async lockState(userId: string, tx: EntityManager): Promise<StateRow | null> {
    const { rows } = await this.sql.run<StateRow>(
      `SELECT position_at, (extract(epoch FROM position_at) * 1000000)::bigint::text AS position_us, position_id::text,
            fingerprint, tail, salt, steps_total::text, late_from, rebuilt_at, now() AS db_now
       FROM pattern_analysis_state WHERE user_id = $1 FOR UPDATE`,
      [userId],
      tx,
    );
    return rows[0] ?? null;
  }

  /**
   * Takes the user's analysis lock (their state row) in `tx`: work in that transaction
   * never interleaves with a batch of the analysis, nor with other such work.
   */
  async lockUser(userId: string, tx: EntityManager): Promise<void> {
    await this.sql.run('SELECT 1 FROM pattern_analysis_state WHERE user_id = $1 FOR UPDATE', [userId], tx);
  }

  /** The user's anonymisation key (created with the state row). */
  async salt(userId: string): Promise<string | null> {
    const { rows } = await this.sql.run<{ salt: string }>('SELECT salt FROM pattern_analysis_state WHERE user_id = $1', [userId]);
    return rows[0]?.salt ?? null;
  }

  /** Forget everything derived from events (the extension counts of ingest stay). */
  async resetAggregates(userId: string, tx: EntityManager): Promise<void> {
    await this.sql.run('DELETE FROM relationships WHERE user_id = $1', [userId], tx);
    await this.sql.run('DELETE FROM temporal_patterns WHERE user_id = $1', [userId], tx);
    await this.sql.run('DELETE FROM sequence_candidates WHERE user_id = $1', [userId], tx);
    await this.sql.run(
      `UPDATE patterns SET metadata = metadata - 'hours' - 'weekdays' - 'analysed_events'
      WHERE user_id = $1 AND metadata ?| array['hours', 'weekdays', 'analysed_events']`,
      [userId],
      tx,
    );
  }

  /**
   * The next events after the position, oldest first, along idx_events_user_timestamp
   * (user_id, timestamp, id) — a keyset range scan, never an offset. Events younger than
   * `settleSeconds` wait for a later run.
   */
  async readEvents(
    userId: string,
    after: { us: string; id: string } | null,
    settleSeconds: number,
    limit: number,
    tx: EntityManager,
  ): Promise<EventRow[]> {
    const horizon = `e."timestamp" <= now() - make_interval(secs => $2)`;
    if (!after) {
      const { rows } = await this.sql.run<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.user_id = $1 AND ${horizon} ORDER BY e."timestamp", e.id LIMIT $3`,
        [userId, settleSeconds, limit],
        tx,
      );
      return rows;
    }
    const { rows } = await this.sql.run<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events e
      WHERE e.user_id = $1 AND ${horizon} AND (e."timestamp", e.id) > (${FROM_US('$4')}, $5::uuid)
      ORDER BY e."timestamp", e.id LIMIT $3`,
      [userId, settleSeconds, limit, after.us, after.id],
      tx,
    );
    return rows;
  }

  /** The oldest event not analysed yet (younger than the settle horizon), if any. */
  async nextPendingAt(userId: string, after: { us: string; id: string } | null): Promise<Date | null> {
    const { rows } = await (after
      ? this.sql.run<{ timestamp: Date }>(
          `SELECT e."timestamp" FROM events e WHERE e.user_id = $1 AND (e."timestamp", e.id) > (${FROM_US('$2')}, $3::uuid)
          ORDER BY e."timestamp", e.id LIMIT 1`,
          [userId, after.us, after.id],
        )
      : this.sql.run<{ timestamp: Date }>(`SELECT e."timestamp" FROM events e WHERE e.user_id = $1 ORDER BY e."timestamp", e.id LIMIT 1`, [
          userId,
        ]));
    return rows[0]?.timestamp ?? null;
  }

  // ---------------------------------------------------------------- sequences

  /**
   * Merges the batch's sequence deltas into the stored aggregates: read the rows of the
   * batch's keys from both tables, merge in JS (mergeSequence, associative), write back.
   * A multi-step sequence whose count reaches `minSupport` moves from the candidates to
   * temporal_patterns. Returns the temporal patterns written.
   */
  async writeSequences(userId: string, deltas: Map<string, SequenceAgg>, minSupport: number, tx: EntityManager): Promise<TouchedPattern[]> {
    if (!deltas.size) return [];
    const keys = [...deltas.keys()].sort();
    const { rows: existing } = await this.sql.run<SequenceRow>(
      `SELECT true AS kept, t.sequence_key, jsonb_array_length(t.sequence)::int AS steps, t.count, t.first_seen, t.last_seen, t.metadata AS data, t.example_files
       FROM temporal_patterns t WHERE t.user_id = $1 AND t.sequence_key = ANY($2::varchar[])
     UNION ALL
     SELECT false, c.sequence_key, c.steps, c.count, c.first_seen, c.last_seen, c.data, NULL
       FROM sequence_candidates c WHERE c.user_id = $1 AND c.sequence_key = ANY($2::varchar[])`,
      [userId, keys],
      tx,
    );
    const kept = new Map<string, SequenceAgg>();
    const candidates = new Map<string, SequenceAgg>();
    for (const r of existing) (r.kept ? kept : candidates).set(r.sequence_key, fromRow(r));
    const patterns: [string, SequenceAgg][] = [];
    const stillCandidates: [string, SequenceAgg][] = [];
    const promoted: string[] = [];
    for (const key of keys) {
      const delta = deltas.get(key)!;
      const before = kept.get(key) ?? candidates.get(key);
      const merged = before ? mergeSequence(before, delta) : delta;
      if (kept.has(key) || (merged.steps > 1 && merged.count >= minSupport)) {
        patterns.push([key, merged]);
        if (candidates.has(key)) promoted.push(key);
      } else {
        stillCandidates.push([key, merged]);
      }
    }
    if (stillCandidates.length) {
      await this.sql.run(
        `INSERT INTO sequence_candidates AS c (user_id, sequence_key, steps, count, first_seen, last_seen, data)
       SELECT $1, u.key, u.steps, u.count, u.first_seen, u.last_seen, u.data
         FROM unnest($2::varchar[], $3::smallint[], $4::int[], $5::timestamptz[], $6::timestamptz[], $7::jsonb[])
              AS u(key, steps, count, first_seen, last_seen, data)
       ON CONFLICT (user_id, sequence_key) DO UPDATE SET
         count = EXCLUDED.count, first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, data = EXCLUDED.data`,
        [
          userId,
          stillCandidates.map(([k]) => k),
          stillCandidates.map(([, a]) => a.steps),
          stillCandidates.map(([, a]) => a.count),
          stillCandidates.map(([, a]) => iso(a.first)),
          stillCandidates.map(([, a]) => iso(a.last)),
          stillCandidates.map(([, a]) => JSON.stringify(stored(a, true))),
        ],
        tx,
      );
    }
    if (promoted.length) {
      await this.sql.run(
        'DELETE FROM sequence_candidates WHERE user_id = $1 AND sequence_key = ANY($2::varchar[])',
        [userId, promoted],
        tx,
      );
    }
    if (!patterns.length) return [];
    const { rows } = await this.sql.run<TouchedPattern>(
      `INSERT INTO temporal_patterns AS t (user_id, sequence_key, sequence, count, avg_gap_seconds, example_files, first_seen, last_seen, metadata)
     SELECT $1, u.key, u.sequence, u.count, u.gap, u.files, u.first_seen, u.last_seen, u.data
       FROM unnest($2::varchar[], $3::jsonb[], $4::int[], $5::float8[], $6::jsonb[], $7::timestamptz[], $8::timestamptz[], $9::jsonb[])
            AS u(key, sequence, count, gap, files, first_seen, last_seen, data)
     ON CONFLICT (user_id, sequence_key) DO UPDATE SET
       count = EXCLUDED.count, avg_gap_seconds = EXCLUDED.avg_gap_seconds, example_files = EXCLUDED.example_files,
       first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, metadata = EXCLUDED.metadata, updated_at = now()
     RETURNING t.id, t.sequence_key, t.count`,
      [
        userId,
        patterns.map(([k]) => k),
        patterns.map(([k]) => JSON.stringify(k.split(SEQUENCE_SEPARATOR))),
        patterns.map(([, a]) => a.count),
        patterns.map(([, a]) => averageGapSeconds(a)),
        patterns.map(([, a]) => JSON.stringify(a.files)),
        patterns.map(([, a]) => iso(a.first)),
        patterns.map(([, a]) => iso(a.last)),
        patterns.map(([, a]) => JSON.stringify(stored(a, false))),
      ],
      tx,
    );
    return rows;
  }

  // ---------------------------------------------------------------- relationships

  /** One upsert: weight adds up, first/last seen widen (associative). Unique on md5 of the paths. */
  async writeRelations(userId: string, relations: Iterable<RelationAgg>, tx: EntityManager): Promise<void> {
    const rows = [...relations].sort((a, b) => (a.type + a.source + a.target < b.type + b.source + b.target ? -1 : 1));
    if (!rows.length) return;
    await this.sql.run(
      `INSERT INTO relationships AS r (user_id, relation_type, source_file, target_file, weight, first_seen, last_seen)
     SELECT $1, u.type, u.source, u.target, u.weight, u.first_seen, u.last_seen
       FROM unnest($2::varchar[], $3::text[], $4::text[], $5::float8[], $6::timestamptz[], $7::timestamptz[])
            AS u(type, source, target, weight, first_seen, last_seen)
     ON CONFLICT (user_id, relation_type, md5(source_file), md5(target_file)) DO UPDATE SET
       weight = r.weight + EXCLUDED.weight,
       first_seen = least(r.first_seen, EXCLUDED.first_seen),
       last_seen = greatest(r.last_seen, EXCLUDED.last_seen),
       updated_at = now()`,
      [
        userId,
        rows.map((r) => r.type),
        rows.map((r) => r.source),
        rows.map((r) => r.target),
        rows.map((r) => r.weight),
        rows.map((r) => iso(r.first)),
        rows.map((r) => iso(r.last)),
      ],
      tx,
    );
  }

  // ---------------------------------------------------------------- extension histograms

  /**
   * Adds the batch's hour-of-day / weekday counts to the extension patterns' metadata
   * (rows created at ingest). Ingest upserts the same rows, locking them in extension
   * order; locking them here in the same order first means the two can never deadlock.
   */
  async writeHistograms(userId: string, extensions: Map<string, ExtensionHistogram>, tx: EntityManager): Promise<void> {
    if (!extensions.size) return;
    const exts = [...extensions.keys()].sort();
    await this.sql.run(
      `SELECT 1 FROM patterns WHERE user_id = $1 AND file_extension = ANY($2::varchar[]) ORDER BY file_extension FOR UPDATE`,
      [userId, exts],
      tx,
    );
    const sum = (field: string, n: number) =>
      `(SELECT jsonb_agg(coalesce((p.metadata->'${field}'->>i)::int, 0) + (u.${field}->>i)::int ORDER BY i) FROM generate_series(0, ${n - 1}) AS i)`;
    await this.sql.run(
      `UPDATE patterns p SET metadata = p.metadata || jsonb_build_object(
        'hours', ${sum('hours', 24)},
        'weekdays', ${sum('weekdays', 7)},
        'analysed_events', coalesce((p.metadata->>'analysed_events')::int, 0) + u.events)
       FROM unnest($2::varchar[], $3::jsonb[], $4::jsonb[], $5::int[]) AS u(ext, hours, weekdays, events)
      WHERE p.user_id = $1 AND p.file_extension = u.ext`,
      [
        userId,
        exts,
        exts.map((e) => JSON.stringify(extensions.get(e)!.hours)),
        exts.map((e) => JSON.stringify(extensions.get(e)!.weekdays)),
        exts.map((e) => extensions.get(e)!.events),
      ],
      tx,
    );
  }

  // ---------------------------------------------------------------- state

  async saveState(userId: string, patch: StatePatch, tx: EntityManager): Promise<void> {
    await this.sql.run(
      `UPDATE pattern_analysis_state SET
        position_at = CASE WHEN $2::text IS NULL THEN NULL ELSE ${FROM_US('$2')} END,
        position_id = $3::uuid,
        tail = $4::jsonb,
        fingerprint = $5,
        events_analysed = CASE WHEN $8 THEN 0 ELSE events_analysed END + $6,
        steps_total = CASE WHEN $8 THEN 0 ELSE steps_total END + $7,
        late_from = $9,
        rebuilds = rebuilds + CASE WHEN $8 THEN 1 ELSE 0 END,
        rebuilt_at = CASE WHEN $8 THEN now() ELSE rebuilt_at END,
        analysed_at = now(),
        updated_at = now()
      WHERE user_id = $1`,
      [
        userId,
        patch.position?.us ?? null,
        patch.position?.id ?? null,
        JSON.stringify(patch.tail),
        patch.fingerprint,
        patch.events,
        patch.steps,
        patch.rebuilt,
        patch.lateFrom,
      ],
      tx,
    );
  }
}
