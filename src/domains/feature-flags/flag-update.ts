import type { EntityManager } from 'typeorm';
import type { AuditService } from '@/domains/audit';
import type { FeatureFlag } from './entities/feature-flag.entity';
import type { FeatureFlagsRepository } from './feature-flags.repository';

/**
 * The audited update of a flag, shared by the admin API and the operators' CLI (which runs
 * without Nest).
 */

export interface FlagChanges {
  description?: string | null;
  enabled?: boolean;
  rolloutPercentage?: number;
}

/** Who changed a flag (an operator's CLI has no user: actorId null, `via: "cli"` in details). */
export interface FlagActor {
  actorId: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

const auditedFields = (f: FeatureFlag) => ({
  description: f.description,
  enabled: f.enabled,
  rollout_percentage: f.rolloutPercentage,
});

/**
 * Applies `changes` to the flag (row locked) and records the audit row in the same
 * transaction `tx`. Returns null for an unknown flag. The caller invalidates the cache after commit.
 */
export async function updateFlag(
  flags: FeatureFlagsRepository,
  audit: AuditService,
  name: string,
  changes: FlagChanges,
  actor: FlagActor,
  tx: EntityManager,
): Promise<FeatureFlag | null> {
  const flag = await flags.lockByName(name, tx);
  if (!flag) return null;
  const before = auditedFields(flag);
  if (changes.description !== undefined) flag.description = changes.description;
  if (changes.enabled !== undefined) flag.enabled = changes.enabled;
  if (changes.rolloutPercentage !== undefined) flag.rolloutPercentage = changes.rolloutPercentage;
  const saved = await flags.save(flag, tx);
  await audit.record(tx, {
    actorId: actor.actorId,
    action: 'update',
    resourceType: 'feature_flag',
    resourceId: saved.id,
    ip: actor.ip,
    userAgent: actor.userAgent,
    details: { name, before, after: auditedFields(saved), ...actor.details },
  });
  return saved;
}
