import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@/platform/config/app-config';
import { DEFAULT_JOB_OPTIONS, QUEUES } from './queues';

/**
 * Bull over Redis. Bull creates and owns its connections (client, subscriber, blocking
 * client) with the options each needs; jobs survive a Redis blip and resume.
 * Registering a queue here only makes it injectable (producer side); processors live in
 * the worker composition.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        redis: config.redis.url,
        prefix: `${config.redis.keyPrefix}bull`,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
        settings: {
          lockDuration: config.worker.lockDurationMs,
          lockRenewTime: Math.floor(config.worker.lockDurationMs / 2),
          stalledInterval: config.worker.stalledIntervalMs,
          maxStalledCount: 2,
        },
      }),
    }),
    BullModule.registerQueue(...Object.values(QUEUES).map((name) => ({ name }))),
  ],
  exports: [BullModule],
})
export class QueueModule {}
