import { mergeHistogram, mergeMapInto, mergeRelation, mergeSequence } from './aggregates';
import { EMPTY_TAIL, type BatchDelta, type FoldEvent, foldBatch } from './fold';

/** A seeded stream of events with repeats, gaps longer than a session, files and tools. */
function stream(n: number, seed: number): FoldEvent[] {
  let a = seed;
  const rnd = () => (a = (a * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const tools = ['python', 'git', null, 'word', 'excel'];
  const ops = ['run', 'created', 'saved', 'opened', 'commit'];
  const files = ['/a/x.py', '/a/y.csv', '/b/z.docx', '/b/z.pdf', null];
  let at = Date.parse('2026-03-02T08:00:00Z');
  return Array.from({ length: n }, () => {
    at += rnd() < 0.05 ? 2 * 3_600_000 : Math.floor(rnd() * 240_000);
    const path = files[Math.floor(rnd() * files.length)];
    return {
      at,
      eventType: 'file_opened',
      tool: tools[Math.floor(rnd() * tools.length)],
      operation: ops[Math.floor(rnd() * ops.length)],
      path,
      ext: path ? path.slice(path.lastIndexOf('.')) : null,
    };
  });
}

const params = { relationWindowMs: 300_000, sessionIdleMs: 1_800_000 };

function inBatches(events: FoldEvent[], cuts: number[]) {
  let tail = EMPTY_TAIL;
  const total: BatchDelta = { sequences: new Map(), relations: new Map(), extensions: new Map(), steps: 0, events: 0 };
  let from = 0;
  for (const to of [...cuts, events.length]) {
    const r = foldBatch(JSON.parse(JSON.stringify(tail)), events.slice(from, to), params); // the tail goes through JSON (it is stored)
    tail = r.tail;
    mergeMapInto(total.sequences, r.delta.sequences, mergeSequence);
    mergeMapInto(total.relations, r.delta.relations, mergeRelation);
    mergeMapInto(total.extensions, r.delta.extensions, mergeHistogram);
    total.steps += r.delta.steps;
    total.events += r.delta.events;
    from = to;
  }
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
  return {
    tail,
    sequences: sorted(total.sequences),
    relations: sorted(total.relations),
    extensions: sorted(total.extensions),
    steps: total.steps,
    events: total.events,
  };
}

describe('foldBatch', () => {
  it('gives the same aggregates however the stream is cut into batches', () => {
    const events = stream(2_000, 7);
    const once = inBatches(events, []);
    expect(once.sequences.length).toBeGreaterThan(50);
    expect(once.relations.length).toBeGreaterThan(5);
    for (const cuts of [[1_000], [1, 2, 3], [137, 500, 501, 1_999], Array.from({ length: 40 }, (_, i) => i * 50 + 1)]) {
      expect(inBatches(events, cuts)).toEqual(once);
    }
  });

  it('collapses repeated steps, never spans sessions, and types relations', () => {
    const t0 = Date.parse('2026-03-02T08:00:00Z');
    const ev = (min: number, tool: string | null, operation: string, path: string | null): FoldEvent => ({
      at: t0 + min * 60_000,
      eventType: 'x',
      tool,
      operation,
      path,
      ext: path ? path.slice(path.lastIndexOf('.')) : null,
    });
    const { delta } = foldBatch(
      EMPTY_TAIL,
      [
        ev(0, 'python', 'run', '/r.py'),
        ev(1, 'python', 'run', '/r.py'), // the same step again: collapsed
        ev(2, null, 'created', '/o.csv'),
        ev(120, 'git', 'commit', null), // after a 2-hour gap: a new session
      ],
      params,
    );
    expect([...delta.sequences.keys()].sort()).toEqual([
      'file:created:.csv',
      'git:commit',
      'python:run:.py',
      'python:run:.py → file:created:.csv',
    ]);
    expect(delta.steps).toBe(3);
    expect([...delta.relations.values()]).toEqual([
      expect.objectContaining({ type: 'output_of', source: '/r.py', target: '/o.csv', weight: 1 }),
    ]);
  });
});
