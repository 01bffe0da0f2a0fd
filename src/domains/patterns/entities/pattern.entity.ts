import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { UserOwnedEntity } from '@/domains/users';

/** Per-user usage of a file extension (kept current at ingest). */
@Entity('patterns')
@Index('uq_patterns_user_extension', ['userId', 'fileExtension'], { unique: true })
export class Pattern extends UserOwnedEntity {
  @Column({ type: 'varchar', length: 50 })
  fileExtension: string;

  @Column({ type: 'integer', default: 0 })
  count: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsed: Date | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  tools: string[];

  /** Histograms and other derived data (hour of day, weekday, ...). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
