import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { AppConfig } from '@/platform/config/app-config';
import { buildDataSourceOptions } from './data-source.options';
import { DbCircuitBreaker } from './db-circuit-breaker.service';
import { FloyoDataSource } from './floyo-data-source';
import { PoolStatsService } from './pool-stats.service';
import { SchemaMigrator } from './schema-migrator.service';
import { Sql } from './sql.service';

const poolLogger = new Logger('PgPool');

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config, 'app'),
        // An idle client dying (PostgreSQL restarting) must never crash the process (pg#1707).
        poolErrorHandler: (err: Error) => poolLogger.warn(`idle PostgreSQL client error: ${err.message}`),
        retryAttempts: config.db.connectRetries,
        retryDelay: 1_000,
        toRetry: () => true,
      }),
      dataSourceFactory: async (options) => new FloyoDataSource(options as DataSourceOptions).initialize(),
    }),
  ],
  providers: [PoolStatsService, SchemaMigrator, DbCircuitBreaker, Sql],
  exports: [PoolStatsService, SchemaMigrator, DbCircuitBreaker, Sql],
})
export class DatabaseModule {}
