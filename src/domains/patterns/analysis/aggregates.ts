/**
 * The aggregates the analysis keeps, and how two of them merge. Every merge is
 * associative over the event stream — `merge(agg(A), agg(B)) = agg(A ++ B)` whenever A
 * comes before B in (timestamp, id) order — which is what makes the incremental analysis
 * independent of where the batches are cut. Only integers are summed (no float
 * accumulation), so "in two halves" and "at once" give bit-identical rows.
 */

const DAY_MS = 86_400_000;
/** Example files kept per sequence: the most recent distinct ones. */
const EXAMPLE_FILES = 5;

/** One sequence of 1–4 steps (1-step "sequences" are the step counts used for significance). */
export interface SequenceAgg {
  /** number of steps */
  steps: number;
  /** occurrences */
  count: number;
  /** start of the first / latest occurrence (ms) */
  first: number;
  last: number;
  /** sum over occurrences of the gaps between consecutive steps (ms) */
  spanMs: number;
  /** occurrence starts per UTC hour of day (24) and per weekday (7, Monday first) */
  hours: number[];
  weekdays: number[];
  /** distinct UTC days with an occurrence, and the first and last of them (day numbers) */
  days: number;
  firstDay: number;
  lastDay: number;
  /** most recent distinct files first, at most EXAMPLE_FILES */
  files: string[];
}

export interface RelationAgg {
  type: string;
  source: string;
  target: string;
  weight: number;
  first: number;
  last: number;
}

export interface ExtensionHistogram {
  hours: number[];
  weekdays: number[];
  events: number;
}

export const zeros = (n: number) => new Array<number>(n).fill(0);
const utcDay = (ms: number) => Math.floor(ms / DAY_MS);
export const utcHour = (ms: number) => new Date(ms).getUTCHours();
/** Monday = 0 … Sunday = 6 */
export const utcWeekday = (ms: number) => (new Date(ms).getUTCDay() + 6) % 7;

const addInto = (a: number[], b: number[]) => a.map((v, i) => v + (b[i] ?? 0));

/** Most recent first: `newer` before `older`, distinct, bounded. */
export function mergeFiles(newer: string[], older: string[]): string[] {
  const out: string[] = [];
  for (const f of [...newer, ...older]) {
    if (!out.includes(f)) out.push(f);
    if (out.length === EXAMPLE_FILES) break;
  }
  return out;
}

/** A one-occurrence aggregate. */
export function occurrence(steps: number, at: number, spanMs: number, files: string[]): SequenceAgg {
  const withTime = steps > 1;
  const hours = withTime ? zeros(24) : [];
  const weekdays = withTime ? zeros(7) : [];
  if (withTime) {
    hours[utcHour(at)] = 1;
    weekdays[utcWeekday(at)] = 1;
  }
  const day = utcDay(at);
  return {
    steps,
    count: 1,
    first: at,
    last: at,
    spanMs,
    hours,
    weekdays,
    days: 1,
    firstDay: day,
    lastDay: day,
    files: mergeFiles(files, []),
  };
}

/** `earlier` then `later` in stream order. */
export function mergeSequence(earlier: SequenceAgg, later: SequenceAgg): SequenceAgg {
  return {
    steps: earlier.steps,
    count: earlier.count + later.count,
    first: Math.min(earlier.first, later.first),
    last: Math.max(earlier.last, later.last),
    spanMs: earlier.spanMs + later.spanMs,
    hours: addInto(earlier.hours, later.hours),
    weekdays: addInto(earlier.weekdays, later.weekdays),
    days: earlier.days + later.days - (earlier.lastDay === later.firstDay ? 1 : 0),
    firstDay: Math.min(earlier.firstDay, later.firstDay),
    lastDay: Math.max(earlier.lastDay, later.lastDay),
    files: mergeFiles(later.files, earlier.files),
  };
}

export function mergeRelation(earlier: RelationAgg, later: RelationAgg): RelationAgg {
  return {
    ...earlier,
    weight: earlier.weight + later.weight,
    first: Math.min(earlier.first, later.first),
    last: Math.max(earlier.last, later.last),
  };
}

export function mergeHistogram(a: ExtensionHistogram, b: ExtensionHistogram): ExtensionHistogram {
  return { hours: addInto(a.hours, b.hours), weekdays: addInto(a.weekdays, b.weekdays), events: a.events + b.events };
}

/** Average gap between consecutive steps, in seconds (null for single steps). */
export function averageGapSeconds(agg: Pick<SequenceAgg, 'steps' | 'count' | 'spanMs'>): number | null {
  if (agg.steps < 2 || agg.count === 0) return null;
  return agg.spanMs / (agg.count * (agg.steps - 1)) / 1000;
}

/** Merges `later` into `into` per key (stream order), in place. */
export function mergeMapInto<T>(into: Map<string, T>, later: Map<string, T>, merge: (a: T, b: T) => T): Map<string, T> {
  for (const [key, value] of later) {
    const existing = into.get(key);
    into.set(key, existing === undefined ? value : merge(existing, value));
  }
  return into;
}
