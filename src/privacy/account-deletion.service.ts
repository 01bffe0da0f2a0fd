import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditContext } from '../audit/audit-context.decorator';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../auth/sessions.service';
import { ResponseCache } from '../cache/response-cache.service';
import { StorageService, userUploadPrefix } from '../storage/storage.service';

/**
 * Every table holding rows of one user, deleted by DELETE /api/data/delete (children
 * before parents). A test fails when a table referencing users(id) is in neither this
 * list nor KEPT_ON_DELETION, so a new user-owned table cannot be forgotten.
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

/** Tables referencing users that deletion keeps, and why. */
export const KEPT_ON_DELETION: Record<string, string> = {
  users: 'the account row itself is anonymised, not deleted',
  user_sessions: 'revoked (reason account_deleted); they carry no content',
  audit_logs: 'the audit trail, including this deletion, is kept',
  'organization_members.invited_by': 'set to NULL with the user gone from every organization',
  'workflow_versions.created_by': 'deleted with the user’s workflows (others’ keep the id)',
  'workflow_executions.triggered_by': 'deleted with the user’s workflows (others’ keep the id)',
};

/**
 * DELETE /api/data/delete (GDPR erasure) in ONE transaction: every row of the user's
 * data, the account anonymised (no email, no name, no usable password, inactive), every
 * session revoked, the deletion audited, and the stored files removed before the commit
 * — if storage fails, nothing is committed and the call can simply be retried.
 */
@Injectable()
export class AccountDeletionService {
  private readonly logger = new Logger(AccountDeletionService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sessions: SessionsService,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly cache: ResponseCache,
  ) {}

  async deleteEverything(userId: string, ctx: AuditContext): Promise<Record<string, number>> {
    const deleted = await this.db.transaction(async (em) => {
      // Serialise with a concurrent deletion of the same account.
      await em.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
      const counts: Record<string, number> = {};
      for (const table of USER_DATA_TABLES) {
        const [, affected] = (await em.query(`DELETE FROM ${table} WHERE user_id = $1`, [userId])) as [unknown, number];
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
      return counts;
    });
    await this.cache.invalidate(userId);
    this.logger.log(`account ${userId} erased: ${JSON.stringify(deleted)}`);
    return deleted;
  }
}
