import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';

@Entity('users')
// Case-insensitive username uniqueness lives in the migration (expression index).
@Index('uq_users_username_lower', { synchronize: false })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased; unique. */
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 255 })
  email: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  username: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  fullName: string | null;

  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @Column({ type: 'boolean', default: false })
  isSuperuser: boolean;

  @Column({ type: 'boolean', default: false })
  emailVerified: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  /** SHA-256 (hex) of the single-use email verification token. */
  @Index('uq_users_verification_token_hash', { unique: true, where: 'verification_token_hash IS NOT NULL' })
  @Column({ type: 'char', length: 64, nullable: true })
  verificationTokenHash: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  verificationTokenExpiresAt: Date | null;

  /** SHA-256 (hex) of the single-use password reset token. */
  @Index('uq_users_password_reset_token_hash', { unique: true, where: 'password_reset_token_hash IS NOT NULL' })
  @Column({ type: 'char', length: 64, nullable: true })
  passwordResetTokenHash: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  passwordResetExpiresAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  passwordChangedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  /** Set when the account was anonymised by a GDPR deletion. */
  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
