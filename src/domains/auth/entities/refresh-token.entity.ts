import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '@/platform/database/base.columns';
import { UserSession } from './user-session.entity';

/** One refresh token of a session's family, stored only as its SHA-256 hash. */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('idx_refresh_tokens_session')
  @Column('uuid')
  sessionId: string;

  @ManyToOne(() => UserSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: UserSession;

  @Index('uq_refresh_tokens_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @CreatedAt()
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** Set when this token was rotated; presenting it again is reuse. */
  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
