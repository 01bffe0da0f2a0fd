import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { SessionsService } from '@/domains/auth';
import { MembersService } from '@/domains/organizations';
import { StorageService, userUploadPrefix } from '@/platform/storage/storage.service';

/**
 * Every table holding rows of one user, deleted by DELETE /api/data/delete (children
 * before parents). A test fails when a table referencing users(id) is in neither this
 * list nor KEPT_ON_DELETION, so a new user-owned table cannot be forgotten. Rows a user
 * created for an organization belong to it (ORGANIZATION_ROWS) and stay.
 */
export const USER_DATA_TABLES = [
  'events',
  'patterns',
  'relationships',
  'temporal_patterns',
  'sequence_candidates',
  'pattern_analysis_state',
  'suggestions',
  'workflows',
  'user_integrations',
  'feature_flag_overrides',
  'organization_members',
  'user_configs',
  'user_stats',
] as const;

/** Which rows of a table are the user's own rather than an organization's. */
const ORGANIZATION_ROWS: Partial<Record<(typeof USER_DATA_TABLES)[number], string>> = {
  workflows: 'organization_id IS NULL',
  user_integrations: 'organization_id IS NULL',
};

/** Tables referencing users that deletion keeps, and why. */
export const KEPT_ON_DELETION: Record<string, string> = {
  users: 'the account row itself is anonymised, not deleted',
  user_sessions: 'revoked (reason account_deleted); they carry no content',
  audit_logs: 'the audit trail, including this deletion, is kept',
  'organization_members.invited_by': 'set to NULL with the user gone from every organization',
  'workflow_versions.created_by': 'deleted with the user’s workflows (others’ keep the id)',
  'workflow_executions.triggered_by': 'deleted with the user’s workflows (others’ keep the id)',
  'organization_invitations.invited_by': 'invitations the user sent belong to their organization (the id is of the anonymised account)',
  'organization_invitations.accepted_by': 'kept with the membership history of the organization; invitations to the user’s address are deleted',
};

/**
 * DELETE /api/data/delete (GDPR erasure) in ONE transaction: every row of the user's own
 * data, the account anonymised (no email, no name, no usable password, inactive), every
 * session revoked, the deletion audited, and the stored files removed before the commit
 * — if storage fails, nothing is committed and the call can simply be retried. What the
 * user made for organizations stays with them (the creator is now the anonymised account);
 * the account leaves each organization (audited there), an organization it was the only
 * member of goes with it, and the last owner of one with other members is refused (409)
 * until ownership is handed over.
 */
@Injectable()
export class AccountDeletionService {
  private readonly logger = new Logger(AccountDeletionService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sessions: SessionsService,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly members: MembersService,
  ) {}

  async deleteEverything(userId: string, ctx: AuditContext): Promise<Record<string, number>> {
    const deleted = await this.db.transaction(async (em) => {
      // Serialise with a concurrent deletion of the same account.
      await em.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
      const organizations = await this.members.leaveAllForErasure(em, userId, ctx);
      const counts: Record<string, number> = { organizations_left: organizations.left.length, organizations_deleted: organizations.deleted.length };
      for (const table of USER_DATA_TABLES) {
        const own = ORGANIZATION_ROWS[table];
        const [, affected] = (await em.query(`DELETE FROM ${table} WHERE user_id = $1${own ? ` AND ${own}` : ''}`, [userId])) as [unknown, number];
        counts[table] = affected;
      }
      counts.sessions_revoked = await this.sessions.revokeAll(userId, 'account_deleted', undefined, em);
      await em.query(
        `UPDATE users SET email = 'deleted-' || id || '@deleted.invalid', username = NULL, full_name = NULL,
                password_hash = '!', is_active = false, email_verified = false, email_verified_at = NULL,
                verification_token_hash = NULL, verification_token_expires_at = NULL,
                password_reset_token_hash = NULL, password_reset_expires_at = NULL,
                deleted_at = now(), updated_at = now()
          WHERE id = $1`,
        [userId],
      );
      counts.files = await this.storage.deletePrefix(userUploadPrefix(userId));
      await this.audit.record(em, {
        ...ctx,
        action: 'data_delete',
        resourceType: 'user',
        resourceId: userId,
        details: { deleted: counts },
      });
      return { counts, organizations };
    });
    await this.members.erased(userId, deleted.organizations);
    await this.events.publish('user.lists.changed', { userId });
    this.logger.log(`account ${userId} erased: ${JSON.stringify(deleted.counts)}`);
    return deleted.counts;
  }
}
