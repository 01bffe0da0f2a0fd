import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, IsNull, Repository } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { User } from './entities/user.entity';

/** The columns of a new account (email already normalised). */
export interface NewUserRow {
  email: string;
  username: string | null;
  fullName: string | null;
  passwordHash: string;
  verificationTokenHash: string;
  verificationTokenExpiresAt: Date;
}

/** Statements on the users table. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly sql: Sql,
  ) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** A live (not erased) account by its normalised email. */
  findLiveByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email, deletedAt: IsNull() });
  }

  /** Several users by distinct ids in one query. */
  findManyByIds(ids: string[]): Promise<User[]> {
    return this.users.findBy({ id: In(ids) });
  }

  /** Whether any account (erased ones included) has this normalised email. */
  emailExists(email: string): Promise<boolean> {
    return this.users.existsBy({ email });
  }

  /** Whether another account (not `exceptUserId`) has this username, case-insensitively. */
  async usernameTaken(username: string, exceptUserId: string | null): Promise<boolean> {
    const { rows } = await this.sql.run(
      'SELECT 1 FROM users WHERE lower(username) = lower($1) AND ($2::uuid IS NULL OR id <> $2) LIMIT 1',
      [username, exceptUserId],
    );
    return rows.length > 0;
  }

  insert(values: NewUserRow, tx: EntityManager): Promise<User> {
    return tx.save(tx.create(User, values));
  }

  /** Saves the entity's changes (in `tx` when given). */
  save(user: User, tx?: EntityManager): Promise<User> {
    return tx ? tx.save(user) : this.users.save(user);
  }

  async setPassword(userId: string, passwordHash: string, tx?: EntityManager): Promise<void> {
    await (tx ?? this.users.manager).update(User, { id: userId }, { passwordHash, passwordChangedAt: new Date() });
  }

  async setVerificationToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.users.update({ id: userId }, { verificationTokenHash: tokenHash, verificationTokenExpiresAt: expiresAt });
  }

  /** Marks the email verified and clears the token, if the token is known and unexpired. */
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

  /** Sets the password and clears the reset token of a live account holding it; its id, or null. */
  async consumePasswordResetToken(tokenHash: string, passwordHash: string, tx: EntityManager): Promise<string | null> {
    const { rows } = await this.sql.run<{ id: string }>(
      `UPDATE users SET password_hash = $2, password_changed_at = now(), password_reset_token_hash = NULL,
              password_reset_expires_at = NULL, updated_at = now()
        WHERE password_reset_token_hash = $1 AND password_reset_expires_at > now()
          AND is_active AND deleted_at IS NULL
        RETURNING id`,
      [tokenHash, passwordHash],
      tx,
    );
    return rows[0]?.id ?? null;
  }

  async recordLogin(userId: string, tx: EntityManager): Promise<void> {
    await tx.update(User, { id: userId }, { lastLoginAt: new Date() });
  }
}
