import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, type Repository } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { type IntegrationStatus, UserIntegration } from './entities/user-integration.entity';

/** The columns of a new integration. */
export type NewIntegration = Pick<
  UserIntegration,
  'id' | 'userId' | 'organizationId' | 'connectorId' | 'name' | 'config' | 'encryptedSecrets'
>;

/** Statements on the integrations domain's table user_integrations. */
@Injectable()
export class IntegrationsRepository {
  constructor(
    @InjectRepository(UserIntegration) private readonly integrations: Repository<UserIntegration>,
    private readonly sql: Sql,
  ) {}

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
    // one statement: the row as it was (locked) and as it is now
    const { rows } = await this.sql.run<{
      id: string;
      user_id: string;
      organization_id: string | null;
      status: IntegrationStatus;
      last_error: string | null;
      last_sync_at: Date | null;
      changed: boolean;
    }>(
      `WITH before AS (SELECT id, status, last_error FROM user_integrations WHERE id = $1 FOR UPDATE)
       UPDATE user_integrations u
          SET status = CASE WHEN $2::boolean THEN 'active' ELSE coalesce($3::varchar, u.status) END,
              last_error = CASE WHEN $2::boolean THEN NULL ELSE $4::text END,
              last_sync_at = CASE WHEN $2::boolean THEN now() ELSE u.last_sync_at END,
              last_used_at = CASE WHEN $5::boolean THEN now() ELSE u.last_used_at END,
              updated_at = now()
         FROM before
        WHERE u.id = before.id
        RETURNING u.id, u.user_id, u.organization_id, u.status, u.last_error, u.last_sync_at,
                  (u.status IS DISTINCT FROM before.status OR u.last_error IS DISTINCT FROM before.last_error) AS changed`,
      [id, verdict.ok, verdict.ok ? null : verdict.status, verdict.ok ? null : verdict.error, verdict.ok && verdict.used],
    );
    const row = rows[0];
    if (!row?.changed) return null;
    return {
      id: row.id,
      userId: row.user_id,
      organizationId: row.organization_id,
      status: row.status,
      lastError: row.last_error,
      lastSyncAt: row.last_sync_at,
    };
  }
}
