import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { withTimeout } from '@/platform/async/with-timeout';
import { Redis, type RedisOptions } from 'ioredis';
import { AppConfig } from '@/platform/config/app-config';

/**
 * Connection roles, each with the options its use needs:
 * - `command`: request-path commands (cache, login limiter, health). No offline queue, one
 *   retry: while Redis is down calls fail fast instead of piling up (callers fail open).
 * - `throttler`: same rules as `command`, a separate connection so limiter traffic never
 *   queues behind cache traffic.
 * - `queue` / `queue-blocking`: Bull's clients (`maxRetriesPerRequest: null`, no ready
 *   check for blocking/subscriber clients) — they wait out an outage and resume.
 * - `pubsub`: Socket.IO adapter / emitter pub and sub clients; reconnect forever.
 */
export type RedisRole = 'command' | 'throttler' | 'queue' | 'queue-blocking' | 'pubsub';

@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly clients = new Set<Redis>();
  private shared?: Redis;

  constructor(private readonly config: AppConfig) {}

  /** Options for a role (also handed to libraries that own their client, e.g. Bull). */
  optionsFor(role: RedisRole): RedisOptions {
    const base: RedisOptions = {
      connectTimeout: 2_000,
      lazyConnect: false,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    };
    switch (role) {
      case 'command':
      case 'throttler':
        // auto-pipelining: commands issued in the same tick (concurrent requests) share one write
        return { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, enableAutoPipelining: true };
      case 'queue':
        return { ...base, maxRetriesPerRequest: null };
      case 'queue-blocking':
        return { ...base, maxRetriesPerRequest: null, enableReadyCheck: false };
      case 'pubsub':
        return { ...base, maxRetriesPerRequest: null, enableReadyCheck: true };
    }
  }

  /** A new connection for `role`; closed on shutdown. */
  create(role: RedisRole, name: string = role, extra: RedisOptions = {}): Redis {
    const client = new Redis(this.config.redis.url, {
      ...this.optionsFor(role),
      connectionName: `floyo-${name}`,
      ...extra,
    });
    let lastError = '';
    client.on('error', (err: Error) => {
      // ioredis retries by itself; log each distinct error once per outage, not per retry.
      if (err.message !== lastError) this.logger.warn(`redis (${name}): ${err.message}`);
      lastError = err.message;
    });
    client.on('ready', () => {
      if (lastError) this.logger.log(`redis (${name}): connection restored`);
      lastError = '';
    });
    this.clients.add(client);
    return client;
  }

  /**
   * Connects the shared client at boot, waiting at most briefly: Redis being down must
   * not block the boot (request-path users fail open), but when it is up the first
   * requests should find the connection ready.
   */
  async onModuleInit(): Promise<void> {
    await this.whenReady(this.client, 1_000);
  }

  /** Resolves true once `client` is ready, false after `timeoutMs`. */
  whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
    if (client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      client.once('ready', onReady);
    });
  }

  /** The shared request-path connection (role `command`). */
  get client(): Redis {
    this.shared ??= this.create('command', 'shared');
    return this.shared;
  }

  /** Namespaces a key with REDIS_KEY_PREFIX. */
  key(...parts: (string | number)[]): string {
    return this.config.redis.keyPrefix + parts.join(':');
  }

  /**
   * QUIT each connection that is up (flushing what it has in flight), but never wait on
   * one that is not: an offline client would queue QUIT until Redis returns.
   */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.clients].map(async (c) => {
        if (c.status !== 'ready') return c.disconnect();
        try {
          await withTimeout(c.quit(), 1_000, 'quit timeout');
        } catch {
          c.disconnect();
        }
      }),
    );
    this.clients.clear();
  }
}
