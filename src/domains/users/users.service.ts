import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, IsNull, Repository } from 'typeorm';
import { isUniqueViolation } from '@/platform/database/pg-errors';
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

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

const USERNAME_TAKEN = 'Username already taken';
const EMAIL_TAKEN = 'Email already registered';

/** Users and their configs. Other domains ask this service; they never touch the tables. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(UserConfig) private readonly configs: Repository<UserConfig>,
  ) {}

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
}

function mapUniqueViolation(err: unknown): unknown {
  if (isUniqueViolation(err, 'uq_users_email')) return new BadRequestException(EMAIL_TAKEN);
  if (isUniqueViolation(err, 'uq_users_username_lower')) return new BadRequestException(USERNAME_TAKEN);
  return err;
}
