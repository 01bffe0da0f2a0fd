import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@/platform/config/app-config';
import { buildDataSourceOptions, MIGRATIONS_GLOB } from './data-source.options';
import { FloyoDataSource } from './floyo-data-source';

export class PendingMigrationsError extends Error {
  constructor(readonly pending: string[]) {
    super(
      `Database schema is not up to date: ${pending.length} pending migration(s): ${pending.join(', ')}. ` +
        'Run `npm run migration:run` (or the migrate job), or set MIGRATIONS_RUN_ON_BOOT=true.',
    );
    this.name = 'PendingMigrationsError';
  }
}

/**
 * At boot (API and worker): in development/test — or with MIGRATIONS_RUN_ON_BOOT=true —
 * applies pending migrations under the advisory lock; otherwise refuses to start while
 * any migration is pending. Uses its own short-lived connection without statement timeout.
 */
@Injectable()
export class SchemaMigrator implements OnModuleInit {
  private readonly logger = new Logger(SchemaMigrator.name);

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.ensureUpToDate();
  }

  async ensureUpToDate(): Promise<void> {
    const ds = new FloyoDataSource(buildDataSourceOptions(this.config, 'migrations'));
    await ds.initialize();
    try {
      // An image built without its migrations would otherwise look "up to date".
      if (ds.migrations.length === 0) {
        throw new Error(`no migrations found (${MIGRATIONS_GLOB}): the build is incomplete, run \`npm run build\``);
      }
      if (this.config.db.migrationsRunOnBoot) {
        const ran = await ds.runMigrations({ transaction: 'each' });
        if (ran.length) this.logger.log(`Applied ${ran.length} migration(s): ${ran.map((m) => m.name).join(', ')}`);
        return;
      }
      const { pending } = await ds.migrationStatus();
      if (pending.length) throw new PendingMigrationsError(pending);
    } finally {
      await ds.destroy();
    }
  }
}
