import { join } from 'node:path';
import type { DataSourceOptions, LoggerOptions } from 'typeorm';
import type { AppConfig } from '@/platform/config/app-config';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { TypeOrmLogger } from './typeorm-logger';

/**
 * Migrations live in the top-level `migrations/` folder: compiled to dist/migrations/*.js
 * for the built app, loaded as .ts when running under ts-node (the CLI in a checkout).
 */
const runningFromSource = __filename.endsWith('.ts');
export const MIGRATIONS_GLOB = runningFromSource
  ? join(__dirname, '..', '..', '..', 'migrations', '*.ts')
  : join(__dirname, '..', '..', 'migrations', '*.js');

export type DataSourcePurpose = 'app' | 'migrations';

const LOGGED: LoggerOptions = ['warn', 'migration'];

/**
 * The one DataSource factory: the Nest app, the boot migrator and the typeorm CLI all
 * build their connection from here, so they cannot drift.
 *
 * Nothing may hang forever: connect timeout, server-side statement_timeout and a
 * client-side query_timeout (for a server that stops answering) all come from config.
 */
export function buildDataSourceOptions(
  config: AppConfig,
  purpose: DataSourcePurpose = 'app',
  entities: NonNullable<DataSourceOptions['entities']> = [],
): DataSourceOptions {
  const forMigrations = purpose === 'migrations';
  const statementTimeout = forMigrations ? 0 : config.db.statementTimeoutMs;
  return {
    type: 'postgres',
    url: config.db.url,
    entities,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    // No 'error': failures surface as exceptions and are logged once, by the filter. Whatever
    // TypeORM does log (warnings, migrations, slow queries) goes out without parameters.
    logging: LOGGED,
    logger: new TypeOrmLogger(LOGGED),
    applicationName: forMigrations ? 'floyo-migrations' : `floyo-${config.env}`,
    connectTimeoutMS: config.db.connectTimeoutMs,
    extra: {
      max: forMigrations ? 2 : config.db.poolSize,
      connectionTimeoutMillis: config.db.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: statementTimeout || undefined,
      // client side, for a server that stops answering (the server-side timeout fires first otherwise)
      query_timeout: statementTimeout ? statementTimeout + 250 : undefined,
      lock_timeout: forMigrations ? 60_000 : undefined,
      keepAlive: true,
    },
  };
}
