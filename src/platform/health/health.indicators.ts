import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '@/platform/config/app-config';
import { DatabaseRepository } from '@/platform/database/database.repository';
import { DbCircuitBreaker } from '@/platform/database/db-circuit-breaker';
import { PoolStatsService } from '@/platform/database/pool-stats.service';
import { RealtimeService } from '@/platform/realtime/realtime.service';
import { RedisService } from '@/platform/redis/redis.service';

/** Pool usage at or above this share of max is reported as a warning (plan 2.6). */
const POOL_WARNING_RATIO = 0.9;

/**
 * Readiness indicators. Every check is bounded by HEALTH_CHECK_TIMEOUT_MS and reports
 * `down` through terminus's attempt API (which really fails the overall status).
 */
@Injectable()
export class HealthIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly db: DatabaseRepository,
    private readonly redis: RedisService,
    private readonly pool: PoolStatsService,
    private readonly config: AppConfig,
    private readonly realtime: RealtimeService,
    private readonly breaker: DbCircuitBreaker,
  ) {}

  private get timeout(): number {
    return this.config.healthCheckTimeoutMs;
  }

  database() {
    return this.health
      .check('database')
      .attempt(async () => {
        await this.db.ping();
      })
      .withTimeout(this.timeout);
  }

  redisPing() {
    return this.health
      .check('redis')
      .attempt(async () => {
        // a connection that is (re)connecting gets the rest of the check's time to come up
        await this.redis.whenReady(this.redis.client, this.timeout);
        const pong = await this.redis.client.ping();
        if (pong !== 'PONG') throw new Error(`unexpected reply ${pong}`);
      })
      .withTimeout(this.timeout);
  }

  databasePool() {
    const s = this.pool.stats();
    const data = { total: s.total, idle: s.idle, waiting: s.waiting, max: s.max, usage: Number(s.usage.toFixed(2)) };
    const session = this.health.check('database_pool');
    return s.usage >= POOL_WARNING_RATIO
      ? session.degraded({ ...data, message: `pool ${Math.round(s.usage * 100)}% checked out` })
      : session.up(data);
  }

  /** The database circuit breaker: open (failing fast) means not ready. */
  databaseBreaker() {
    const state = this.breaker.state;
    const session = this.health.check('breaker');
    return state === 'open' ? session.down({ state, message: 'database circuit breaker is open' }) : session.up({ state });
  }

  /** The Socket.IO Redis adapter's pub/sub: without it this replica would run single-instance. */
  realtimeAdapter() {
    const connected = this.realtime.adapterConnected;
    const session = this.health.check('realtime');
    if (!connected) return session.up({ adapter: 'none' });
    return connected() ? session.up({ adapter: 'redis' }) : session.down({ adapter: 'redis', message: 'adapter pub/sub not connected' });
  }

  migrations() {
    return this.health
      .check('migrations')
      .attempt(async () => {
        const { pending } = await this.db.migrationStatus();
        if (pending.length) throw new Error(`pending: ${pending.join(', ')}`);
        return { pending: 0 };
      })
      .withTimeout(this.timeout)
      .cacheFor(5_000);
  }
}
