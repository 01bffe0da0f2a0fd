import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { AppConfig } from '@/platform/config/app-config';
import { buildDataSourceOptions } from './data-source.options';
import { DbCircuitBreaker } from './db-circuit-breaker';
import { FloyoDataSource } from './floyo-data-source';
import { PoolStatsService } from './pool-stats.service';
import { SchemaMigrator } from './schema-migrator';
import { Sql } from './sql';
import { Transactions } from './transactions';
import { DatabaseRepository } from './database.repository';
import { ListPageRepository } from './list-page.repository';

const poolLogger = new Logger('PgPool');

/**
 * PostgreSQL for both processes: the TypeORM DataSource (from the one options factory, with
 * the entities the composition root hands over), the boot migrator, the circuit breaker,
 * pool metrics and `Sql`.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(entities: NonNullable<DataSourceOptions['entities']>): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            ...buildDataSourceOptions(config, 'app', entities),
            // An idle client dying (PostgreSQL restarting) must never crash the process (pg#1707).
            poolErrorHandler: (err: Error) => poolLogger.warn(`idle PostgreSQL client error: ${err.message}`),
            retryAttempts: config.db.connectRetries,
            retryDelay: 1_000,
            toRetry: () => true,
          }),
          dataSourceFactory: async (options) => new FloyoDataSource(options as DataSourceOptions).initialize(),
        }),
      ],
      providers: [PoolStatsService, SchemaMigrator, DbCircuitBreaker, Sql, Transactions, DatabaseRepository, ListPageRepository],
      exports: [PoolStatsService, SchemaMigrator, DbCircuitBreaker, Sql, Transactions, DatabaseRepository, ListPageRepository],
    };
  }
}
