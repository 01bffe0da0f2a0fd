import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { UserOwnedEntity } from '@/domains/users';

@Entity('suggestions')
@Index('idx_suggestions_user_rank', ['userId', 'confidence', 'createdAt'])
@Index('uq_suggestions_user_rule_evidence', ['userId', 'ruleId', 'evidenceKey'], {
  unique: true,
  where: 'rule_id IS NOT NULL',
})
export class Suggestion extends UserOwnedEntity {
  @Column({ type: 'text' })
  trigger: string;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  toolsInvolved: string[];

  /** What to automate, as the card's title (human-readable, as the legacy service wrote it). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  suggestedIntegration: string | null;

  /** The connector's service type (`dropbox`, `s3`, …); null when none is needed (a scheduled routine). */
  @Column({ type: 'varchar', length: 50, nullable: true })
  suggestedConnector: string | null;

  @Column({ type: 'text', nullable: true })
  sampleCode: string | null;

  @Column({ type: 'text', nullable: true })
  reasoning: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  actualFiles: string[];

  @Column({ type: 'double precision', default: 0 })
  confidence: number;

  @Column({ type: 'boolean', default: false })
  isDismissed: boolean;

  @Column({ type: 'boolean', default: false })
  isApplied: boolean;

  @Column({ type: 'boolean', default: false })
  isBookmarked: boolean;

  /** The catalogue rule that produced it and the evidence it rests on (dedup key). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  ruleId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  evidenceKey: string | null;

  /** What the engine needs to turn it into a workflow (matched steps, schedule); never a path. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
