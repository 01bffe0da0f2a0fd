import { Injectable } from '@nestjs/common';

/** One event's contribution to its extension's pattern. */
export interface PatternUsage {
  extension: string;
  /** null: the transaction's now() */
  at: Date | null;
  tool: string | null;
}

/** Distinct tools kept per pattern (first seen first); later ones are not added. */
export const PATTERN_MAX_TOOLS = 50;

/** A batch's usages folded per extension (the database then sees one row per extension). */
interface ExtensionUsage {
  count: number;
  /** latest explicit timestamp */
  latest: Date | null;
  /** some event had no timestamp (= now()) */
  now: boolean;
  tools: string[];
}

export function foldUsages(usages: PatternUsage[]): Map<string, ExtensionUsage> {
  const out = new Map<string, ExtensionUsage>();
  for (const u of usages) {
    let e = out.get(u.extension);
    if (!e) out.set(u.extension, (e = { count: 0, latest: null, now: false, tools: [] }));
    e.count++;
    if (u.at === null) e.now = true;
    else if (!e.latest || u.at > e.latest) e.latest = u.at;
    if (u.tool !== null && e.tools.length < PATTERN_MAX_TOOLS && !e.tools.includes(u.tool)) e.tools.push(u.tool);
  }
  return out;
}

/**
 * Keeps the per-user extension patterns current at ingest: ONE set-based upsert per
 * batch (count += n, last_used = max, tools ∪ new tools in first-seen order, at most
 * PATTERN_MAX_TOOLS). Rows are locked in extension order, so concurrent batches never
 * deadlock. `user` is the user id's placeholder, `$(i)` the placeholder of parameter i.
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

export interface SqlPart {
  sql: string;
  params: unknown[];
}

@Injectable()
export class PatternUsageService {
  /**
   * The upsert as SQL for the caller's own statement (ingest runs it as a CTE beside the
   * event INSERT: one round trip, one implicit transaction), with its parameters numbered
   * from `$${first}` and the user id taken from `userParam`. Null when nothing to record.
   */
  upsert(usages: PatternUsage[], userParam: string, first: number): SqlPart | null {
    if (!usages.length) return null;
    const folded = [...foldUsages(usages)];
    return {
      sql: upsertSql(userParam, (i) => `$${first + i - 1}`),
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
}
