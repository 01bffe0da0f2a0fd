/**
 * A token bucket per socket: `capacity` messages, refilled evenly over `windowMs`.
 * `take()` is false when the socket is over its budget.
 */
export class MessageLimiter {
  private tokens: number;
  private last: number;
  /** Consecutive refusals; the gateway disconnects a socket that keeps going. */
  strikes = 0;

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / this.windowMs) * this.capacity);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.strikes = 0;
      return true;
    }
    this.strikes++;
    return false;
  }
}
