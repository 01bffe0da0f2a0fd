import { DataSource, type DataSourceOptions, type Migration } from 'typeorm';
import { withAdvisoryLock } from './advisory-lock';
import { TypeOrmLogger } from './typeorm-logger';

const MIGRATION_LOCK = 'floyo:migrations';

/**
 * A DataSource whose migration commands take a Postgres advisory lock first. The typeorm
 * CLI, the deploy job and boot-time migration all go through it, so concurrent runs from
 * several replicas serialise instead of racing (typeorm#4588): the second one waits, then
 * finds nothing pending.
 */
export class FloyoDataSource extends DataSource {
  /**
   * TypeORM keeps a logger instance whatever `logging` a later setOptions asks for (its CLI
   * commands ask for schema and query lines): hand the new levels to our logger instead.
   */
  override setOptions(options: Partial<DataSourceOptions>): this {
    super.setOptions(options);
    if (options.logging !== undefined && this.logger instanceof TypeOrmLogger) this.logger.setLevels(options.logging);
    return this;
  }

  override runMigrations(options?: Parameters<DataSource['runMigrations']>[0]): Promise<Migration[]> {
    return withAdvisoryLock(this, MIGRATION_LOCK, () => super.runMigrations(options));
  }

  override undoLastMigration(options?: Parameters<DataSource['undoLastMigration']>[0]): Promise<void> {
    return withAdvisoryLock(this, MIGRATION_LOCK, () => super.undoLastMigration(options));
  }

  /** Names of migrations that exist in code but are not applied, and of those applied. */
  async migrationStatus(): Promise<{ applied: string[]; pending: string[] }> {
    const applied = await this.appliedMigrationNames();
    const known = this.migrations.map((m) => m.name ?? m.constructor.name);
    const appliedSet = new Set(applied);
    return { applied, pending: known.filter((n) => !appliedSet.has(n)) };
  }

  private async appliedMigrationNames(): Promise<string[]> {
    const table = this.options.migrationsTableName ?? 'migrations';
    const exists = (await this.query(`SELECT to_regclass($1) AS t`, [table])) as { t: string | null }[];
    if (!exists[0]?.t) return [];
    const rows = (await this.query(`SELECT name FROM "${table}" ORDER BY "timestamp", id`)) as { name: string }[];
    return rows.map((r) => r.name);
  }
}
