import { createHash } from 'node:crypto';

/**
 * Everything needed to evaluate one flag for any subject, as cached in Redis: the flag
 * row and its overrides (user id / organization id → forced value).
 */
export interface FlagSnapshot {
  name: string;
  exists: boolean;
  enabled: boolean;
  rolloutPercentage: number;
  users: Record<string, boolean>;
  orgs: Record<string, boolean>;
}

/** Who a flag is evaluated for. No user and no organization = a global evaluation. */
export interface FlagSubject {
  userId?: string | null;
  /** The subject's organizations; when omitted for a user, the user's memberships are used. */
  organizationIds?: readonly string[];
}

export const missingFlag = (name: string): FlagSnapshot => ({
  name,
  exists: false,
  enabled: false,
  rolloutPercentage: 0,
  users: {},
  orgs: {},
});

/**
 * The subject's stable bucket (0–99) for a flag: SHA-256 of `<flag>:<subject id>`. Stable
 * across processes and releases; different flags bucket the same subject independently.
 */
export function rolloutBucket(flagName: string, subjectId: string): number {
  return createHash('sha256').update(`${flagName}:${subjectId}`).digest().readUInt32BE(0) % 100;
}

/** True when the flag has organization overrides that could apply (so memberships matter). */
export const hasOrgOverrides = (snapshot: FlagSnapshot) => Object.keys(snapshot.orgs).length > 0;

/**
 * The rule: a user override wins; else an override of one of the subject's organizations
 * (if those disagree, `off` wins — the conservative answer for a kill switch); else the
 * flag is on when `enabled` and the subject's bucket is below `rollout_percentage`.
 * Without any subject id there is no bucket, so only a fully rolled-out flag is on.
 */
export function evaluateFlag(snapshot: FlagSnapshot, subject: FlagSubject = {}): boolean {
  if (!snapshot.exists) return false;
  const userId = subject.userId ?? null;
  if (userId && userId in snapshot.users) return snapshot.users[userId];
  const orgValues = (subject.organizationIds ?? []).filter((id) => id in snapshot.orgs).map((id) => snapshot.orgs[id]);
  if (orgValues.length) return orgValues.every(Boolean);
  if (!snapshot.enabled) return false;
  if (snapshot.rolloutPercentage >= 100) return true;
  if (snapshot.rolloutPercentage <= 0) return false;
  const bucketId = userId ?? subject.organizationIds?.[0];
  if (!bucketId) return false;
  return rolloutBucket(snapshot.name, bucketId) < snapshot.rolloutPercentage;
}

/** `enable_user_registration` → `User registration` (the 503 message names the feature). */
export function featureLabel(flagName: string): string {
  const words = flagName
    .replace(/^enable_/, '')
    .replace(/_/g, ' ')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
