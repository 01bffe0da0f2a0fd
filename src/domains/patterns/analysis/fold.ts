import {
  type ExtensionHistogram,
  mergeFiles,
  mergeSequence,
  occurrence,
  type RelationAgg,
  type SequenceAgg,
  utcHour,
  utcWeekday,
  zeros,
} from './aggregates';
import { relationType, sequenceKey, stepOf, type VerbClass, verbClass } from './steps';

/**
 * The analysis as a pure left fold over a user's events in (timestamp, id) order.
 * `foldBatch(tail, events)` returns the batch's aggregate deltas and the new tail: the
 * little the next batch needs to continue exactly where this one stopped (the open
 * session's last steps, the files inside the relationship window). Folding a stream in
 * any number of batches and merging the deltas (aggregates.ts) equals folding it at once.
 */

export interface AnalysisParams {
  /** two files touched within this many ms form a relationship */
  relationWindowMs: number;
  /** a gap longer than this ends the session */
  sessionIdleMs: number;
}

/** One event as the fold sees it; `path` is what may be stored (anonymised when the user asked). */
export interface FoldEvent {
  at: number;
  eventType: string;
  tool: string | null;
  operation: string | null;
  path: string | null;
  ext: string | null;
}

interface OpenStep {
  key: string;
  start: number;
  end: number;
  file: string | null;
}

interface RecentFile {
  file: string;
  at: number;
  cls: VerbClass;
}

/** JSON-serialisable; stored with the user's analysis position. Bounded: ≤ 3 steps, ≤ RELATION_FANOUT files. */
export interface Tail {
  lastAt: number | null;
  steps: OpenStep[];
  recent: RecentFile[];
}

export const EMPTY_TAIL: Tail = { lastAt: null, steps: [], recent: [] };

/** Longest sequence mined (steps). */
const MAX_SEQUENCE = 4;
/** A file pairs with at most this many distinct files touched before it within the window. */
const RELATION_FANOUT = 5;

export interface BatchDelta {
  /** sequences of 1..4 steps by key; 1-step entries are the step counts */
  sequences: Map<string, SequenceAgg>;
  /** by `type\u0000source\u0000target` */
  relations: Map<string, RelationAgg>;
  /** by extension */
  extensions: Map<string, ExtensionHistogram>;
  /** steps started (after collapsing repeats) */
  steps: number;
  events: number;
}

const relationKey = (r: Pick<RelationAgg, 'type' | 'source' | 'target'>) => `${r.type}\u0000${r.source}\u0000${r.target}`;

function emptyDelta(): BatchDelta {
  return { sequences: new Map(), relations: new Map(), extensions: new Map(), steps: 0, events: 0 };
}

export function foldBatch(start: Tail, events: FoldEvent[], params: AnalysisParams): { tail: Tail; delta: BatchDelta } {
  const tail: Tail = { lastAt: start.lastAt, steps: start.steps.map((s) => ({ ...s })), recent: start.recent.map((r) => ({ ...r })) };
  const delta = emptyDelta();
  for (const e of events) {
    delta.events++;
    countExtension(delta, e);
    if (tail.lastAt !== null && e.at - tail.lastAt > params.sessionIdleMs) {
      tail.steps = [];
      tail.recent = [];
    }
    const step = stepOf(e);
    if (e.path) relate(tail, delta, e.path, verbClass(step.action), e.at, params.relationWindowMs);
    advance(tail, delta, step.key, e.at, e.path);
    tail.lastAt = e.at;
  }
  return { tail, delta };
}

function countExtension(delta: BatchDelta, e: FoldEvent): void {
  if (!e.ext) return;
  let h = delta.extensions.get(e.ext);
  if (!h) delta.extensions.set(e.ext, (h = { hours: zeros(24), weekdays: zeros(7), events: 0 }));
  h.hours[utcHour(e.at)]++;
  h.weekdays[utcWeekday(e.at)]++;
  h.events++;
}

/**
 * Ordered pairs (earlier file → this file) with the distinct files touched before it in
 * the window, most recent first. Touching the most recent file again only refreshes it,
 * so saving one file ten times does not count its relationships ten times.
 */
function relate(tail: Tail, delta: BatchDelta, file: string, cls: VerbClass, at: number, windowMs: number): void {
  tail.recent = tail.recent.filter((r) => at - r.at <= windowMs);
  if (tail.recent[0]?.file === file) {
    tail.recent[0] = { file, at, cls };
    return;
  }
  for (const r of tail.recent) {
    if (r.file === file) continue;
    add(delta.relations, { type: relationType(r.cls, cls), source: r.file, target: file, weight: 1, first: at, last: at });
  }
  tail.recent = [{ file, at, cls }, ...tail.recent.filter((r) => r.file !== file)].slice(0, RELATION_FANOUT);
}

function add(relations: Map<string, RelationAgg>, r: RelationAgg): void {
  const key = relationKey(r);
  const existing = relations.get(key);
  if (existing) {
    existing.weight++;
    existing.last = r.last;
  } else {
    relations.set(key, r);
  }
}

/**
 * Consecutive events with the same step collapse into one step (editing a file five
 * times is one "edit" step). A new step counts itself and closes the 2–4-step sequences
 * that end with it inside the session; each occurrence records its start, the gaps
 * between its steps and its files.
 */
function advance(tail: Tail, delta: BatchDelta, key: string, at: number, path: string | null): void {
  const current = tail.steps[tail.steps.length - 1];
  if (current && current.key === key) {
    current.end = at;
    if (path) current.file = path;
    return;
  }
  delta.steps++;
  addSequence(delta, key, occurrence(1, at, 0, []));
  for (let n = 2; n <= Math.min(MAX_SEQUENCE, tail.steps.length + 1); n++) {
    const previous = tail.steps.slice(-(n - 1));
    let span = at - previous[previous.length - 1].end;
    for (let i = 1; i < previous.length; i++) span += previous[i].start - previous[i - 1].end;
    const files = [path, ...previous.map((s) => s.file).reverse()].filter((f): f is string => !!f);
    addSequence(delta, sequenceKey([...previous.map((s) => s.key), key]), occurrence(n, previous[0].start, span, mergeFiles(files, [])));
  }
  tail.steps = [...tail.steps, { key, start: at, end: at, file: path }].slice(-(MAX_SEQUENCE - 1));
}

function addSequence(delta: BatchDelta, key: string, occ: SequenceAgg): void {
  const existing = delta.sequences.get(key);
  delta.sequences.set(key, existing ? mergeSequence(existing, occ) : occ);
}
