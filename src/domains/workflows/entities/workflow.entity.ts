import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { UserOwnedEntity } from '@/domains/users';
import { Organization } from '@/domains/organizations';

@Entity('workflows')
@Index('idx_workflows_user_created', ['userId', 'createdAt'])
@Index('idx_workflows_org_created', ['organizationId', 'createdAt'])
@Index('idx_workflows_due', ['nextRunAt'], { where: 'is_active AND next_run_at IS NOT NULL' })
export class Workflow extends UserOwnedEntity {
  @Column({ type: 'uuid', nullable: true })
  organizationId: string | null;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  steps: unknown[];

  @Column({ type: 'jsonb', nullable: true })
  scheduleConfig: Record<string, unknown> | null;

  /**
   * What else starts it: `{type: "activity", match, max_runs_per_minute, include_members}` or
   * `{type: "webhook", max_runs_per_minute}` (its URL and secret: WorkflowHook) — triggers/activity-trigger.ts.
   */
  @Column({ type: 'jsonb', nullable: true })
  trigger: Record<string, unknown> | null;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @Column({ type: 'integer', default: 1 })
  version: number;

  /** Next due time of an active schedule; the ticker claims rows where this is past. */
  @Column({ type: 'timestamptz', nullable: true })
  nextRunAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastRunAt: Date | null;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
