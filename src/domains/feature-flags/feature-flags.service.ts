import { Injectable, Logger } from '@nestjs/common';
import type { DomainEvents } from '@/platform/event-bus/domain-events';
import { OnDomainEvent } from '@/platform/event-bus/event-bus';
import { AppConfig } from '@/platform/config/app-config';
import { OrgAccessService } from '@/domains/organizations';
import { RedisService } from '@/platform/redis/redis.service';
import { evaluateFlag, type FlagSnapshot, type FlagSubject, hasOrgOverrides } from './flag-evaluation';
import { flagCacheKey, memberOrgsCacheKey } from './flag-cache-keys';
import { FeatureFlagsRepository } from './feature-flags.repository';
import { SingleFlight } from '@/platform/async/single-flight';
import { OccasionalWarning } from '@/platform/logging/occasional-warning';

interface Memo<T> {
  value: T;
  expiresAt: number;
}

export interface IsEnabledOptions {
  /** The answer for a flag that does not exist (default false; kill switches use true). */
  whenMissing?: boolean;
}

/**
 * Evaluates feature flags. The hot path is Redis only: a flag's snapshot (row + overrides)
 * is cached under `ff:flag:<name>` for FEATURE_FLAG_CACHE_TTL_SECONDS and deleted on every
 * change (API or CLI), so a change applies at once and a missed invalidation within one TTL.
 * A user's organization ids are cached the same way, and read only for flags that have
 * organization overrides.
 *
 * Redis down: fail open to PostgreSQL (the source of truth) with an in-process copy kept
 * for one TTL, so an outage costs at most one query per flag per TTL per process. Both
 * down: the last value this process saw, if any.
 */
@Injectable()
export class FeatureFlagsService {
  private readonly warning = new OccasionalWarning(new Logger('FeatureFlags'));
  private readonly local = new Map<string, Memo<FlagSnapshot>>();
  private readonly loading = new SingleFlight<FlagSnapshot>();
  /** Invalidations per flag: a load that saw another count read before the change. */
  private readonly changes = new Map<string, number>();

  constructor(
    private readonly repository: FeatureFlagsRepository,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    private readonly access: OrgAccessService,
  ) {}

  private get ttlSeconds(): number {
    return this.config.featureFlags.cacheTtlSeconds;
  }

  async isEnabled(name: string, subject: FlagSubject = {}, options: IsEnabledOptions = {}): Promise<boolean> {
    const snapshot = await this.snapshot(name);
    if (!snapshot.exists) return options.whenMissing ?? false;
    const userId = subject.userId ?? null;
    let organizationIds = subject.organizationIds;
    if (!organizationIds && userId && !(userId in snapshot.users) && hasOrgOverrides(snapshot)) {
      organizationIds = await this.organizationIdsOf(userId);
    }
    return evaluateFlag(snapshot, { userId, organizationIds });
  }

  /** The flag's snapshot: Redis, else PostgreSQL (then cached). */
  async snapshot(name: string): Promise<FlagSnapshot> {
    const key = flagCacheKey(this.config.redis.keyPrefix, name);
    let cached: string | null;
    try {
      cached = await this.redis.client.get(key);
    } catch (err) {
      return this.whileRedisIsDown(name, err);
    }
    if (cached) return JSON.parse(cached) as FlagSnapshot;
    const snapshot = await this.load(name);
    // load() keeps only a snapshot that is still current; one read before an invalidation
    // is answered but cached nowhere
    if (this.local.get(name)?.value === snapshot) {
      this.redis.client.set(key, JSON.stringify(snapshot), 'EX', this.ttlSeconds).catch((err: Error) => this.warn(err));
    }
    return snapshot;
  }

  /**
   * Drops a flag's cached snapshot (call after the change committed). A load already in
   * flight read the old state: here it is neither shared with later callers nor cached;
   * on another replica it may still write the old snapshot to Redis after this delete, so
   * the key is deleted again once any such load must have ended (connect + statement
   * timeouts).
   */
  async invalidate(name: string): Promise<void> {
    this.changes.set(name, (this.changes.get(name) ?? 0) + 1);
    this.loading.forget((key) => key === name);
    this.local.delete(name);
    const key = flagCacheKey(this.config.redis.keyPrefix, name);
    const again = setTimeout(
      () => this.redis.client.del(key).catch((err: Error) => this.warn(err)),
      this.config.db.connectTimeoutMs + this.config.db.statementTimeoutMs,
    );
    again.unref();
    try {
      await this.redis.client.del(key);
    } catch (err) {
      this.warn(err, `could not invalidate flag "${name}"; it takes effect within ${this.ttlSeconds} s`);
    }
  }

  /** Drops the cached organization ids of users whose memberships changed. */
  /** Memberships changed: the users' cached organization lists are dropped (flags follow at once). */
  @OnDomainEvent('organization.membership.changed')
  async onMembershipChanged({ userIds }: DomainEvents['organization.membership.changed']): Promise<void> {
    await this.forgetMemberships(userIds);
  }

  async forgetMemberships(userIds: readonly string[]): Promise<void> {
    if (!userIds.length) return;
    try {
      await this.redis.client.del(...userIds.map((id) => memberOrgsCacheKey(this.config.redis.keyPrefix, id)));
    } catch (err) {
      this.warn(err);
    }
  }

  private async organizationIdsOf(userId: string): Promise<string[]> {
    const key = memberOrgsCacheKey(this.config.redis.keyPrefix, userId);
    try {
      const cached = await this.redis.client.get(key);
      if (cached) return JSON.parse(cached) as string[];
    } catch (err) {
      this.warn(err);
      return this.access.organizationIdsOf(userId);
    }
    const ids = await this.access.organizationIdsOf(userId);
    this.redis.client.set(key, JSON.stringify(ids), 'EX', this.ttlSeconds).catch((err: Error) => this.warn(err));
    return ids;
  }

  private async whileRedisIsDown(name: string, err: unknown): Promise<FlagSnapshot> {
    this.warn(err);
    const memo = this.local.get(name);
    if (memo && memo.expiresAt > Date.now()) return memo.value;
    try {
      return await this.load(name);
    } catch (dbErr) {
      if (memo) return memo.value;
      throw dbErr;
    }
  }

  /** One database read per flag at a time in this process, however many requests miss. */
  private load(name: string): Promise<FlagSnapshot> {
    return this.loading.run(name, async () => {
      const change = this.changes.get(name);
      const snapshot = await this.repository.snapshot(name);
      if (this.changes.get(name) === change) this.local.set(name, { value: snapshot, expiresAt: Date.now() + this.ttlSeconds * 1000 });
      return snapshot;
    });
  }

  private warn(err: unknown, message = 'feature-flag cache unavailable, reading PostgreSQL'): void {
    this.warning.warn(`${message}: ${(err as Error)?.message ?? String(err)}`);
  }
}
