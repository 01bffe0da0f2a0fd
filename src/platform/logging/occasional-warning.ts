import type { LoggerService } from '@nestjs/common';

/**
 * A warning about a condition that repeats for as long as it lasts (a dependency down, a
 * fail-open path taken on every request): logged at most once per interval, so an outage
 * shows in the logs without flooding them. Counters (metrics) carry the exact numbers.
 */
export class OccasionalWarning {
  private last = 0;

  constructor(
    private readonly logger: Pick<LoggerService, 'warn'>,
    private readonly intervalMs = 60_000,
  ) {}

  warn(message: string): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    this.logger.warn(message);
  }
}
