import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '@/platform/database/base.columns';
import { User } from '@/domains/users';
import type { OrgRole } from './organization-member.entity';
import { Organization } from './organization.entity';

/**
 * An invitation to join an organization, sent to an email address (whether or not it has
 * an account). Single-use: its token is stored only as a SHA-256 hash, and it ends
 * accepted, declined, revoked or expired. At most one pending invitation per address and
 * organization (a new one replaces it).
 */
@Entity('organization_invitations')
@Index('uq_organization_invitations_pending', ['organizationId', 'email'], {
  unique: true,
  where: 'accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL',
})
@Index('idx_organization_invitations_email_pending', ['email'], {
  where: 'accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL',
})
@Check('ck_organization_invitations_role', `role IN ('owner', 'admin', 'member', 'viewer')`)
export class OrganizationInvitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  /** Lower-cased, as accounts' emails are. */
  @Column({ type: 'varchar', length: 255 })
  email: string;

  @Column({ type: 'varchar', length: 20 })
  role: OrgRole;

  @Index('uq_organization_invitations_token', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'uuid', nullable: true })
  invitedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invited_by' })
  inviter?: User;

  @CreatedAt()
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  acceptedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'accepted_by' })
  acceptor?: User;

  @Column({ type: 'timestamptz', nullable: true })
  declinedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
