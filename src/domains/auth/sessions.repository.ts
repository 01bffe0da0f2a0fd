import { Injectable } from '@nestjs/common';
import { Sql } from '@/platform/database/sql';

/** What authenticating a request needs to know of its user and session. */
export interface AuthPrincipalRow {
  id: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
  deleted_at: Date | null;
  session_ok: boolean;
}

/** Statements on the auth domain's tables: user_sessions and refresh_tokens. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly sql: Sql) {}

  /** The user (active? deleted?) and whether the session is live, in one indexed query. */
  async principal(userId: string, sessionId: string): Promise<AuthPrincipalRow | null> {
    const { rows } = await this.sql.run<AuthPrincipalRow>(
      `SELECT u.id, u.email, u.is_active, u.is_superuser, u.deleted_at,
              (s.id IS NOT NULL AND s.revoked_at IS NULL AND s.expires_at > now()) AS session_ok
         FROM users u
         LEFT JOIN user_sessions s ON s.id = $2 AND s.user_id = u.id
        WHERE u.id = $1`,
      [userId, sessionId],
    );
    return rows[0] ?? null;
  }
}
