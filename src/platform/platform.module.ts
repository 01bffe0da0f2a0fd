import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ErrorsModule } from '@/platform/errors/errors.module';
import { loggerParams } from '@/platform/logging/logger.config';
import { AppConfig } from '@/platform/config/app-config';
import { AppConfigModule } from '@/platform/config/config.module';
import { DatabaseModule } from '@/platform/database/database.module';
import { MailModule } from '@/platform/mail/mail.module';
import { MetricsModule } from '@/platform/metrics/metrics.module';
import { QueueModule } from '@/platform/queue/queue.module';
import { RedisModule } from '@/platform/redis/redis.module';

/** Infrastructure both processes share: config, logs, PostgreSQL, Redis, queues, mail, metrics. */
@Module({
  imports: [
    AppConfigModule,
    LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerParams }),
    DatabaseModule,
    RedisModule,
    QueueModule,
    MailModule,
    MetricsModule,
    ErrorsModule,
  ],
})
export class CoreModule {}
