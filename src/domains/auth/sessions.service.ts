import { Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, MoreThan, Repository } from 'typeorm';
import { AuditService } from '@/domains/audit';
import { AppConfig } from '@/platform/config/app-config';
import { RealtimeService } from '@/platform/realtime/realtime.service';
import { RefreshToken } from './entities/refresh-token.entity';
import { UserSession } from './entities/user-session.entity';
import { PrincipalsService } from './principals.service';
import { TokenService } from './token.service';

export interface IssuedRefresh {
  sessionId: string;
  refreshToken: string;
}

/** A rotation's outcome: the successor token, issued at `issuedAt` (the access token's `iat`). */
export interface RotatedRefresh extends IssuedRefresh {
  userId: string;
  issuedAt: Date;
}

/** How far a replayed token's chain of successors is followed to the live one. */
const SUCCESSOR_HOPS = 8;

export interface SessionContext {
  ip: string | null;
  userAgent: string | null;
}

export type RevokeReason =
  | 'logout'
  | 'revoked'
  | 'revoke_all'
  | 'password_reset'
  | 'password_change'
  | 'reuse_detected'
  | 'account_deleted';

/**
 * Sessions are refresh-token families. A refresh rotates the token within its family;
 * presenting an already-rotated token is treated as theft and revokes the family.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(UserSession) private readonly sessions: Repository<UserSession>,
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    private readonly tokenService: TokenService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly realtime: RealtimeService,
    private readonly principals: PrincipalsService,
  ) {}

  private expiry(): Date {
    return new Date(Date.now() + this.config.auth.refreshTokenTtlSeconds * 1000);
  }

  /** Starts a new family (login). */
  async start(userId: string, ctx: SessionContext, em: EntityManager): Promise<IssuedRefresh> {
    const expiresAt = this.expiry();
    const session = await em.save(
      em.create(UserSession, {
        userId,
        deviceInfo: ctx.userAgent?.slice(0, 255) ?? null,
        userAgent: ctx.userAgent,
        ipAddress: ctx.ip,
        expiresAt,
        lastUsedAt: new Date(),
      }),
    );
    const refreshToken = await this.issueToken(session.id, expiresAt, em);
    return { sessionId: session.id, refreshToken };
  }

  private async issueToken(sessionId: string, expiresAt: Date, em: EntityManager, token = this.tokenService.randomToken(), issuedAt = new Date()): Promise<string> {
    await em.insert(RefreshToken, { sessionId, tokenHash: this.tokenService.hash(token), expiresAt, createdAt: issuedAt });
    return token;
  }

  /**
   * Rotates a refresh token: returns its successor and the session's user. A rotated token
   * presented again within REFRESH_TOKEN_REUSE_INTERVAL_SECONDS of its rotation (two tabs,
   * a retried request) gets the same successor; later, reuse revokes the whole family
   * (committed even though the call fails).
   */
  async rotate(refreshToken: string, ctx: SessionContext): Promise<RotatedRefresh> {
    const hash = this.tokenService.hash(refreshToken);
    const result = await this.sessions.manager.transaction(async (em) => {
      const claimed = (await em.query(
        `UPDATE refresh_tokens t SET used_at = now()
           FROM user_sessions s
          WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > now()
            AND s.id = t.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
          RETURNING s.id AS session_id, s.user_id`,
        [hash],
      )) as [{ session_id: string; user_id: string }[], number];
      const row = claimed[0][0];
      if (!row) return null;
      const expiresAt = this.expiry();
      const issuedAt = new Date();
      const token = await this.issueToken(row.session_id, expiresAt, em, this.tokenService.successorOf(refreshToken), issuedAt);
      await em.update(
        UserSession,
        { id: row.session_id },
        { lastUsedAt: new Date(), expiresAt, ipAddress: ctx.ip ?? undefined },
      );
      return { sessionId: row.session_id, refreshToken: token, userId: row.user_id, issuedAt };
    });
    if (result) return result;

    const window = this.config.auth.refreshReuseIntervalSeconds;
    const [known] = (await this.tokens.query(
      `SELECT session_id, used_at IS NOT NULL AS used, used_at > now() - make_interval(secs => $2) AS recent
         FROM refresh_tokens WHERE token_hash = $1`,
      [hash, window],
    )) as { session_id: string; used: boolean; recent: boolean }[];
    if (known?.used) {
      const current = known.recent ? await this.currentSuccessor(refreshToken, known.session_id) : null;
      if (current) return current;
      await this.revoke(known.session_id, 'reuse_detected');
      throw new UnauthorizedException('Refresh token reuse detected; the session has been revoked');
    }
    throw new UnauthorizedException('Invalid or expired refresh token');
  }

  /**
   * The live token that rotation derived from `token` (its successor, or that one's
   * successor when the other tab refreshed again meanwhile), with the time it was issued —
   * or null when the chain leads nowhere live (session revoked or expired, a key change).
   */
  private async currentSuccessor(token: string, sessionId: string): Promise<RotatedRefresh | null> {
    const chain: string[] = [];
    for (let t = token; chain.length < SUCCESSOR_HOPS; ) chain.push((t = this.tokenService.successorOf(t)));
    const hashes = chain.map((t) => this.tokenService.hash(t));
    const rows = (await this.tokens.query(
      `SELECT t.token_hash, t.used_at IS NOT NULL AS used, t.created_at, s.user_id
         FROM refresh_tokens t JOIN user_sessions s ON s.id = t.session_id
        WHERE t.session_id = $1 AND t.token_hash = ANY($2) AND t.expires_at > now()
          AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [sessionId, hashes],
    )) as { token_hash: string; used: boolean; created_at: Date; user_id: string }[];
    const byHash = new Map(rows.map((r) => [r.token_hash, r]));
    for (const [i, h] of hashes.entries()) {
      const row = byHash.get(h);
      if (!row) return null;
      if (!row.used) return { sessionId, refreshToken: chain[i], userId: row.user_id, issuedAt: row.created_at };
    }
    return null;
  }

  listActive(userId: string): Promise<UserSession[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC' },
    });
  }

  async revoke(sessionId: string, reason: RevokeReason, em: EntityManager = this.sessions.manager): Promise<void> {
    await em.update(UserSession, { id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
    this.principals.forgetSessions([sessionId]);
    this.realtime.disconnectSessions([sessionId]);
  }

  /** Revokes one of the user's sessions (audited); someone else's id is a 404. */
  async revokeOwn(userId: string, sessionId: string, ctx: SessionContext): Promise<void> {
    await this.sessions.manager.transaction(async (em) => {
      const res = await em.update(
        UserSession,
        { id: sessionId, userId, revokedAt: IsNull() },
        { revokedAt: new Date(), revokedReason: 'revoked' },
      );
      if (!res.affected) throw new NotFoundException('Session not found');
      await this.audit.record(em, { ...ctx, actorId: userId, action: 'revoke', resourceType: 'session', resourceId: sessionId });
    });
    this.principals.forgetSessions([sessionId]);
    this.realtime.disconnectSessions([sessionId]);
  }

  /** "Log out everywhere else" (audited): every live session but `keepSessionId`. */
  async revokeOthers(userId: string, keepSessionId: string, ctx: SessionContext): Promise<number> {
    return this.sessions.manager.transaction(async (em) => {
      const count = await this.revokeAll(userId, 'revoke_all', keepSessionId, em);
      await this.audit.record(em, {
        ...ctx,
        actorId: userId,
        action: 'revoke_all',
        resourceType: 'session',
        details: { revoked: count, kept_session_id: keepSessionId },
      });
      return count;
    });
  }

  /** Revokes every live session of the user except `keepSessionId`; returns how many. */
  async revokeAll(
    userId: string,
    reason: RevokeReason,
    keepSessionId?: string,
    em: EntityManager = this.sessions.manager,
  ): Promise<number> {
    const rows = (await em.query(
      `UPDATE user_sessions SET revoked_at = now(), revoked_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3)
        RETURNING id`,
      [userId, reason, keepSessionId ?? null],
    )) as [{ id: string }[], number];
    this.principals.forgetSessions(rows[0].map((r) => r.id));
    this.realtime.disconnectSessions(rows[0].map((r) => r.id));
    return rows[1];
  }

  /** Deletes sessions that expired or were revoked more than `olderThanDays` ago. */
  async purgeExpired(olderThanDays = 30): Promise<number> {
    const rows = (await this.sessions.query(
      `DELETE FROM user_sessions
        WHERE expires_at < now() - make_interval(days => $1)
           OR revoked_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    )) as [unknown[], number];
    return rows[1];
  }
}
