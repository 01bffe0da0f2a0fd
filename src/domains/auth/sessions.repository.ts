import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, MoreThan, Repository } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { RefreshToken } from './entities/refresh-token.entity';
import { UserSession } from './entities/user-session.entity';

/** What authenticating a request needs to know of its user and session. */
export interface AuthPrincipalRow {
  id: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
  deleted_at: Date | null;
  session_ok: boolean;
}

/** The columns of a new session (a login). */
export interface NewSessionRow {
  userId: string;
  deviceInfo: string | null;
  userAgent: string | null;
  ipAddress: string | null;
  expiresAt: Date;
  lastUsedAt: Date;
}

/** A refresh token just claimed for rotation: its session and the session's user. */
export interface ClaimedRefreshRow {
  session_id: string;
  user_id: string;
}

/** A refresh token looked up by hash after a failed claim: was it rotated, and recently? */
export interface KnownRefreshRow {
  session_id: string;
  used: boolean;
  recent: boolean;
}

/** A token of a live session's family, among the successors of a replayed one. */
export interface SuccessorRow {
  token_hash: string;
  used: boolean;
  created_at: Date;
  user_id: string;
}

/** Statements on the auth domain's tables: user_sessions and refresh_tokens. */
@Injectable()
export class SessionsRepository {
  constructor(
    private readonly sql: Sql,
    @InjectRepository(UserSession) private readonly sessions: Repository<UserSession>,
  ) {}

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

  insertSession(values: NewSessionRow, tx: EntityManager): Promise<UserSession> {
    return tx.save(tx.create(UserSession, values));
  }

  async insertRefreshToken(
    values: { sessionId: string; tokenHash: string; expiresAt: Date; createdAt: Date },
    tx: EntityManager,
  ): Promise<void> {
    await tx.insert(RefreshToken, values);
  }

  /**
   * Marks the token used if it is unused and unexpired and its session live; the claimed
   * token's session and user, or null.
   */
  async claimRefreshToken(tokenHash: string, tx: EntityManager): Promise<ClaimedRefreshRow | null> {
    const { rows } = await this.sql.run<ClaimedRefreshRow>(
      `UPDATE refresh_tokens t SET used_at = now()
         FROM user_sessions s
        WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > now()
          AND s.id = t.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
        RETURNING s.id AS session_id, s.user_id`,
      [tokenHash],
      tx,
    );
    return rows[0] ?? null;
  }

  /** A rotation's session: used now, alive until `expiresAt`, from `ipAddress` (kept when unknown). */
  async touchSession(sessionId: string, expiresAt: Date, ipAddress: string | undefined, tx: EntityManager): Promise<void> {
    await tx.update(UserSession, { id: sessionId }, { lastUsedAt: new Date(), expiresAt, ipAddress });
  }

  /** A refresh token by hash, and whether it was rotated within the last `reuseWindowSeconds`. */
  async findRefreshToken(tokenHash: string, reuseWindowSeconds: number): Promise<KnownRefreshRow | null> {
    const { rows } = await this.sql.run<KnownRefreshRow>(
      `SELECT session_id, used_at IS NOT NULL AS used, used_at > now() - make_interval(secs => $2) AS recent
         FROM refresh_tokens WHERE token_hash = $1`,
      [tokenHash, reuseWindowSeconds],
    );
    return rows[0] ?? null;
  }

  /** The unexpired tokens of the live session among `tokenHashes`, with the session's user. */
  async liveTokens(sessionId: string, tokenHashes: string[]): Promise<SuccessorRow[]> {
    const { rows } = await this.sql.run<SuccessorRow>(
      `SELECT t.token_hash, t.used_at IS NOT NULL AS used, t.created_at, s.user_id
         FROM refresh_tokens t JOIN user_sessions s ON s.id = t.session_id
        WHERE t.session_id = $1 AND t.token_hash = ANY($2) AND t.expires_at > now()
          AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [sessionId, tokenHashes],
    );
    return rows;
  }

  /** The user's live sessions, most recently used first. */
  listActive(userId: string): Promise<UserSession[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC' },
    });
  }

  /** Revokes the session unless it already is. */
  async revoke(sessionId: string, reason: string, tx?: EntityManager): Promise<void> {
    await (tx ?? this.sessions.manager).update(
      UserSession,
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  /** Revokes one live session of the user; how many rows that touched (0: not theirs, or not live). */
  async revokeOfUser(userId: string, sessionId: string, reason: string, tx: EntityManager): Promise<number> {
    const res = await tx.update(
      UserSession,
      { id: sessionId, userId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
    return res.affected ?? 0;
  }

  /** Revokes every live session of the user except `keepSessionId`; the ids revoked. */
  async revokeAll(userId: string, reason: string, keepSessionId: string | null, tx?: EntityManager): Promise<string[]> {
    const { rows } = await this.sql.run<{ id: string }>(
      `UPDATE user_sessions SET revoked_at = now(), revoked_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3)
        RETURNING id`,
      [userId, reason, keepSessionId],
      tx,
    );
    return rows.map((r) => r.id);
  }

  /** Deletes sessions that expired or were revoked more than `olderThanDays` ago; how many. */
  async purgeExpired(olderThanDays: number): Promise<number> {
    const { rowCount } = await this.sql.run(
      `DELETE FROM user_sessions
        WHERE expires_at < now() - make_interval(days => $1)
           OR revoked_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return rowCount;
  }
}
