import { type DynamicModule, Module } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import { LoggerModule } from 'nestjs-pino';
import { ErrorsModule } from '@/platform/errors/errors.module';
import { EventBusModule } from '@/platform/event-bus/event-bus';
import { loggerParams } from '@/platform/logging/logger.config';
import { AppConfig } from '@/platform/config/app-config';
import { AppConfigModule } from '@/platform/config/app-config.module';
import { DatabaseModule } from '@/platform/database/database.module';
import { MailModule } from '@/platform/mail/mail.module';
import { MetricsModule } from '@/platform/metrics/metrics.module';
import { OutboundHttpModule } from '@/platform/http/outbound/outbound-http.module';
import { QueueModule } from '@/platform/queue/queue.module';
import { RedisModule } from '@/platform/redis/redis.module';

/**
 * Infrastructure both processes share: config, logs, PostgreSQL, Redis, queues, mail,
 * metrics, error reporting, the SSRF-guarded outbound HTTP client. The composition roots hand over the schema's entities.
 */
@Module({})
export class PlatformModule {
  static forRoot(entities: NonNullable<DataSourceOptions['entities']>): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        AppConfigModule,
        LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerParams }),
        DatabaseModule.forRoot(entities),
        RedisModule,
        QueueModule,
        MailModule,
        MetricsModule,
        ErrorsModule,
        EventBusModule,
        OutboundHttpModule,
      ],
    };
  }
}
