import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '@/platform/database/base.columns';
import { User } from '@/domains/users';

/** Append-only trail; actor and org are kept nullable so the trail outlives them. */
@Entity('audit_logs')
@Index('idx_audit_logs_user_created', ['userId', 'createdAt'])
@Index('idx_audit_logs_org_created', ['organizationId', 'createdAt'])
export class AuditLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid', nullable: true })
  organizationId: string | null;

  // named, not imported: the organizations domain writes the trail, so the trail does not import it
  @ManyToOne('Organization', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'organization_id' })
  organization?: unknown;

  @Column({ type: 'varchar', length: 50 })
  action: string;

  @Column({ type: 'varchar', length: 50 })
  resourceType: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  resourceId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ipAddress: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details: Record<string, unknown>;

  @CreatedAt()
  createdAt: Date;
}
