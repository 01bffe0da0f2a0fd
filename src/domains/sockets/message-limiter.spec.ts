import { MessageLimiter } from './message-limiter';

describe('MessageLimiter', () => {
  it('allows a burst up to capacity, then refills over the window', () => {
    let now = 0;
    const limiter = new MessageLimiter(3, 10_000, () => now);
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, true, false]);
    expect(limiter.strikes).toBe(1);
    now += 3_400; // a bit more than one token's worth
    expect(limiter.take()).toBe(true);
    expect(limiter.strikes).toBe(0);
    expect(limiter.take()).toBe(false);
    now += 100_000;
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, true, false]);
  });
});
