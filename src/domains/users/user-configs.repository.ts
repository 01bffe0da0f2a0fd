import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { DEFAULT_USER_CONFIG } from './default-config';
import { UserConfig } from './entities/user-config.entity';

/** A partial config change: lists replace the stored ones, objects are merged key by key. */
export interface UserConfigChanges {
  monitoredDirectories?: string[];
  excludePatterns?: string[];
  trackingConfig?: object;
  suggestionsConfig?: object;
  privacyConfig?: object;
}

/** Statements on the user_configs table. */
@Injectable()
export class UserConfigsRepository {
  constructor(
    @InjectRepository(UserConfig) private readonly configs: Repository<UserConfig>,
    private readonly sql: Sql,
  ) {}

  find(userId: string): Promise<UserConfig | null> {
    return this.configs.findOneBy({ userId });
  }

  findOrFail(userId: string): Promise<UserConfig> {
    return this.configs.findOneByOrFail({ userId });
  }

  /** The default config of a new user, inside the transaction creating them. */
  async insertDefaults(userId: string, tx: EntityManager): Promise<void> {
    await tx.insert(UserConfig, { userId, ...DEFAULT_USER_CONFIG });
  }

  /** The default config, unless the user has one already (a concurrent insert wins). */
  async insertDefaultsIfMissing(userId: string): Promise<void> {
    await this.configs
      .createQueryBuilder()
      .insert()
      .values({ userId, ...DEFAULT_USER_CONFIG })
      .orIgnore()
      .execute();
  }

  /** Partial update in one statement. */
  async update(userId: string, changes: UserConfigChanges): Promise<void> {
    const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
    await this.sql.run(
      `UPDATE user_configs SET
          monitored_directories = coalesce($2::jsonb, monitored_directories),
          exclude_patterns = coalesce($3::jsonb, exclude_patterns),
          tracking_config = tracking_config || coalesce($4::jsonb, '{}'),
          suggestions_config = suggestions_config || coalesce($5::jsonb, '{}'),
          privacy_config = privacy_config || coalesce($6::jsonb, '{}'),
          updated_at = now()
        WHERE user_id = $1`,
      [
        userId,
        json(changes.monitoredDirectories),
        json(changes.excludePatterns),
        json(changes.trackingConfig),
        json(changes.suggestionsConfig),
        json(changes.privacyConfig),
      ],
    );
  }
}
