import { Module } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerOptions } from '@nestjs/throttler';
import { AppConfig } from '@/platform/config/app-config';
import { RedisService } from '@/platform/redis/redis.service';
import { ROUTE_LIMIT, type RouteLimitName, THROTTLERS } from './route-limit.decorator';
import { ShaThrottlerStorage } from './sha-throttler-storage';

const onlyRoutesTagged =
  (name: RouteLimitName) =>
  (ctx: ExecutionContext): boolean =>
    Reflect.getMetadata(ROUTE_LIMIT, ctx.getHandler()) !== name;

type ThrottlerName = (typeof THROTTLERS)[number];

function throttlerSettings(config: AppConfig): Record<ThrottlerName, Omit<ThrottlerOptions, 'name'>> {
  return {
    minute: { ttl: 60_000, limit: config.rateLimit.perMinute },
    hour: { ttl: 3_600_000, limit: config.rateLimit.perHour },
    auth: { ttl: 60_000, limit: config.rateLimit.authPerMinute, skipIf: onlyRoutesTagged('auth') },
    batch: { ttl: 60_000, limit: config.rateLimit.batchPerMinute, skipIf: onlyRoutesTagged('batch') },
    generate: { ttl: 3_600_000, limit: config.rateLimit.generatePerHour, skipIf: onlyRoutesTagged('generate') },
    data_delete: { ttl: 3_600_000, limit: config.rateLimit.dataDeletePerHour, skipIf: onlyRoutesTagged('data_delete') },
  };
}

/**
 * @nestjs/throttler with Redis storage (one atomic Lua script per hit, shared by every
 * replica). Its connection has no offline queue: while Redis is down a hit fails fast
 * and the guard fails open.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisService],
      useFactory: (config: AppConfig, redis: RedisService) => ({
        // one entry per name in THROTTLERS, so @NoRateLimit() skips exactly these
        throttlers: THROTTLERS.map((name) => ({ name, ...throttlerSettings(config)[name] })),
        // RedisService owns (and closes) this connection.
        // Auto-pipelining: the hits of one request (and of concurrent ones) go out in one write.
        storage: new ShaThrottlerStorage(
          redis.create('throttler', 'throttler', { keyPrefix: `${config.redis.keyPrefix}throttle:`, enableAutoPipelining: true }),
        ),
        errorMessage: 'Rate limit exceeded',
      }),
    }),
  ],
})
export class ThrottlingModule {}
