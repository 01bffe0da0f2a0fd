import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SingleFlight } from '@/platform/async/single-flight';
import { AppConfig } from '@/platform/config/app-config';
import { isDatabaseUnavailable } from '@/platform/database/pg-errors';
import { RedisService } from '@/platform/redis/redis.service';
import { type AuthPrincipalRow, SessionsRepository } from './sessions.repository';

const PRINCIPAL_STALE_MS = 60_000;
const PRINCIPAL_MEMO_SIZE = 10_000;

/** Channel (under REDIS_KEY_PREFIX) on which a replica tells the others which principals to forget. */
const FORGET_CHANNEL = 'auth:forget';

/**
 * Who a token's user and session are, on every request: one indexed query, remembered for
 * AUTH_PRINCIPAL_CACHE_MS, shared by concurrent requests of one token, and forgotten on
 * every replica the moment a session is revoked (announced over Redis).
 */
@Injectable()
export class PrincipalsService implements OnModuleInit {
  private readonly logger = new Logger(PrincipalsService.name);
  /** Last principal seen per token (insertion-ordered, bounded): the fast path, and the fallback during a database outage. */
  private readonly lastPrincipals = new Map<string, { row: AuthPrincipalRow; at: number }>();
  /** Sessions forgotten recently (id → until): never served from memory, never remembered meanwhile. */
  private readonly forgotten = new Map<string, number>();
  /** Principal lookups in flight per token: concurrent requests of one token share one query. */
  private readonly loading = new SingleFlight<AuthPrincipalRow | null>();

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {}

  /**
   * Listens for the sessions other replicas revoked (their principals leave this replica's
   * memory: the short cache and the outage fallback). Never awaited: with Redis down the
   * subscription waits (and ioredis re-subscribes after every reconnect) while the boot
   * goes on.
   */
  onModuleInit(): void {
    const sub = this.redis.create('pubsub', 'auth-forget');
    sub.on('message', (_channel: string, message: string) => {
      for (const id of message.split(',')) this.forgetLocally(id);
    });
    sub
      .subscribe(this.redis.key(FORGET_CHANNEL))
      .catch((err: Error) => this.logger.warn(`cannot subscribe to session revocations: ${err.message}`));
  }

  /**
   * The auth guard's per-request check: user active and session live, in one query.
   * While the database is unreachable (or its breaker open), the last answer seen for the
   * same token within PRINCIPAL_STALE_MS is reused, so reads served from the cache keep
   * working through a database blip; no revocation can happen meanwhile, and one made
   * before it removed that answer (forgetSessions).
   */
  async principal(userId: string, sessionId: string): Promise<AuthPrincipalRow | null> {
    const key = `${userId}:${sessionId}`;
    const now = Date.now();
    const known = this.lastPrincipals.get(key);
    if (known && now - known.at < this.config.auth.principalCacheMs && !this.isForgotten(sessionId, now)) return known.row;
    if (!this.config.auth.principalCacheMs) return this.loadPrincipal(key, userId, sessionId);
    // One query per token however many of its requests arrive meanwhile (when the memory
    // expires under load, hundreds would otherwise queue for the pool at once).
    return this.loading.run(key, () => this.loadPrincipal(key, userId, sessionId));
  }

  private async loadPrincipal(key: string, userId: string, sessionId: string): Promise<AuthPrincipalRow | null> {
    try {
      const row = await this.sessions.principal(userId, sessionId);
      this.remember(key, sessionId, row);
      return row;
    } catch (err) {
      const known = this.lastPrincipals.get(key);
      if (isDatabaseUnavailable(err) && known && Date.now() - known.at < PRINCIPAL_STALE_MS) return known.row;
      throw err;
    }
  }

  /**
   * The sessions were revoked (call right after the UPDATE, and it is fine before its
   * commit): this replica stops serving them from memory at once, the others as soon as
   * Redis delivers the message. For AUTH_PRINCIPAL_CACHE_MS they are always re-read, so a
   * request racing the commit cannot put the old answer back. Their last answers are
   * dropped too, so a database outage right after cannot bring them back either.
   */
  forgetSessions(sessionIds: string[]): void {
    if (!sessionIds.length) return;
    for (const id of sessionIds) this.forgetLocally(id);
    this.redis.client.publish(this.redis.key(FORGET_CHANNEL), sessionIds.join(',')).catch((err: Error) => {
      // the other replicas forget them within AUTH_PRINCIPAL_CACHE_MS anyway
      this.logger.warn(`cannot announce revoked sessions: ${err.message}`);
    });
  }

  private forgetLocally(sessionId: string): void {
    const now = Date.now();
    this.forgotten.set(sessionId, now + this.config.auth.principalCacheMs);
    // a lookup that started before the revocation is not shared with requests after it,
    // and the last answer is no outage fallback any more
    const ofSession = (key: string) => key.endsWith(`:${sessionId}`);
    this.loading.forget(ofSession);
    for (const key of this.lastPrincipals.keys()) if (ofSession(key)) this.lastPrincipals.delete(key);
    for (const [id, until] of this.forgotten) if (until < now) this.forgotten.delete(id);
  }

  private isForgotten(sessionId: string, now: number): boolean {
    const until = this.forgotten.get(sessionId);
    return until !== undefined && until >= now;
  }

  private remember(key: string, sessionId: string, row: AuthPrincipalRow | null): void {
    this.lastPrincipals.delete(key);
    if (!row || this.isForgotten(sessionId, Date.now())) return;
    this.lastPrincipals.set(key, { row, at: Date.now() });
    if (this.lastPrincipals.size > PRINCIPAL_MEMO_SIZE) this.lastPrincipals.delete(this.lastPrincipals.keys().next().value!);
  }
}
