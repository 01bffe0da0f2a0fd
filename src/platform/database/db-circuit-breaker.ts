import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, circuitBreaker, handleWhen, SamplingBreaker } from 'cockatiel';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@/platform/config/app-config';
import { isDatabaseUnavailable } from './pg-errors';

/** Raised instead of touching the database while the breaker is open (→ 503 + Retry-After). */
export class DatabaseCircuitOpenError extends Error {
  readonly code = 'DB_CIRCUIT_OPEN';

  constructor(readonly retryAfterSeconds: number) {
    super('Database circuit breaker is open');
    this.name = 'DatabaseCircuitOpenError';
  }
}

export type BreakerState = 'closed' | 'open' | 'half_open' | 'disabled';

type ConnectCallback = (err: Error | undefined, client?: PoolClient, release?: (err?: Error | boolean) => void) => void;
const WRAPPED = Symbol('floyo.breakerWrapped');

/**
 * A circuit breaker (cockatiel) around all database work of this process: acquiring a
 * pool connection and every query on it. Connection errors and timeouts count as
 * failures; ordinary query errors (unique violations, …) do not. Past the failure ratio
 * within the window the circuit opens: database work fails at once with
 * DatabaseCircuitOpenError (a 503 with Retry-After) instead of waiting for timeouts,
 * while routes that need no database keep working. After the cooldown one probe is let
 * through (half-open); its success closes the circuit again by itself.
 */
@Injectable()
export class DbCircuitBreaker implements OnModuleInit {
  private readonly logger = new Logger('DbCircuitBreaker');
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;
  private readonly listeners: ((state: BreakerState) => void)[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    const { failureRatio, windowMs, minimumRps, cooldownMs } = config.db.breaker;
    this.policy = circuitBreaker(handleWhen(isDatabaseUnavailable), {
      halfOpenAfter: cooldownMs,
      breaker: new SamplingBreaker({ threshold: failureRatio, duration: windowMs, minimumRps }),
    });
    this.policy.onStateChange((state) => {
      const name = toName(state);
      if (state === CircuitState.Open) {
        this.openedAt = Date.now();
        this.logger.error(`database circuit OPEN: failing fast for ${cooldownMs} ms`);
      } else if (state === CircuitState.HalfOpen) {
        this.logger.warn('database circuit HALF-OPEN: probing');
      } else if (state === CircuitState.Closed) {
        this.logger.log('database circuit CLOSED: database work resumed');
      }
      for (const l of this.listeners) l(name);
    });
  }

  get state(): BreakerState {
    return this.config.db.breaker.enabled ? toName(this.policy.state) : 'disabled';
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  onModuleInit(): void {
    if (!this.config.db.breaker.enabled) return;
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    if (pool) this.install(pool);
  }

  /** Runs `fn` through the breaker. */
  execute<T>(fn: () => Promise<T>): Promise<T> {
    return this.policy.execute(fn).catch((err: unknown) => {
      if (err instanceof BrokenCircuitError) throw new DatabaseCircuitOpenError(this.retryAfterSeconds());
      throw err;
    });
  }

  private retryAfterSeconds(): number {
    const left = this.openedAt + this.config.db.breaker.cooldownMs - Date.now();
    return Math.max(1, Math.ceil(left / 1000));
  }

  /** Routes pool.connect (callback or promise style) and every promise query through the breaker. */
  private install(pool: Pool): void {
    const connect = pool.connect.bind(pool) as (cb?: ConnectCallback) => Promise<PoolClient> | void;
    const acquire = () =>
      this.execute(
        () =>
          new Promise<[PoolClient, (err?: Error | boolean) => void]>((ok, fail) =>
            connect((err, client, release) => (err ? fail(err) : ok([this.wrapClient(client!), release!]))),
          ),
      );
    (pool as unknown as { connect: unknown }).connect = (cb?: ConnectCallback) => {
      if (typeof cb !== 'function') return acquire().then(([client]) => client);
      acquire().then(
        ([client, release]) => cb(undefined, client, release),
        (err: Error) => cb(err),
      );
      return undefined;
    };
  }

  private wrapClient(client: PoolClient): PoolClient {
    const marked = client as PoolClient & { [WRAPPED]?: true };
    if (marked[WRAPPED]) return client;
    marked[WRAPPED] = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      // streams and callback-style queries go straight through (the connection was guarded)
      const first = args[0] as { submit?: unknown } | undefined;
      if (typeof args[args.length - 1] === 'function' || typeof first?.submit === 'function') return query(...args);
      return this.execute(() => query(...args) as Promise<unknown>);
    };
    return client;
  }
}

function toName(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'open';
    case CircuitState.HalfOpen:
      return 'half_open';
    default:
      return 'closed';
  }
}
