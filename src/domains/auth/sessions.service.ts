import { Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@/domains/audit';
import { AppConfig } from '@/platform/config/app-config';
import { Transactions } from '@/platform/database/transactions';
import { RealtimeService } from '@/platform/realtime/realtime.service';
import type { UserSession } from './entities/user-session.entity';
import { PrincipalsService } from './principals.service';
import { SessionsRepository } from './sessions.repository';
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
  'logout' | 'revoked' | 'revoke_all' | 'password_reset' | 'password_change' | 'reuse_detected' | 'account_deleted';

/**
 * Sessions are refresh-token families. A refresh rotates the token within its family;
 * presenting an already-rotated token is treated as theft and revokes the family.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly transactions: Transactions,
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
  async start(userId: string, ctx: SessionContext, tx: EntityManager): Promise<IssuedRefresh> {
    const expiresAt = this.expiry();
    const session = await this.sessions.insertSession(
      {
        userId,
        deviceInfo: ctx.userAgent?.slice(0, 255) ?? null,
        userAgent: ctx.userAgent,
        ipAddress: ctx.ip,
        expiresAt,
        lastUsedAt: new Date(),
      },
      tx,
    );
    const refreshToken = await this.issueToken(session.id, expiresAt, tx);
    return { sessionId: session.id, refreshToken };
  }

  private async issueToken(
    sessionId: string,
    expiresAt: Date,
    tx: EntityManager,
    token = this.tokenService.randomToken(),
    issuedAt = new Date(),
  ): Promise<string> {
    await this.sessions.insertRefreshToken({ sessionId, tokenHash: this.tokenService.hash(token), expiresAt, createdAt: issuedAt }, tx);
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
    const result = await this.transactions.run(async (tx) => {
      const row = await this.sessions.claimRefreshToken(hash, tx);
      if (!row) return null;
      const expiresAt = this.expiry();
      const issuedAt = new Date();
      const token = await this.issueToken(row.session_id, expiresAt, tx, this.tokenService.successorOf(refreshToken), issuedAt);
      await this.sessions.touchSession(row.session_id, expiresAt, ctx.ip ?? undefined, tx);
      return { sessionId: row.session_id, refreshToken: token, userId: row.user_id, issuedAt };
    });
    if (result) return result;

    const window = this.config.auth.refreshReuseIntervalSeconds;
    const known = await this.sessions.findRefreshToken(hash, window);
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
    for (let t = token; chain.length < SUCCESSOR_HOPS;) chain.push((t = this.tokenService.successorOf(t)));
    const hashes = chain.map((t) => this.tokenService.hash(t));
    const rows = await this.sessions.liveTokens(sessionId, hashes);
    const byHash = new Map(rows.map((r) => [r.token_hash, r]));
    for (const [i, h] of hashes.entries()) {
      const row = byHash.get(h);
      if (!row) return null;
      if (!row.used) return { sessionId, refreshToken: chain[i], userId: row.user_id, issuedAt: row.created_at };
    }
    return null;
  }

  listActive(userId: string): Promise<UserSession[]> {
    return this.sessions.listActive(userId);
  }

  async revoke(sessionId: string, reason: RevokeReason, tx?: EntityManager): Promise<void> {
    await this.sessions.revoke(sessionId, reason, tx);
    this.principals.forgetSessions([sessionId]);
    this.realtime.disconnectSessions([sessionId]);
  }

  /** Revokes one of the user's sessions (audited); someone else's id is a 404. */
  async revokeOwn(userId: string, sessionId: string, ctx: SessionContext): Promise<void> {
    await this.transactions.run(async (tx) => {
      const revoked = await this.sessions.revokeOfUser(userId, sessionId, 'revoked', tx);
      if (!revoked) throw new NotFoundException('Session not found');
      await this.audit.record(tx, { ...ctx, actorId: userId, action: 'revoke', resourceType: 'session', resourceId: sessionId });
    });
    this.principals.forgetSessions([sessionId]);
    this.realtime.disconnectSessions([sessionId]);
  }

  /** "Log out everywhere else" (audited): every live session but `keepSessionId`. */
  async revokeOthers(userId: string, keepSessionId: string, ctx: SessionContext): Promise<number> {
    return this.transactions.run(async (tx) => {
      const count = await this.revokeAll(userId, 'revoke_all', keepSessionId, tx);
      await this.audit.record(tx, {
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
  async revokeAll(userId: string, reason: RevokeReason, keepSessionId?: string, tx?: EntityManager): Promise<number> {
    const ids = await this.sessions.revokeAll(userId, reason, keepSessionId ?? null, tx);
    this.principals.forgetSessions(ids);
    this.realtime.disconnectSessions(ids);
    return ids.length;
  }

  /** Deletes sessions that expired or were revoked more than `olderThanDays` ago. */
  purgeExpired(olderThanDays = 30): Promise<number> {
    return this.sessions.purgeExpired(olderThanDays);
  }
}
