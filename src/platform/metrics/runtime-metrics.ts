import { getQueueToken } from '@nestjs/bull';
import { withTimeout } from '@/platform/async/with-timeout';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bull';
import { Gauge } from 'prom-client';
import { DbCircuitBreaker } from '@/platform/database/db-circuit-breaker';
import { PoolStatsService } from '@/platform/database/pool-stats.service';
import { QUEUES } from '@/platform/queue/queues';
import { RedisService } from '@/platform/redis/redis.service';
import { MetricsService } from './metrics.service';

const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2, disabled: -1 } as const;
const QUEUE_COUNT_TIMEOUT_MS = 500;

/**
 * Gauges read at scrape time from the components that own the state: the pg pool, the
 * database breaker, the Redis connection and the queues. Nothing is polled between
 * scrapes; a slow or absent dependency never blocks the scrape for long.
 */
@Injectable()
export class RuntimeMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly pool: PoolStatsService,
    private readonly breaker: DbCircuitBreaker,
    private readonly redis: RedisService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const pool = this.pool;
    new Gauge({
      name: 'floyo_db_pool_connections',
      help: 'pg pool connections by state (total, idle, waiting requests, max)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const s = pool.stats();
        this.set({ state: 'total' }, s.total);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
        this.set({ state: 'max' }, s.max);
      },
    });
    const breaker = this.breaker;
    new Gauge({
      name: 'floyo_db_breaker_state',
      help: 'Database circuit breaker: 0 closed, 1 half-open, 2 open, -1 disabled',
      registers,
      collect() {
        this.set(BREAKER_VALUE[breaker.state]);
      },
    });
    const redis = this.redis;
    new Gauge({
      name: 'floyo_redis_up',
      help: '1 when the request-path Redis connection is ready',
      registers,
      collect() {
        this.set(redis.client.status === 'ready' ? 1 : 0);
      },
    });
    const queues = Object.values(QUEUES).map((name) => ({
      name,
      queue: this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }),
    }));
    new Gauge({
      name: 'floyo_queue_jobs',
      help: 'Jobs per queue and state (waiting, active, delayed, failed); absent when Redis does not answer',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(async ({ name, queue }) => {
            const counts = await withTimeout(queue.getJobCounts(), QUEUE_COUNT_TIMEOUT_MS).catch(() => null);
            if (!counts) return;
            for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.set({ queue: name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
  }
}
