import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '@/domains/users';

/**
 * Counting space of the sequence mining: every 1–4-step sequence seen fewer than
 * ANALYSIS_MIN_SUPPORT times (and every single step's count, for the significance test).
 * A sequence that reaches the minimum moves to temporal_patterns, which therefore holds
 * only recurring sequences. Internal: no API lists it.
 */
@Entity('sequence_candidates')
export class SequenceCandidate {
  @PrimaryColumn('uuid')
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /** Steps joined with ' → ' (≤ 600 chars, like temporal_patterns.sequence_key). */
  @PrimaryColumn({ type: 'varchar', length: 600 })
  sequenceKey: string;

  @Column({ type: 'smallint' })
  steps: number;

  @Column({ type: 'integer' })
  count: number;

  @Column({ type: 'timestamptz' })
  firstSeen: Date;

  @Column({ type: 'timestamptz' })
  lastSeen: Date;

  /** The rest of the aggregate: histograms, distinct days, gap sum, example files. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  data: Record<string, unknown>;
}
