import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '@/platform/config/app-config';
import type { ListResult } from '@/platform/http/list-page';
import { RedisService } from '@/platform/redis/redis.service';
import { MemoryCacheStore } from './memory-cache.store';
import { SingleFlight } from '@/platform/async/single-flight';
import { OccasionalWarning } from '@/platform/logging/occasional-warning';

/** A list page as the JSON text of its envelope (sent as it is) and whether its total is capped. */
export interface JsonPage {
  json: string;
  totalCapped: boolean;
}

/** Stored page = one flag character (capped or exact total) + the envelope's JSON. */
const CAPPED = 'C';
const EXACT = 'E';

/** What a cached list belongs to; one generation per user covers all of them. */
export type CacheScope = 'events' | 'patterns' | 'suggestions';

/** Generation and epoch keys outlive every entry (CACHE_TTL_SECONDS ≤ 1 day). */
const GENERATION_TTL_SECONDS = 7 * 86_400;

/**
 * Reads the global epoch and the user's generation (creating either from the server clock
 * when missing, so a key that was evicted or expired can never match entries written
 * before) and the entry stored under them, in one round trip.
 * KEYS[1] generation key, KEYS[2] epoch key; ARGV[1] entry key prefix; ARGV[2] entry
 * suffix; ARGV[3] key TTL.
 */
const READ_SCRIPT = `
local function current(key)
  local v = redis.call('GET', key)
  if not v then
    local t = redis.call('TIME')
    v = t[1] .. string.format('%06d', tonumber(t[2]))
    redis.call('SET', key, v, 'EX', ARGV[3])
  end
  return v
end
local version = current(KEYS[2]) .. '.' .. current(KEYS[1])
return {version, redis.call('GET', ARGV[1] .. version .. ':' .. ARGV[2])}`;

/** INCR a generation (or the epoch): O(1) invalidation of every page that used it. */
const BUMP_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
  redis.call('EXPIRE', KEYS[1], ARGV[1])
