import { Column, Entity, Index } from 'typeorm';
import { CreatedAt } from '@/platform/database/base.columns';
import { UserOwnedEntity } from '@/domains/users';

/**
 * A login session. Each session is one refresh-token family: every refresh rotates the
 * token inside the family (refresh_tokens); replaying a rotated token revokes the family.
 */
@Entity('user_sessions')
@Index('idx_user_sessions_user_active', ['userId', 'expiresAt'], { where: 'revoked_at IS NULL' })
export class UserSession extends UserOwnedEntity {
  @Column({ type: 'varchar', length: 255, nullable: true })
  deviceInfo: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ipAddress: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @CreatedAt()
  createdAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastUsedAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** logout | revoked | revoke_all | password_reset | password_change | reuse_detected | account_deleted */
  @Column({ type: 'varchar', length: 50, nullable: true })
  revokedReason: string | null;
}
