import 'reflect-metadata';
import { fastParse, parseEvent, parseEventBatch } from './event-input';

const deep = (levels: number) => {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
};

/** Bodies of every shape: valid ones, hostile ones, edge cases of each rule. */
const BODIES: unknown[] = [
  { event_type: 'x' },
  { event_type: 'file_opened', file_path: '/a/b.py', tool: 'vim', operation: 'open', details: { n: 1 }, timestamp: '2025-01-01T00:00:00Z' },
  { event_type: 'x', file_path: null, tool: null, operation: null, details: null, timestamp: null },
  { event_type: 'x', timestamp: '2025-03-04T05:06:07' },
  { event_type: 'x', timestamp: '2025-03-04T05:06:07.123+02:00' },
  { event_type: 'x', timestamp: '2025-03-04' },
  { event_type: 'x', timestamp: '2025-02-30T00:00:00Z' },
  { event_type: 'x', timestamp: '2025-W01-1' },
  { event_type: 'x', timestamp: 'yesterday' },
  { event_type: 'x', timestamp: 12 },
  { event_type: '' },
  { event_type: 'e'.repeat(50) },
  { event_type: 'e'.repeat(51) },
  { event_type: '😀'.repeat(30) },
  { event_type: 'a\u0000b' },
  { event_type: 5 },
  {},
  { event_type: 'x', file_path: 'p'.repeat(4096) },
  { event_type: 'x', file_path: 'p'.repeat(4097) },
  { event_type: 'x', tool: 't'.repeat(100) },
  { event_type: 'x', tool: 't'.repeat(101) },
  { event_type: 'x', operation: 'o'.repeat(51) },
  { event_type: 'x', details: [] },
  { event_type: 'x', details: 'text' },
  { event_type: 'x', details: deep(8) },
  { event_type: 'x', details: deep(9) },
  { event_type: 'x', details: { s: 'x'.repeat(17_000) } },
  { event_type: 'x', details: { k: 'a\u0000' } },
  { event_type: 'x', user_id: 'someone' },
  ['x'],
  'x',
  null,
  Object.assign(Object.create({ inherited: 1 }), { event_type: 'x' }),
];

describe('event input', () => {
  it.each(BODIES.map((b, i) => [i, b]))(
    'body #%d: the fast path never accepts what the full validation refuses, and agrees on the result',
    async (_i, body) => {
      const fast = fastParse(body);
      let full: unknown;
      try {
        full = await parseEvent(body);
      } catch (err) {
        full = err;
      }
      if (fast) expect(full).toEqual(fast);
    },
  );

  it('the fast path takes the ordinary bodies', () => {
    expect(fastParse(BODIES[0])).not.toBeNull();
    expect(fastParse(BODIES[1])).toMatchObject({
      eventType: 'file_opened',
      filePath: '/a/b.py',
      details: { n: 1 },
      timestamp: new Date('2025-01-01T00:00:00Z'),
    });
    expect(fastParse(BODIES[3])).toMatchObject({ timestamp: new Date('2025-03-04T05:06:07Z') });
  });

  it('reports every bad item of a batch by index', async () => {
    await expect(parseEventBatch([{ event_type: 'ok' }, {}, { event_type: 'ok', details: [] }])).rejects.toMatchObject({
      response: {
        detail: expect.arrayContaining([
          expect.objectContaining({ loc: ['body', 1, 'event_type'] }),
          expect.objectContaining({ loc: ['body', 2, 'details'] }),
        ]),
      },
    });
  });
});