else
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], t[1] .. string.format('%06d', tonumber(t[2])), 'EX', ARGV[1])
end
return 1`;

interface CacheCommands {
  cacheRead(genKey: string, epochKey: string, entryPrefix: string, suffix: string, ttl: number): Promise<[string, string | null]>;
  cacheBump(key: string, ttl: number): Promise<number>;
}

/** Pages larger than this (JSON characters) are served but not cached. */
const MAX_ENTRY_CHARS = 512 * 1024;

/** While an invalidation is owed, the epoch bump is retried this often. */
const FLUSH_RETRY_MS = 1_000;

/**
 * Per-user response cache for list endpoints.
 *
 * Entries live under `cache:{<userId>}:<epoch>.<generation>:<scope>:<sha1(query)>`; any
 * write by the user INCRs the user's generation after its transaction commits, so the
 * very next list call misses and reads the database. Nothing is ever scanned or deleted:
 * stale entries simply expire (CACHE_TTL_SECONDS).
 *
 * Fails open: its own connection has no offline queue and a short command timeout
 * (CACHE_TIMEOUT_MS), so while Redis is down or slow lists are served uncached, without
 * errors or stalls. An invalidation that could not be written is owed: this process
 * stops reading the cache and, as soon as Redis answers again, INCRs the global epoch
 * (every cached page of every user becomes stale in O(1)) before serving from it again.
 * Only in development does an in-process store stand in for an unreachable Redis.
 */
@Injectable()
export class ResponseCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ResponseCache.name);
  private readonly warning = new OccasionalWarning(this.logger);
  private readonly memory?: MemoryCacheStore;
  private connection?: Redis & CacheCommands;
  private owesFlush = false;
  private retryTimer?: NodeJS.Timeout;
  /** Pages being computed after a miss, per entry key: concurrent misses share one computation. */
  private readonly computing = new SingleFlight<string>();
  readonly counters = { hits: 0, misses: 0, errors: 0, bypassed: 0 };

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {
    if (config.isDevelopment) this.memory = new MemoryCacheStore();
  }

  /** Connects at boot; waits briefly only when Redis is up (the shared client got ready). */
  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (this.redis.client.status === 'ready') await this.redis.whenReady(client, 1_000);
  }

  onApplicationShutdown(): void {
    clearInterval(this.retryTimer);
  }

  private get client(): Redis & CacheCommands {
    if (!this.connection) {
      const client = this.redis.create('command', 'cache', { commandTimeout: this.config.cache.timeoutMs });
      client.defineCommand('cacheRead', { numberOfKeys: 2, lua: READ_SCRIPT });
      client.defineCommand('cacheBump', { numberOfKeys: 1, lua: BUMP_SCRIPT });
      // First command on a restored connection: pay what is owed before anything is read.
      client.on('ready', () => void this.flushOwed());
      this.connection = client as Redis & CacheCommands;
    }
    return this.connection;
  }

  /**
   * A list page for (user, scope, query) as JSON text: from the cache as stored — sent to
   * the client as it is, never parsed and serialised again — or computed, serialised
   * once, stored and returned.
   */
  async listPage<T>(userId: string, scope: CacheScope, query: unknown, compute: () => Promise<ListResult<T>>): Promise<JsonPage> {
    const encode = async () => {
      const result = await compute();
      return (result.totalCapped ? CAPPED : EXACT) + JSON.stringify(result.page);
    };
    if (!this.config.cache.enabled) {
      this.counters.bypassed++;
      return decode(await encode());
    }
    // `p2`: the format of the stored text; entries of another format never match.
    const suffix = `${scope}:p2:${createHash('sha1').update(JSON.stringify(query)).digest('hex')}`;
    const cached = await this.read(userId, suffix);
    if (cached.value !== null && (cached.value.startsWith(CAPPED) || cached.value.startsWith(EXACT))) {
      this.counters.hits++;
      return decode(cached.value);
    }
    if (!cached.store) {
      this.counters.bypassed++;
      return decode(await encode());
    }
    this.counters.misses++;
    // The entry key names the generation: a write by the user moves on to a new key, so a
    // computation is only ever shared by requests that would all have read the same rows.
    const store = cached.store;
    const text = await this.computing.run(this.entryKey(userId, cached.generation, suffix), async () => {
      const computed = await encode();
      this.write(store, userId, cached.generation, suffix, computed);
      return computed;
    });
    return decode(text);
  }

  /** Makes every cached list of the user stale (call after the write has committed). */
  async invalidate(userId: string): Promise<void> {
    this.memory?.bump(userId);
    try {
      await this.client.cacheBump(this.generationKey(userId), GENERATION_TTL_SECONDS);
    } catch (err) {
      this.warn('invalidate', err);
      this.owe();
    }
  }

  private owe(): void {
    this.owesFlush = true;
    this.retryTimer ??= setInterval(() => void this.flushOwed(), FLUSH_RETRY_MS).unref();
  }

  private async flushOwed(): Promise<void> {
    if (!this.owesFlush) return;
    try {
      await this.client.cacheBump(this.epochKey(), GENERATION_TTL_SECONDS);
      this.owesFlush = false;
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
      this.logger.log('response cache reachable again: all cached pages invalidated');
    } catch {
      // still unreachable: the timer tries again
    }
  }

  private async read(
    userId: string,
    suffix: string,
  ): Promise<{ value: string | null; generation: string; store: 'redis' | 'memory' | null }> {
    // While an invalidation is owed, what Redis holds may be stale: not read at all.
    if (!this.owesFlush) {
      try {
        const [generation, value] = await this.client.cacheRead(
          this.generationKey(userId),
          this.epochKey(),
          this.entryPrefix(userId),
          suffix,
          GENERATION_TTL_SECONDS,
        );
        return { value, generation, store: 'redis' };
      } catch (err) {
        this.warn('read', err);
      }
    }
    if (!this.memory) return { value: null, generation: '', store: null };
    const generation = String(this.memory.generation(userId));
    return { value: this.memory.get(this.entryKey(userId, generation, suffix)), generation, store: 'memory' };
  }

  private write(store: 'redis' | 'memory', userId: string, generation: string, suffix: string, json: string): void {
    if (json.length > MAX_ENTRY_CHARS) return; // a page of huge details: not worth the memory
    const key = this.entryKey(userId, generation, suffix);
    const ttl = this.config.cache.ttlSeconds;
    if (store === 'memory') {
      this.memory?.set(key, json, ttl);
      return;
    }
    // Not awaited: the response does not wait for the cache. A write racing with an
    // invalidation lands under the old generation, which nobody reads any more.
    this.client.set(key, json, 'EX', ttl).catch((err: unknown) => this.warn('write', err));
  }

  private generationKey(userId: string): string {
    return this.redis.key('cache', `{${userId}}`, 'g');
  }

  private epochKey(): string {
    return this.redis.key('cache', 'epoch');
  }

  /** The `{userId}` hash tag keeps a user's keys in one cluster slot. */
  private entryPrefix(userId: string): string {
    return `${this.redis.key('cache', `{${userId}}`)}:`;
  }

  private entryKey(userId: string, generation: string, suffix: string): string {
    return `${this.entryPrefix(userId)}${generation}:${suffix}`;
  }

  private warn(op: string, err: unknown): void {
    this.counters.errors++;
    this.warning.warn(`response cache unavailable (${op}), serving uncached: ${(err as Error).message}`);
  }
}

const decode = (text: string): JsonPage => ({ json: text.slice(1), totalCapped: text.startsWith(CAPPED) });
