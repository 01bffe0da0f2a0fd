import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/platform/database/base.columns';
import { User } from '@/domains/users';
import { Organization } from './organization.entity';

export { ORG_ROLES, type OrgRole } from '@/platform/http/authorization/permissions';
import type { OrgRole } from '@/platform/http/authorization/permissions';

@Entity('organization_members')
@Index('uq_organization_members_org_user', ['organizationId', 'userId'], { unique: true })
@Check('ck_organization_members_role', `role IN ('owner', 'admin', 'member', 'viewer')`)
export class OrganizationMember {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Index('idx_organization_members_user')
  @Column('uuid')
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 20 })
  role: OrgRole;

  @Column({ type: 'uuid', nullable: true })
  invitedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invited_by' })
  inviter?: User;

  @CreatedAt()
  joinedAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
