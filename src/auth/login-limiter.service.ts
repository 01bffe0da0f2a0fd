import { Injectable, Logger } from '@nestjs/common';
import { tooManyRequests } from '../common/http/http-errors';
import { AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import { OccasionalWarning } from '../common/logging/occasional-warning';

/**
 * Counts failed logins per account and per client IP in Redis (shared by all replicas).
 * Past LOGIN_MAX_FAILURES within the window, further attempts get 429 + Retry-After —
 * the same for existing and unknown emails. Fails open (with a warning) if Redis is down.
 */
@Injectable()
export class LoginLimiterService {
  private readonly warning = new OccasionalWarning(new Logger(LoginLimiterService.name));

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  private keys(accountKey: string, ip: string | null): string[] {
    return [this.redis.key('login-fail', 'acct', accountKey), this.redis.key('login-fail', 'ip', ip ?? 'unknown')];
  }

  async assertAllowed(accountKey: string, ip: string | null): Promise<void> {
    const keys = this.keys(accountKey, ip);
    let results: [Error | null, unknown][] | null;
    try {
      const pipe = this.redis.client.pipeline();
      for (const k of keys) pipe.get(k).pttl(k);
      results = await pipe.exec();
    } catch (err) {
      return this.failOpen(err);
    }
    const max = this.config.auth.loginMaxFailures;
    let retryAfterMs = 0;
    for (let i = 0; i < keys.length; i++) {
      const count = Number(results?.[i * 2]?.[1] ?? 0);
      const ttl = Number(results?.[i * 2 + 1]?.[1] ?? 0);
      if (count >= max) retryAfterMs = Math.max(retryAfterMs, ttl > 0 ? ttl : 1000);
    }
    if (retryAfterMs > 0) {
      const seconds = Math.ceil(retryAfterMs / 1000);
      throw tooManyRequests(`Too many failed login attempts. Try again in ${seconds} seconds.`, seconds);
    }
  }

  async recordFailure(accountKey: string, ip: string | null): Promise<void> {
    const window = this.config.auth.loginFailureWindowSeconds;
    try {
      const pipe = this.redis.client.pipeline();
      for (const k of this.keys(accountKey, ip)) pipe.incr(k).expire(k, window, 'NX');
      await pipe.exec();
    } catch (err) {
      this.failOpen(err);
    }
  }

  async recordSuccess(accountKey: string): Promise<void> {
    try {
      await this.redis.client.del(this.keys(accountKey, null)[0]);
    } catch (err) {
      this.failOpen(err);
    }
  }

  private failOpen(err: unknown): void {
    this.warning.warn(`login limiter unavailable, failing open: ${(err as Error).message}`);
  }
}
