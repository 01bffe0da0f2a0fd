import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { User } from '@/domains/users';
import type { Tail } from '../analysis/fold';

/**
 * Where a user's incremental analysis stands: the last analysed event in (timestamp, id)
 * order, the tail the next batch continues from (open session, relationship window),
 * and the parameters the aggregates were built with (a change rebuilds them). The row
 * is also the per-user lock: every batch and every suggestion evaluation locks it first.
 */
@Entity('pattern_analysis_state')
export class PatternAnalysisState {
  @PrimaryColumn('uuid')
  userId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'timestamptz', nullable: true })
  positionAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  positionId: string | null;

  /** Analysis version, window, idle gap, min support, anonymisation: what the aggregates depend on. */
  @Column({ type: 'varchar', length: 200, default: '' })
  fingerprint: string;

  @Column({ type: 'jsonb', nullable: true })
  tail: Tail | null;

  /** Per-user key of the path anonymisation (HMAC); never leaves the database. */
  @Column({ type: 'varchar', length: 64 })
  salt: string;

  @Column({ type: 'bigint', default: 0 })
  eventsAnalysed: string;

  /** Steps (after collapsing repeats) analysed: the N of the significance test. */
  @Column({ type: 'bigint', default: 0 })
  stepsTotal: string;

  /** Earliest timestamp of events that arrived after the position had passed them. */
  @Column({ type: 'timestamptz', nullable: true })
  lateFrom: Date | null;

  @Column({ type: 'integer', default: 0 })
  rebuilds: number;

  @Column({ type: 'timestamptz', nullable: true })
  rebuiltAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  analysedAt: Date | null;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
