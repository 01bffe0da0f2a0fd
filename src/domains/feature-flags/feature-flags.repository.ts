import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { FeatureFlagOverride } from './entities/feature-flag-override.entity';
import { FeatureFlag } from './entities/feature-flag.entity';
import { type FlagSnapshot, missingFlag } from './flag-evaluation';

interface SnapshotRow {
  enabled: boolean;
  rollout_percentage: number;
  user_id: string | null;
  organization_id: string | null;
  override_enabled: boolean | null;
}

/** One line of the operators' listing: a flag with its number of overrides. */
export interface FlagSummary {
  name: string;
  enabled: boolean;
  rollout_percentage: number;
  overrides: number;
  description: string;
}

/** The subject an override is for: exactly one user or one organization. */
export type OverrideSubject = { column: 'user_id'; id: string } | { column: 'organization_id'; id: string };

/**
 * Statements on the feature-flags domain's tables: feature_flags and
 * feature_flag_overrides. Also used without Nest by the operators' CLI
 * (`new FeatureFlagsRepository(new Sql(dataSource), dataSource)`).
 */
@Injectable()
export class FeatureFlagsRepository {
  constructor(
    private readonly sql: Sql,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** The flag and all its overrides, in one query. */
  async snapshot(name: string): Promise<FlagSnapshot> {
    const { rows } = await this.sql.run<SnapshotRow>(
      `SELECT f.enabled, f.rollout_percentage, o.user_id, o.organization_id, o.enabled AS override_enabled
         FROM feature_flags f
         LEFT JOIN feature_flag_overrides o ON o.flag_id = f.id
        WHERE f.name = $1`,
      [name],
    );
    if (!rows.length) return missingFlag(name);
    const snapshot: FlagSnapshot = {
      name,
      exists: true,
      enabled: rows[0].enabled,
      rolloutPercentage: rows[0].rollout_percentage,
      users: {},
      orgs: {},
    };
    for (const r of rows) {
      if (r.override_enabled === null) continue;
      if (r.user_id) snapshot.users[r.user_id] = r.override_enabled;
      else if (r.organization_id) snapshot.orgs[r.organization_id] = r.override_enabled;
    }
    return snapshot;
  }

  /** Every flag, by name. */
  list(): Promise<FeatureFlag[]> {
    return this.dataSource.manager.find(FeatureFlag, { order: { name: 'ASC' } });
  }

  /** The names of every flag, in order. */
  async names(): Promise<string[]> {
    const flags = await this.dataSource.manager.find(FeatureFlag, { select: { name: true }, order: { name: 'ASC' } });
    return flags.map((f) => f.name);
  }

  /** How many overrides each flag has (flags without any are absent). */
  async overrideCounts(): Promise<Map<string, number>> {
    const { rows } = await this.sql.run<{ flag_id: string; n: number }>(
      'SELECT flag_id, count(*)::int AS n FROM feature_flag_overrides GROUP BY flag_id',
    );
    return new Map(rows.map((c) => [c.flag_id, c.n]));
  }

  /** Every flag with its state and number of overrides, by name (the operators' CLI). */
  async summaries(): Promise<FlagSummary[]> {
    const { rows } = await this.sql.run<FlagSummary>(
      `SELECT f.name, f.enabled, f.rollout_percentage, count(o.id)::int AS overrides, coalesce(f.description, '') AS description
         FROM feature_flags f LEFT JOIN feature_flag_overrides o ON o.flag_id = f.id
        GROUP BY f.id ORDER BY f.name`,
    );
    return rows;
  }

  findByName(name: string, tx?: EntityManager): Promise<FeatureFlag | null> {
    return (tx ?? this.dataSource.manager).findOneBy(FeatureFlag, { name });
  }

  /** The flag, its row locked for update until `tx` ends. */
  lockByName(name: string, tx: EntityManager): Promise<FeatureFlag | null> {
    return tx.findOne(FeatureFlag, { where: { name }, lock: { mode: 'pessimistic_write' } });
  }

  existsByName(name: string, tx: EntityManager): Promise<boolean> {
    return tx.existsBy(FeatureFlag, { name });
  }

  insert(values: Pick<FeatureFlag, 'name' | 'description' | 'enabled' | 'rolloutPercentage'>, tx: EntityManager): Promise<FeatureFlag> {
    return tx.save(tx.create(FeatureFlag, values));
  }

  save(flag: FeatureFlag, tx: EntityManager): Promise<FeatureFlag> {
    return tx.save(flag);
  }

  async delete(id: string, tx: EntityManager): Promise<void> {
    await tx.delete(FeatureFlag, { id });
  }

  /** The flag's overrides, oldest first. */
  overridesOf(flagId: string): Promise<FeatureFlagOverride[]> {
    return this.dataSource.manager.find(FeatureFlagOverride, {
      where: { flagId },
      order: { createdAt: 'ASC' },
    });
  }

  /** Creates or replaces the override of `subject`; returns its id. */
  async upsertOverride(flagId: string, subject: OverrideSubject, enabled: boolean, tx: EntityManager): Promise<string> {
    const { rows } = await this.sql.run<{ id: string }>(
      `INSERT INTO feature_flag_overrides (flag_id, ${subject.column}, enabled)
       VALUES ($1, $2, $3)
       ON CONFLICT (flag_id, ${subject.column}) WHERE ${subject.column} IS NOT NULL
       DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()
       RETURNING id`,
      [flagId, subject.id, enabled],
      tx,
    );
    return rows[0].id;
  }

  getOverride(id: string, tx: EntityManager): Promise<FeatureFlagOverride> {
    return tx.findOneByOrFail(FeatureFlagOverride, { id });
  }

  /** The override `id` of the flag, if it is one of its overrides. */
  findOverride(flagId: string, id: string, tx: EntityManager): Promise<FeatureFlagOverride | null> {
    return tx.findOneBy(FeatureFlagOverride, { id, flagId });
  }

  async deleteOverride(id: string, tx: EntityManager): Promise<void> {
    await tx.delete(FeatureFlagOverride, { id });
  }
}
