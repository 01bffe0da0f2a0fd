/**
 * Concurrent calls for one key share one run of the work: when a memo expires under load,
 * hundreds of requests become one query instead of a queue on the pool.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const pending = this.running.get(key);
    if (pending) return pending;
    const started = work().finally(() => {
      if (this.running.get(key) === started) this.running.delete(key);
    });
    this.running.set(key, started);
    return started;
  }

  /** Calls from now on for the matching keys start afresh (callers already waiting keep their run). */
  forget(matches: (key: string) => boolean): void {
    for (const key of this.running.keys()) if (matches(key)) this.running.delete(key);
  }
}
