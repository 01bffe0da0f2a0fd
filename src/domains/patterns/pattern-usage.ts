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

/**
 * Folds a batch's usages per extension: the input of the ONE set-based upsert of the
 * extension patterns that ingest runs beside the event INSERT (EventsRepository.ingest).
 */
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
