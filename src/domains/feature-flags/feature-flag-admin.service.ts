import { ConflictException, Injectable, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { validationFailed } from '@/platform/http/pipes/validation.pipe';
import { isUniqueViolation } from '@/platform/database/pg-errors';
import { Transactions } from '@/platform/database/transactions';
import type { CreateFeatureFlagDto, SetOverrideDto, UpdateFeatureFlagDto } from './dto/feature-flag.dto';
import type { FeatureFlagOverride } from './entities/feature-flag-override.entity';
import type { FeatureFlag } from './entities/feature-flag.entity';
import { FeatureFlagsRepository, type OverrideSubject } from './feature-flags.repository';
import { FeatureFlagsService } from './feature-flags.service';
import { updateFlag } from './flag-update';
import { REQUIRED_FEATURE } from '@/platform/http/decorators/require-feature.decorator';

/** The kill switches seeded by migration (some guard routes of other processes, e.g. the worker). */
const SEEDED_KILL_SWITCHES = [
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
    private readonly transactions: Transactions,
    private readonly repository: FeatureFlagsRepository,
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
    const flags = await this.repository.list();
    const byFlag = await this.repository.overrideCounts();
    return flags.map((flag) => ({ flag, overrideCount: byFlag.get(flag.id) ?? 0 }));
  }

  async get(name: string): Promise<{ flag: FeatureFlag; overrides: FeatureFlagOverride[] }> {
    const flag = await this.find(name);
    const overrides = await this.repository.overridesOf(flag.id);
    return { flag, overrides };
  }

  async create(dto: CreateFeatureFlagDto, actor: AuditContext): Promise<FeatureFlag> {
    let flag: FeatureFlag;
    try {
      flag = await this.transactions.run(async (tx) => {
        if (await this.repository.existsByName(dto.name, tx)) throw new ConflictException(FLAG_EXISTS);
        const created = await this.repository.insert(
          {
            name: dto.name,
            description: dto.description ?? null,
            enabled: dto.enabled ?? false,
            rolloutPercentage: dto.rollout_percentage ?? 100,
          },
          tx,
        );
        await this.record(tx, actor, 'create', 'feature_flag', created.id, {
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
    const flag = await this.transactions.run((tx) =>
      updateFlag(
        this.repository,
        this.audit,
        name,
        { description: dto.description, enabled: dto.enabled, rolloutPercentage: dto.rollout_percentage },
        actor,
        tx,
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
    await this.transactions.run(async (tx) => {
      const flag = await this.find(name, tx);
      await this.repository.delete(flag.id, tx);
      await this.record(tx, actor, 'delete', 'feature_flag', flag.id, { name });
    });
    await this.flags.invalidate(name);
  }

  /** Creates or replaces the override of one user or one organization. */
  async setOverride(name: string, dto: SetOverrideDto, actor: AuditContext): Promise<FeatureFlagOverride> {
    if (dto.user_id && dto.organization_id) {
      throw validationFailed([{ loc: ['body'], msg: 'Give exactly one of user_id and organization_id', type: 'value_error' }]);
    }
    const subject: OverrideSubject = dto.user_id
      ? { column: 'user_id', id: dto.user_id }
      : { column: 'organization_id', id: dto.organization_id! };
    let override: FeatureFlagOverride;
    try {
      override = await this.transactions.run(async (tx) => {
        const flag = await this.find(name, tx);
        const id = await this.repository.upsertOverride(flag.id, subject, dto.enabled, tx);
        const saved = await this.repository.getOverride(id, tx);
        await this.record(tx, actor, 'set', 'feature_flag_override', saved.id, {
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
    await this.transactions.run(async (tx) => {
      const flag = await this.find(name, tx);
      const override = await this.repository.findOverride(flag.id, overrideId, tx);
      if (!override) throw new NotFoundException('Override not found');
      await this.repository.deleteOverride(override.id, tx);
      await this.record(tx, actor, 'delete', 'feature_flag_override', override.id, {
        name,
        user_id: override.userId,
        organization_id: override.organizationId,
        enabled: override.enabled,
      });
    });
    await this.flags.invalidate(name);
  }

  private async find(name: string, tx?: EntityManager): Promise<FeatureFlag> {
    const flag = await this.repository.findByName(name, tx);
    if (!flag) throw new NotFoundException(FLAG_NOT_FOUND);
    return flag;
  }

  private record(
    tx: EntityManager,
    actor: AuditContext,
    action: string,
    resourceType: string,
    resourceId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(tx, { ...actor, action, resourceType, resourceId, details });
  }
}
