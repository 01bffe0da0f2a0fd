import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { UserOwnedEntity } from '@/domains/users';

/** A recurring sequence of 2–4 steps (`tool:operation` / `tool:extension`) within sessions. */
@Entity('temporal_patterns')
@Index('uq_temporal_patterns_user_sequence', ['userId', 'sequenceKey'], { unique: true })
export class TemporalPattern extends UserOwnedEntity {
  /** Steps joined with ' → '; ≤ 600 chars so the unique btree entry always fits. */
  @Column({ type: 'varchar', length: 600 })
  sequenceKey: string;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  sequence: string[];

  @Column({ type: 'integer', default: 0 })
  count: number;

  @Column({ type: 'double precision', nullable: true })
  avgGapSeconds: number | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  exampleFiles: string[];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  firstSeen: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastSeen: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
