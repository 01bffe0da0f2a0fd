import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { Redis } from 'ioredis';

type HitReply = [number, number, number, number];
type WithHit = Redis & {
  throttlerHit(hitKey: string, blockKey: string, name: string, ttl: number, limit: number, block: number): Promise<HitReply>;
};

/**
 * The library's storage (same atomic Lua script, same keys), but the script is
 * registered once and called with EVALSHA — the library sends its whole source with
 * EVAL on every hit (bench/HISTORY.md, "Whole-service performance").
 */
export class ShaThrottlerStorage extends ThrottlerStorageRedisService {
  private readonly client: WithHit;

  constructor(redis: Redis) {
    super(redis);
    redis.defineCommand('throttlerHit', { numberOfKeys: 2, lua: this.scriptSrc });
    this.client = redis as WithHit;
  }

  override async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = await this.client.throttlerHit(
      `{${key}:${throttlerName}}:hits`,
      `{${key}:${throttlerName}}:blocked`,
      throttlerName,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits,
      timeToExpire: Math.ceil(timeToExpire / 1000),
      isBlocked: isBlocked === 1,
      timeToBlockExpire: Math.ceil(timeToBlockExpire / 1000),
    };
  }
}
