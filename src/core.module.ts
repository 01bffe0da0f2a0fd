import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ErrorsModule } from './common/errors/errors.module';
import { loggerParams } from './common/logging/logger.config';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { RedisModule } from './redis/redis.module';

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
