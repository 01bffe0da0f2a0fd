import { busiestHours, confidenceOf, isSignificant, poissonTail } from './scoring';
import { timingOf } from './timing';

describe('scoring', () => {
  it('poissonTail is a probability that falls with the count', () => {
    expect(poissonTail(0, 3)).toBe(1);
    expect(poissonTail(3, 3)).toBe(1); // not above expectation
    expect(poissonTail(10, 2)).toBeCloseTo(4.65e-5, 7); // 1 − P(X ≤ 9), λ = 2
    expect(poissonTail(30, 2)).toBeLessThan(1e-20);
  });

  it('a sequence is a routine only beyond chance and beyond its own parts', () => {
    const steps = new Map([
      ['a', 20],
      ['b', 20],
      ['c', 20],
      ['noise', 300],
    ]);
    expect(isSignificant({ steps: ['a', 'b'], count: 15 }, steps, 1_000)).toBe(true);
    expect(isSignificant({ steps: ['noise', 'noise2'], count: 15 }, new Map([...steps, ['noise2', 300]]), 1_000)).toBe(false); // λ = 90
    const counts = new Map([
      ['a → b', 15],
      ['b → c', 15],
      ['a → b → c', 15],
    ]);
    expect(isSignificant({ steps: ['a', 'b', 'c'], count: 15 }, steps, 1_000, counts)).toBe(true);
    // routine + an unrelated frequent step that happened to follow it 5 times of 15
    expect(isSignificant({ steps: ['a', 'b', 'noise'], count: 5 }, steps, 1_000, counts)).toBe(false);
  });

  it('confidence is in [0, 1] and grows with support, recency and consistency', () => {
    const hours = (at: number, n: number) => Array.from({ length: 24 }, (_, h) => (h === at ? n : 0));
    const asOf = new Date('2026-10-26T00:00:00Z');
    const base = { count: 15, lastSeen: asOf, hours: hours(8, 15), days: 15, firstDay: 0, lastDay: 18 };
    const c = confidenceOf(base, asOf);
    expect(c.confidence).toBeGreaterThan(0.7);
    expect(c.confidence).toBeLessThanOrEqual(1);
    expect(confidenceOf({ ...base, count: 3, days: 3, hours: hours(8, 3) }, asOf).confidence).toBeLessThan(c.confidence);
    expect(confidenceOf({ ...base, lastSeen: new Date('2026-09-01T00:00:00Z') }, asOf).confidence).toBeLessThan(c.confidence);
    const spread = Array.from({ length: 24 }, (_, h) => (h >= 7 && h < 22 ? 1 : 0));
    expect(confidenceOf({ ...base, hours: spread, days: 3 }, asOf).confidence).toBeLessThan(c.confidence);
    expect(
      confidenceOf({ count: 0, lastSeen: asOf, hours: hours(0, 0), days: 0, firstDay: 0, lastDay: 0 }, asOf).confidence,
    ).toBeGreaterThanOrEqual(0);
  });

  it('timing: busiest window starts at the first busy hour; cron for weekdays or chosen days', () => {
    const at8 = Array.from({ length: 24 }, (_, h) => (h === 8 ? 10 : 0));
    expect(busiestHours(at8, 2)).toMatchObject({ start: 8, share: 1 });
    expect(timingOf(at8, [2, 2, 2, 2, 2, 0, 0])).toMatchObject({ cron: '0 8 * * 1-5', when: 'every weekday at 08:00 UTC' });
    expect(timingOf(at8, [0, 5, 0, 5, 0, 0, 0])).toMatchObject({ cron: '0 8 * * 2,4', when: 'on Tuesdays and Thursdays at 08:00 UTC' });
    expect(timingOf(at8, [1, 1, 1, 1, 1, 1, 1]).cron).toBe('0 8 * * *');
  });
});
