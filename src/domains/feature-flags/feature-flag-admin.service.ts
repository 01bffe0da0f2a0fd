import { ConflictException, Injectable, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { validationFailed } from '@/platform/http/pipes/validation.pipe';
import { isUniqueViolation } from '@/platform/database/pg-errors';
import type { CreateFeatureFlagDto, SetOverrideDto, UpdateFeatureFlagDto } from './dto/feature-flag.dto';
import { FeatureFlagOverride } from './entities/feature-flag-override.entity';
import { FeatureFlag } from './entities/feature-flag.entity';
import { FeatureFlagsService } from './feature-flags.service';
import { updateFlag } from './flag-store';
import { REQUIRED_FEATURE } from '@/platform/http/decorators/require-feature.decorator';

/** The kill switches seeded by migration (some guard routes of other processes, e.g. the worker). */
export const SEEDED_KILL_SWITCHES = [
  'enable_user_registration',
  'enable_file_uploads',
  'enable_suggestion_generation',
  'enable_workflow_execution',
];

const FLAG_NOT_FOUND = 'Feature flag not found';
const FLAG_EXISTS = 'Feature flag already exists';

const isForeignKeyViolation = (err: unknown) =>
  (err as { driverError?: { code?: string } })?.driverError?.code === '23503' || (err as { code?: string })?.code === '23503';

/**
 * Superuser management of flags and overrides. Every change commits with its audit row,
 * then drops the flag's cached snapshot so every replica sees it on its next request.
 */
@Injectable()
export class FeatureFlagAdminService implements OnApplicationBootstrap {
  private readonly killSwitches = new Set(SEEDED_KILL_SWITCHES);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly flags: FeatureFlagsService,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** Collects the flags routes use as kill switches (@RequireFeature), which may not be deleted. */
  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const proto = wrapper.instance ? (Object.getPrototypeOf(wrapper.instance) as Record<string, () => unknown>) : null;
      if (!proto) continue;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const flag = this.reflector.get<string | undefined>(REQUIRED_FEATURE, proto[name]);
        if (flag) this.killSwitches.add(flag);
      }
    }
  }

  async list(): Promise<{ flag: FeatureFlag; overrideCount: number }[]> {
    const flags = await this.dataSource.manager.find(FeatureFlag, { order: { name: 'ASC' } });
    const counts = (await this.dataSource.query(
      'SELECT flag_id, count(*)::int AS n FROM feature_flag_overrides GROUP BY flag_id',
    )) as { flag_id: string; n: number }[];
    const byFlag = new Map(counts.map((c) => [c.flag_id, c.n]));
    return flags.map((flag) => ({ flag, overrideCount: byFlag.get(flag.id) ?? 0 }));
  }

  async get(name: string): Promise<{ flag: FeatureFlag; overrides: FeatureFlagOverride[] }> {
    const flag = await this.find(this.dataSource.manager, name);
    const overrides = await this.dataSource.manager.find(FeatureFlagOverride, {
      where: { flagId: flag.id },
      order: { createdAt: 'ASC' },
    });
    return { flag, overrides };
  }

  async create(dto: CreateFeatureFlagDto, actor: AuditContext): Promise<FeatureFlag> {
    let flag: FeatureFlag;
    try {
      flag = await this.dataSource.transaction(async (em) => {
        if (await em.existsBy(FeatureFlag, { name: dto.name })) throw new ConflictException(FLAG_EXISTS);
        const created = await em.save(
          em.create(FeatureFlag, {
            name: dto.name,
            description: dto.description ?? null,
            enabled: dto.enabled ?? false,
            rolloutPercentage: dto.rollout_percentage ?? 100,
          }),
        );
        await this.record(em, actor, 'create', 'feature_flag', created.id, {
          name: created.name,
          enabled: created.enabled,
          rollout_percentage: created.rolloutPercentage,
        });
        return created;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_feature_flags_name')) throw new ConflictException(FLAG_EXISTS);
      throw err;
    }
    await this.flags.invalidate(flag.name);
    return flag;
  }

  async update(name: string, dto: UpdateFeatureFlagDto, actor: AuditContext): Promise<FeatureFlag> {
    const flag = await this.dataSource.transaction((em) =>
      updateFlag(
        em,
        this.audit,
        name,
        { description: dto.description, enabled: dto.enabled, rolloutPercentage: dto.rollout_percentage },
        actor,
      ),
    );
    if (!flag) throw new NotFoundException(FLAG_NOT_FOUND);
    await this.flags.invalidate(name);
    return flag;
  }

  async remove(name: string, actor: AuditContext): Promise<void> {
    if (this.killSwitches.has(name)) {
      throw new ConflictException('This flag is a kill switch used by the service; turn it off instead of deleting it');
    }
    await this.dataSource.transaction(async (em) => {
      const flag = await this.find(em, name);
      await em.delete(FeatureFlag, { id: flag.id });
      await this.record(em, actor, 'delete', 'feature_flag', flag.id, { name });
    });
    await this.flags.invalidate(name);
  }

  /** Creates or replaces the override of one user or one organization. */
  async setOverride(name: string, dto: SetOverrideDto, actor: AuditContext): Promise<FeatureFlagOverride> {
    if (dto.user_id && dto.organization_id) {
      throw validationFailed([
        { loc: ['body'], msg: 'Give exactly one of user_id and organization_id', type: 'value_error' },
      ]);
    }
    const subject = dto.user_id ? { column: 'user_id', id: dto.user_id } : { column: 'organization_id', id: dto.organization_id! };
    let override: FeatureFlagOverride;
    try {
      override = await this.dataSource.transaction(async (em) => {
        const flag = await this.find(em, name);
        const rows = (await em.query(
          `INSERT INTO feature_flag_overrides (flag_id, ${subject.column}, enabled)
           VALUES ($1, $2, $3)
           ON CONFLICT (flag_id, ${subject.column}) WHERE ${subject.column} IS NOT NULL
           DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()
           RETURNING id`,
          [flag.id, subject.id, dto.enabled],
        )) as { id: string }[];
        const saved = await em.findOneByOrFail(FeatureFlagOverride, { id: rows[0].id });
        await this.record(em, actor, 'set', 'feature_flag_override', saved.id, {
          name,
          [subject.column]: subject.id,
          enabled: dto.enabled,
        });
        return saved;
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw new NotFoundException(dto.user_id ? 'User not found' : 'Organization not found');
      }
      throw err;
    }
    await this.flags.invalidate(name);
    return override;
  }

  async removeOverride(name: string, overrideId: string, actor: AuditContext): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const flag = await this.find(em, name);
      const override = await em.findOneBy(FeatureFlagOverride, { id: overrideId, flagId: flag.id });
      if (!override) throw new NotFoundException('Override not found');
      await em.delete(FeatureFlagOverride, { id: override.id });
      await this.record(em, actor, 'delete', 'feature_flag_override', override.id, {
        name,
        user_id: override.userId,
        organization_id: override.organizationId,
        enabled: override.enabled,
      });
    });
    await this.flags.invalidate(name);
  }

  private async find(em: EntityManager, name: string): Promise<FeatureFlag> {
    const flag = await em.findOneBy(FeatureFlag, { name });
    if (!flag) throw new NotFoundException(FLAG_NOT_FOUND);
    return flag;
  }

  private record(
    em: EntityManager,
    actor: AuditContext,
    action: string,
    resourceType: string,
    resourceId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(em, { ...actor, action, resourceType, resourceId, details });
  }
}
