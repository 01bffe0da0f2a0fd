import type { EntityManager } from 'typeorm';
import type { AuditService } from '@/domains/audit';
import { FeatureFlag } from './entities/feature-flag.entity';
import { type FlagSnapshot, missingFlag } from './flag-evaluation';

/**
 * What the API's services and the operators' CLI (which runs without Nest) share: the
 * cache keys, loading a flag's snapshot, and the audited update of a flag.
 */

/** Redis key of a flag's cached snapshot (`<REDIS_KEY_PREFIX>ff:flag:<name>`). */
export const flagCacheKey = (prefix: string, name: string) => `${prefix}ff:flag:${name}`;
/** Redis key of a user's cached organization ids (needed only for flags with org overrides). */
export const memberOrgsCacheKey = (prefix: string, userId: string) => `${prefix}ff:orgs:${userId}`;

interface SnapshotRow {
  enabled: boolean;
  rollout_percentage: number;
  user_id: string | null;
  organization_id: string | null;
  override_enabled: boolean | null;
}

/** The flag and all its overrides, in one query. */
export async function loadFlagSnapshot(em: EntityManager, name: string): Promise<FlagSnapshot> {
  const rows = (await em.query(
    `SELECT f.enabled, f.rollout_percentage, o.user_id, o.organization_id, o.enabled AS override_enabled
       FROM feature_flags f
       LEFT JOIN feature_flag_overrides o ON o.flag_id = f.id
      WHERE f.name = $1`,
    [name],
  )) as SnapshotRow[];
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
 * transaction. Returns null for an unknown flag. The caller invalidates the cache after commit.
 */
export async function updateFlag(
  em: EntityManager,
  audit: AuditService,
  name: string,
  changes: FlagChanges,
  actor: FlagActor,
): Promise<FeatureFlag | null> {
  const flag = await em.findOne(FeatureFlag, { where: { name }, lock: { mode: 'pessimistic_write' } });
  if (!flag) return null;
  const before = auditedFields(flag);
  if (changes.description !== undefined) flag.description = changes.description;
  if (changes.enabled !== undefined) flag.enabled = changes.enabled;
  if (changes.rolloutPercentage !== undefined) flag.rolloutPercentage = changes.rolloutPercentage;
  const saved = await em.save(flag);
  await audit.record(em, {
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
