import { BadRequestException, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, IsNull, Repository } from 'typeorm';
import { AppConfig } from '@/platform/config/app-config';
import { isDatabaseUnavailable, isUniqueViolation } from '@/platform/database/pg-errors';
import { Sql } from '@/platform/database/sql.service';
import { SingleFlight } from '@/platform/async/single-flight';
import { RedisService } from '@/platform/redis/redis.service';
import { DEFAULT_USER_CONFIG } from './default-config';
import { UserConfig } from './entities/user-config.entity';
import { User } from './entities/user.entity';

export interface NewUser {
  email: string;
  passwordHash: string;
  username?: string | null;
  fullName?: string | null;
  verificationTokenHash: string;
  verificationTokenExpiresAt: Date;
}

/** What the auth guard needs on every request: one indexed query. */
export interface AuthPrincipalRow {
  id: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
  deleted_at: Date | null;
  session_ok: boolean;
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

const USERNAME_TAKEN = 'Username already taken';
const PRINCIPAL_STALE_MS = 60_000;
const PRINCIPAL_MEMO_SIZE = 10_000;
const EMAIL_TAKEN = 'Email already registered';

/** Channel (under REDIS_KEY_PREFIX) on which a replica tells the others which principals to forget. */
const FORGET_CHANNEL = 'auth:forget';

/** Users and their configs. Other domains ask this service; they never touch the tables. */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly logger = new Logger(UsersService.name);
  /** Last principal seen per token (insertion-ordered, bounded): the fast path, and the fallback during a database outage. */
  private readonly lastPrincipals = new Map<string, { row: AuthPrincipalRow; at: number }>();
  /** Sessions forgotten recently (id → until): never served from memory, never remembered meanwhile. */
  private readonly forgotten = new Map<string, number>();
  /** Principal lookups in flight per token: concurrent requests of one token share one query. */
  private readonly loading = new SingleFlight<AuthPrincipalRow | null>();

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(UserConfig) private readonly configs: Repository<UserConfig>,
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly sql: Sql,
  ) {}

  /**
   * Listens for the sessions other replicas revoked (their principals leave this replica's
   * memory: the short cache and the outage fallback). Never awaited: with Redis down the
   * subscription waits (and ioredis re-subscribes after every reconnect) while the boot
   * goes on.
   */
  onModuleInit(): void {
    const sub = this.redis.create('pubsub', 'auth-forget');
    sub.on('message', (_channel: string, message: string) => {
      for (const id of message.split(',')) this.forgetLocally(id);
    });
    sub.subscribe(this.redis.key(FORGET_CHANNEL)).catch((err: Error) => this.logger.warn(`cannot subscribe to session revocations: ${err.message}`));
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normaliseEmail(email), deletedAt: IsNull() });
  }

  /** Several users by id in one query (missing ids are simply absent). */
  findManyByIds(ids: readonly string[]): Promise<User[]> {
    return ids.length ? this.users.findBy({ id: In([...new Set(ids)]) }) : Promise.resolve([]);
  }

  async assertAvailable(email: string, username?: string | null): Promise<void> {
    if (await this.users.existsBy({ email: normaliseEmail(email) })) throw new BadRequestException(EMAIL_TAKEN);
    if (username && (await this.usernameTaken(username))) throw new BadRequestException(USERNAME_TAKEN);
  }

  private async usernameTaken(username: string, exceptUserId?: string): Promise<boolean> {
    const rows = (await this.users.query(
      'SELECT 1 FROM users WHERE lower(username) = lower($1) AND ($2::uuid IS NULL OR id <> $2) LIMIT 1',
      [username, exceptUserId ?? null],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Creates the user and their default config in one transaction; `alsoInTransaction`
   * (e.g. the audit row) runs inside it.
   */
  async create(input: NewUser, alsoInTransaction?: (em: EntityManager, user: User) => Promise<void>): Promise<User> {
    try {
      return await this.users.manager.transaction(async (em) => {
        const user = await em.save(
          em.create(User, {
            email: normaliseEmail(input.email),
            username: input.username ?? null,
            fullName: input.fullName ?? null,
            passwordHash: input.passwordHash,
            verificationTokenHash: input.verificationTokenHash,
            verificationTokenExpiresAt: input.verificationTokenExpiresAt,
          }),
        );
        await em.insert(UserConfig, { userId: user.id, ...DEFAULT_USER_CONFIG });
        await alsoInTransaction?.(em, user);
        return user;
      });
    } catch (err) {
      throw mapUniqueViolation(err);
    }
  }

  /** Updates name fields; `alsoInTransaction` (e.g. the audit row) commits together with the change. */
  async updateProfile(
    user: User,
    changes: { fullName?: string | null; username?: string | null },
    alsoInTransaction?: (em: EntityManager, user: User) => Promise<void>,
  ): Promise<User> {
    if (changes.username && (await this.usernameTaken(changes.username, user.id))) {
      throw new BadRequestException(USERNAME_TAKEN);
    }
    if (changes.fullName !== undefined) user.fullName = changes.fullName;
    if (changes.username !== undefined) user.username = changes.username;
    try {
      if (!alsoInTransaction) return await this.users.save(user);
      return await this.users.manager.transaction(async (em) => {
        const saved = await em.save(user);
        await alsoInTransaction(em, saved);
        return saved;
      });
    } catch (err) {
      throw mapUniqueViolation(err);
    }
  }

  async setPassword(userId: string, passwordHash: string, em: EntityManager = this.users.manager): Promise<void> {
    await em.update(User, { id: userId }, { passwordHash, passwordChangedAt: new Date() });
  }

  async setVerificationToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.users.update({ id: userId }, { verificationTokenHash: tokenHash, verificationTokenExpiresAt: expiresAt });
  }

  /** Consumes a verification token (single use); false when unknown or expired. */
  async consumeVerificationToken(tokenHash: string): Promise<boolean> {
    const res = await this.users
      .createQueryBuilder()
      .update(User)
      .set({
        emailVerified: true,
        emailVerifiedAt: () => 'now()',
        verificationTokenHash: null,
        verificationTokenExpiresAt: null,
      })
      .where('verification_token_hash = :tokenHash AND verification_token_expires_at > now()', { tokenHash })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  async setPasswordResetToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.users.update({ id: userId }, { passwordResetTokenHash: tokenHash, passwordResetExpiresAt: expiresAt });
  }

  /** Consumes a reset token and sets the new password atomically; returns the user id. */
  async consumePasswordResetToken(tokenHash: string, passwordHash: string, em: EntityManager): Promise<string | null> {
    const rows = (await em.query(
      `UPDATE users SET password_hash = $2, password_changed_at = now(), password_reset_token_hash = NULL,
              password_reset_expires_at = NULL, updated_at = now()
        WHERE password_reset_token_hash = $1 AND password_reset_expires_at > now()
          AND is_active AND deleted_at IS NULL
        RETURNING id`,
      [tokenHash, passwordHash],
    )) as [{ id: string }[], number];
    return rows[0][0]?.id ?? null;
  }

  async recordLogin(userId: string, em: EntityManager): Promise<void> {
    await em.update(User, { id: userId }, { lastLoginAt: new Date() });
  }

  /**
   * The auth guard's per-request check: user active and session live, in one query.
   * While the database is unreachable (or its breaker open), the last answer seen for the
   * same token within PRINCIPAL_STALE_MS is reused, so reads served from the cache keep
   * working through a database blip; no revocation can happen meanwhile, and one made
   * before it removed that answer (forgetSessions).
   */
  async principal(userId: string, sessionId: string): Promise<AuthPrincipalRow | null> {
    const key = `${userId}:${sessionId}`;
    const now = Date.now();
    const known = this.lastPrincipals.get(key);
    if (known && now - known.at < this.config.auth.principalCacheMs && !this.isForgotten(sessionId, now)) return known.row;
    if (!this.config.auth.principalCacheMs) return this.loadPrincipal(key, userId, sessionId);
    // One query per token however many of its requests arrive meanwhile (when the memory
    // expires under load, hundreds would otherwise queue for the pool at once).
    return this.loading.run(key, () => this.loadPrincipal(key, userId, sessionId));
  }

  private async loadPrincipal(key: string, userId: string, sessionId: string): Promise<AuthPrincipalRow | null> {
    try {
      const rows = await this.sql.query<AuthPrincipalRow>(
        `SELECT u.id, u.email, u.is_active, u.is_superuser, u.deleted_at,
                (s.id IS NOT NULL AND s.revoked_at IS NULL AND s.expires_at > now()) AS session_ok
           FROM users u
           LEFT JOIN user_sessions s ON s.id = $2 AND s.user_id = u.id
          WHERE u.id = $1`,
        [userId, sessionId],
      );
      const row = rows[0] ?? null;
      this.remember(key, sessionId, row);
      return row;
    } catch (err) {
      const known = this.lastPrincipals.get(key);
      if (isDatabaseUnavailable(err) && known && Date.now() - known.at < PRINCIPAL_STALE_MS) return known.row;
      throw err;
    }
  }

  /**
   * The sessions were revoked (call right after the UPDATE, and it is fine before its
   * commit): this replica stops serving them from memory at once, the others as soon as
   * Redis delivers the message. For AUTH_PRINCIPAL_CACHE_MS they are always re-read, so a
   * request racing the commit cannot put the old answer back. Their last answers are
   * dropped too, so a database outage right after cannot bring them back either.
   */
  forgetSessions(sessionIds: string[]): void {
    if (!sessionIds.length) return;
    for (const id of sessionIds) this.forgetLocally(id);
    this.redis.client.publish(this.redis.key(FORGET_CHANNEL), sessionIds.join(',')).catch((err: Error) => {
      // the other replicas forget them within AUTH_PRINCIPAL_CACHE_MS anyway
      this.logger.warn(`cannot announce revoked sessions: ${err.message}`);
    });
  }

  private forgetLocally(sessionId: string): void {
    const now = Date.now();
    this.forgotten.set(sessionId, now + this.config.auth.principalCacheMs);
    // a lookup that started before the revocation is not shared with requests after it,
    // and the last answer is no outage fallback any more
    const ofSession = (key: string) => key.endsWith(`:${sessionId}`);
    this.loading.forget(ofSession);
    for (const key of this.lastPrincipals.keys()) if (ofSession(key)) this.lastPrincipals.delete(key);
    for (const [id, until] of this.forgotten) if (until < now) this.forgotten.delete(id);
  }

  private isForgotten(sessionId: string, now: number): boolean {
    const until = this.forgotten.get(sessionId);
    return until !== undefined && until >= now;
  }

  private remember(key: string, sessionId: string, row: AuthPrincipalRow | null): void {
    this.lastPrincipals.delete(key);
    if (!row || this.isForgotten(sessionId, Date.now())) return;
    this.lastPrincipals.set(key, { row, at: Date.now() });
    if (this.lastPrincipals.size > PRINCIPAL_MEMO_SIZE) this.lastPrincipals.delete(this.lastPrincipals.keys().next().value!);
  }
}

function mapUniqueViolation(err: unknown): unknown {
  if (isUniqueViolation(err, 'uq_users_email')) return new BadRequestException(EMAIL_TAKEN);
  if (isUniqueViolation(err, 'uq_users_username_lower')) return new BadRequestException(USERNAME_TAKEN);
  return err;
}
