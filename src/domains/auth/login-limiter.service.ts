import { Injectable, Logger } from '@nestjs/common';
import { tooManyRequests } from '@/platform/http/http-errors';
import { AppConfig } from '@/platform/config/app-config';
import { RedisService } from '@/platform/redis/redis.service';
import { OccasionalWarning } from '@/platform/logging/occasional-warning';

/** What a failure counter counts, and how the 429 names it. */
interface Counter {
  key: string;
  max: number;
  /** "… failed login attempts <scope>." */
  scope: string;
}

/**
 * Counts failed logins in Redis (shared by all replicas), each within
 * LOGIN_FAILURE_WINDOW_MINUTES of its first failure:
 *
 * - per account from one client address (LOGIN_MAX_FAILURES): the brute-force limit. It
 *   refuses only that address, so wrong passwords sent from one place cannot lock the
 *   account's owner out everywhere else;
 * - per client address across accounts (LOGIN_MAX_FAILURES_PER_IP): password spraying;
 * - per account across all addresses (LOGIN_MAX_FAILURES_PER_ACCOUNT, much higher):
 *   guessing spread over many addresses.
 *
 * Past a limit, attempts get 429 with `Retry-After` and a `detail` saying when to retry —
 * the same for existing and unknown emails. A success clears only its own account-and-
 * address count. Fails open (with a warning) if Redis is down.
 */
@Injectable()
export class LoginLimiterService {
  private readonly warning = new OccasionalWarning(new Logger(LoginLimiterService.name));

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  private counters(accountKey: string, ip: string | null): Counter[] {
    const { loginMaxFailures, loginMaxFailuresPerIp, loginMaxFailuresPerAccount } = this.config.auth;
    const address = ip ?? 'unknown';
    return [
      {
        key: this.redis.key('login-fail', 'pair', accountKey, address),
        max: loginMaxFailures,
        scope: 'for this account from your address',
      },
      { key: this.redis.key('login-fail', 'ip', address), max: loginMaxFailuresPerIp, scope: 'from your address' },
      { key: this.redis.key('login-fail', 'account', accountKey), max: loginMaxFailuresPerAccount, scope: 'for this account' },
    ];
  }

  async assertAllowed(accountKey: string, ip: string | null): Promise<void> {
    const counters = this.counters(accountKey, ip);
    let results: [Error | null, unknown][] | null;
    try {
      const pipe = this.redis.client.pipeline();
      for (const { key } of counters) pipe.get(key).pttl(key);
      results = await pipe.exec();
    } catch (err) {
      return this.failOpen(err);
    }
    let blocked: { scope: string; retryAfterMs: number } | null = null;
    for (const [i, { max, scope }] of counters.entries()) {
      const count = Number(results?.[i * 2]?.[1] ?? 0);
      const ttl = Number(results?.[i * 2 + 1]?.[1] ?? 0);
      const retryAfterMs = ttl > 0 ? ttl : 1000;
      if (count >= max && (!blocked || retryAfterMs > blocked.retryAfterMs)) blocked = { scope, retryAfterMs };
    }
    if (blocked) {
      const seconds = Math.ceil(blocked.retryAfterMs / 1000);
      const at = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      throw tooManyRequests(`Too many failed login attempts ${blocked.scope}. Try again in ${seconds} seconds (at ${at}).`, seconds);
    }
  }

  async recordFailure(accountKey: string, ip: string | null): Promise<void> {
    const window = this.config.auth.loginFailureWindowSeconds;
    try {
      const pipe = this.redis.client.pipeline();
      for (const { key } of this.counters(accountKey, ip)) pipe.incr(key).expire(key, window, 'NX');
      await pipe.exec();
    } catch (err) {
      this.failOpen(err);
    }
  }

  /**
   * The right password from this address: its own count for the account starts over. The
   * address's and the account's totals stay, or one success would reset an attack.
   */
  async recordSuccess(accountKey: string, ip: string | null): Promise<void> {
    try {
      await this.redis.client.del(this.counters(accountKey, ip)[0].key);
    } catch (err) {
      this.failOpen(err);
    }
  }

  private failOpen(err: unknown): void {
    this.warning.warn(`login limiter unavailable, failing open: ${(err as Error).message}`);
  }
}
