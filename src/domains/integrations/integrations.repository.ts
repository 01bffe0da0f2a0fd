import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, type Repository } from 'typeorm';
import { type IntegrationStatus, UserIntegration } from './entities/user-integration.entity';

/** The columns of a new integration. */
export type NewIntegration = Pick<
  UserIntegration,
  'id' | 'userId' | 'organizationId' | 'connectorId' | 'name' | 'config' | 'encryptedSecrets'
>;

/** Statements on the integrations domain's table user_integrations. */
@Injectable()
export class IntegrationsRepository {
  constructor(@InjectRepository(UserIntegration) private readonly integrations: Repository<UserIntegration>) {}

  /** Who owns the integration, and its organization (the org permission guard's loader). */
  async ownerOf(id: string): Promise<{ ownerId: string; organizationId: string | null } | null> {
    const row = await this.integrations.findOne({
      where: { id },
      select: { id: true, userId: true, organizationId: true },
    });
    return row ? { ownerId: row.userId, organizationId: row.organizationId } : null;
  }

  insert(values: NewIntegration, tx: EntityManager): Promise<UserIntegration> {
    return tx.save(tx.create(UserIntegration, values));
  }

  /** Personal integrations (no organization) of the user, or all of an organization's; newest first. */
  list(userId: string, organizationId: string | null): Promise<UserIntegration[]> {
    return this.integrations.find({
      where: organizationId ? { organizationId } : { userId, organizationId: IsNull() },
      order: { createdAt: 'DESC' },
    });
  }

  findById(id: string): Promise<UserIntegration | null> {
    return this.integrations.findOneBy({ id });
  }

  /** The integration, its row locked for update until `tx` ends. */
  lockById(id: string, tx: EntityManager): Promise<UserIntegration | null> {
    return tx.findOne(UserIntegration, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  save(row: UserIntegration, tx: EntityManager): Promise<UserIntegration> {
    return tx.save(row);
  }

  async delete(id: string, tx: EntityManager): Promise<void> {
    await tx.delete(UserIntegration, { id });
  }

  /**
   * Records a provider's verdict: `status` and `last_error`, `last_sync_at` on success, and
   * `last_used_at` for an action. Returns the row as it is now when its status or error
   * changed (null when they did not, or the row is gone).
   */
  async recordHealth(
    id: string,
    verdict: { ok: true; used: boolean } | { ok: false; status: IntegrationStatus | null; error: string },
  ): Promise<Pick<UserIntegration, 'id' | 'userId' | 'organizationId' | 'status' | 'lastError' | 'lastSyncAt'> | null> {
    const before = await this.integrations.findOne({ where: { id }, select: { id: true, status: true, lastError: true } });
    if (!before) return null;
    const now = new Date();
    const patch: Partial<Pick<UserIntegration, 'status' | 'lastError' | 'lastSyncAt' | 'lastUsedAt'>> = verdict.ok
      ? { status: 'active', lastError: null, lastSyncAt: now, ...(verdict.used ? { lastUsedAt: now } : {}) }
      : { lastError: verdict.error, ...(verdict.status ? { status: verdict.status } : {}) };
    await this.integrations.update({ id }, patch);
    const after = await this.integrations.findOne({
      where: { id },
      select: { id: true, userId: true, organizationId: true, status: true, lastError: true, lastSyncAt: true },
    });
    return after && (after.status !== before.status || after.lastError !== before.lastError) ? after : null;
  }
}
