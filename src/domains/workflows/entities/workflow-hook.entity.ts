import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { SecretEnvelope } from '@/platform/crypto/secret-box';
import { CreatedAt } from '@/platform/database/base.columns';
import { Workflow } from './workflow.entity';

/**
 * The inbound URL of a workflow with a webhook trigger (`POST /api/hooks/{id}`) and its
 * signing secret. The id is random (128 bits, base64url): unguessable. The secret is kept
 * only encrypted (SecretBox, bound to the hook id): the HMAC needs its plaintext.
 */
@Entity('workflow_hooks')
@Index('uq_workflow_hooks_workflow', ['workflowId'], { unique: true })
export class WorkflowHook {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column('uuid')
  workflowId: string;

  @ManyToOne(() => Workflow, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id' })
  workflow?: Workflow;

  /** The signing secret, encrypted (AES-256-GCM; AAD `workflow_hooks:<id>:secret`). */
  @Column({ type: 'jsonb' })
  secret: SecretEnvelope;

  @CreatedAt()
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;
}
