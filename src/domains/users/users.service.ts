import { BadRequestException, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUniqueViolation } from '@/platform/database/pg-errors';
import { Transactions } from '@/platform/database/transactions';
import type { User } from './entities/user.entity';
import { UserConfigsRepository } from './user-configs.repository';
import { UsersRepository } from './users.repository';

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
    private readonly users: UsersRepository,
    private readonly configs: UserConfigsRepository,
    private readonly transactions: Transactions,
  ) {}

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findLiveByEmail(normaliseEmail(email));
  }

  /** Several users by id in one query (missing ids are simply absent). */
  findManyByIds(ids: readonly string[]): Promise<User[]> {
    return ids.length ? this.users.findManyByIds([...new Set(ids)]) : Promise.resolve([]);
  }

  async assertAvailable(email: string, username?: string | null): Promise<void> {
    if (await this.users.emailExists(normaliseEmail(email))) throw new BadRequestException(EMAIL_TAKEN);
    if (username && (await this.usernameTaken(username))) throw new BadRequestException(USERNAME_TAKEN);
  }

  private usernameTaken(username: string, exceptUserId?: string): Promise<boolean> {
    return this.users.usernameTaken(username, exceptUserId ?? null);
  }

  /**
   * Creates the user and their default config in one transaction; `alsoInTransaction`
   * (e.g. the audit row) runs inside it.
   */
  async create(input: NewUser, alsoInTransaction?: (tx: EntityManager, user: User) => Promise<void>): Promise<User> {
    try {
      return await this.transactions.run(async (tx) => {
        const user = await this.users.insert(
          {
            email: normaliseEmail(input.email),
            username: input.username ?? null,
            fullName: input.fullName ?? null,
            passwordHash: input.passwordHash,
            verificationTokenHash: input.verificationTokenHash,
            verificationTokenExpiresAt: input.verificationTokenExpiresAt,
          },
          tx,
        );
        await this.configs.insertDefaults(user.id, tx);
        await alsoInTransaction?.(tx, user);
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
    alsoInTransaction?: (tx: EntityManager, user: User) => Promise<void>,
  ): Promise<User> {
    if (changes.username && (await this.usernameTaken(changes.username, user.id))) {
      throw new BadRequestException(USERNAME_TAKEN);
    }
    if (changes.fullName !== undefined) user.fullName = changes.fullName;
    if (changes.username !== undefined) user.username = changes.username;
    try {
      if (!alsoInTransaction) return await this.users.save(user);
      return await this.transactions.run(async (tx) => {
        const saved = await this.users.save(user, tx);
        await alsoInTransaction(tx, saved);
        return saved;
      });
    } catch (err) {
      throw mapUniqueViolation(err);
    }
  }

  async setPassword(userId: string, passwordHash: string, tx?: EntityManager): Promise<void> {
    await this.users.setPassword(userId, passwordHash, tx);
  }

  async setVerificationToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.users.setVerificationToken(userId, tokenHash, expiresAt);
  }

  /** Consumes a verification token (single use); false when unknown or expired. */
  consumeVerificationToken(tokenHash: string): Promise<boolean> {
    return this.users.consumeVerificationToken(tokenHash);
  }

  async setPasswordResetToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.users.setPasswordResetToken(userId, tokenHash, expiresAt);
  }

  /** Consumes a reset token and sets the new password atomically; returns the user id. */
  consumePasswordResetToken(tokenHash: string, passwordHash: string, tx: EntityManager): Promise<string | null> {
    return this.users.consumePasswordResetToken(tokenHash, passwordHash, tx);
  }

  async recordLogin(userId: string, tx: EntityManager): Promise<void> {
    await this.users.recordLogin(userId, tx);
  }
}

function mapUniqueViolation(err: unknown): unknown {
  if (isUniqueViolation(err, 'uq_users_email')) return new BadRequestException(EMAIL_TAKEN);
  if (isUniqueViolation(err, 'uq_users_username_lower')) return new BadRequestException(USERNAME_TAKEN);
  return err;
}
