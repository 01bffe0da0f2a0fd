import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Sql } from '@/platform/database/sql';

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

export type UserDataTable = (typeof USER_DATA_TABLES)[number];

/** Which rows of a table are the user's own rather than an organization's. */
const ORGANIZATION_ROWS: Partial<Record<UserDataTable, string>> = {
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
  'organization_invitations.accepted_by':
    'kept with the membership history of the organization; invitations to the user’s address are deleted',
};

/**
 * The statements of an account's erasure, across the domains' tables (the use case is
 * privacy's): all run inside the erasure's one transaction.
 */
@Injectable()
export class ErasureRepository {
  constructor(private readonly sql: Sql) {}

  /** Locks the account's row (FOR UPDATE): concurrent erasures of one account run one after the other. */
  async lockUser(userId: string, tx: EntityManager): Promise<void> {
    await this.sql.run('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId], tx);
  }

  /** Deletes the user's own rows of every USER_DATA_TABLES table, in order; rows deleted per table. */
  async deleteUserData(userId: string, tx: EntityManager): Promise<Record<UserDataTable, number>> {
    const counts = {} as Record<UserDataTable, number>;
    for (const table of USER_DATA_TABLES) {
      const own = ORGANIZATION_ROWS[table];
      const { rowCount } = await this.sql.run(`DELETE FROM ${table} WHERE user_id = $1${own ? ` AND ${own}` : ''}`, [userId], tx);
      counts[table] = rowCount;
    }
    return counts;
  }

  /** The account keeps its row, with no email, name or usable password, inactive and marked deleted. */
  async anonymiseUser(userId: string, tx: EntityManager): Promise<void> {
    await this.sql.run(
      `UPDATE users SET email = 'deleted-' || id || '@deleted.invalid', username = NULL, full_name = NULL,
              password_hash = '!', is_active = false, email_verified = false, email_verified_at = NULL,
              verification_token_hash = NULL, verification_token_expires_at = NULL,
              password_reset_token_hash = NULL, password_reset_expires_at = NULL,
              deleted_at = now(), updated_at = now()
        WHERE id = $1`,
      [userId],
      tx,
    );
  }
}
