import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '@/platform/database/base.columns';
import { User } from '@/domains/users';
import { Workflow } from './workflow.entity';

export type ExecutionStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

@Entity('workflow_executions')
@Index('idx_workflow_executions_workflow_created', ['workflowId', 'createdAt'])
@Index('idx_workflow_executions_created', ['createdAt'])
// One execution per (workflow, due time): a duplicate tick or a racing worker cannot double-run.
@Index('uq_workflow_executions_scheduled', ['workflowId', 'scheduledFor'], { unique: true })
// A dry run's key is stored as `dry-run <sha256 of the key>` (a space: never a real run's key), see ExecutionsService.
@Index('uq_workflow_executions_idempotency', ['workflowId', 'idempotencyKey'], {
  unique: true,
  where: 'idempotency_key IS NOT NULL',
})
// The executions still in play (a small set): the per-owner slot accounting reads only these.
@Index('idx_workflow_executions_open', ['workflowId', 'createdAt'], { where: "status IN ('pending', 'running')" })
@Check('ck_workflow_executions_status', `status IN ('pending', 'running', 'completed', 'failed', 'cancelled')`)
export class WorkflowExecution {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  workflowId: string;

  @ManyToOne(() => Workflow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id' })
  workflow?: Workflow;

  @Column({ type: 'uuid', nullable: true })
  triggeredBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'triggered_by' })
  triggeredByUser?: User;

  /** manual | schedule | suggestion | activity | webhook */
  @Column({ type: 'varchar', length: 20, default: 'manual' })
  triggerType: string;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status: ExecutionStatus;

  @Column({ type: 'timestamptz', nullable: true })
  scheduledFor: Date | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'jsonb', nullable: true })
  triggerData: Record<string, unknown> | null;

  /** Per step: started_at, finished_at, status, attempts, output or error (bounded). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  executionLog: unknown[];

  @Column({ type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  /** Holds one of its owner's WORKFLOW_MAX_RUNNING_PER_OWNER slots (a step is running). */
  @Column({ type: 'boolean', default: false })
  holdsSlot: boolean;

  /** Parked in a delay step until then: no slot, no worker; a delayed job resumes it. */
  @Column({ type: 'timestamptz', nullable: true })
  resumeAt: Date | null;

  /** The delay step it is parked in: `{step_id, started_at}`. */
  @Column({ type: 'jsonb', nullable: true })
  parkedStep: { step_id: string; started_at: string } | null;

  /** Time spent parked so far (not counted against WORKFLOW_EXECUTION_TIMEOUT_MS). */
  @Column({ type: 'bigint', default: 0 })
  parkedMs: string;

  /** Numbers the continuation jobs (`<id>:w<n>`) that resume it after a wait or a delay. */
  @Column({ type: 'integer', default: 0 })
  wakeSeq: number;

  /** A dry run: the steps run with templating resolved but nothing is sent (POST …/execute `dry_run`). */
  @Column({ type: 'boolean', default: false })
  dryRun: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @CreatedAt()
  createdAt: Date;
}
