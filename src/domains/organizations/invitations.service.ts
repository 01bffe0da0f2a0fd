import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager, IsNull, MoreThan } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { AppConfig } from '@/platform/config/app-config';
import { MailService } from '@/platform/mail/mail.service';
import { normaliseEmail, UsersService } from '@/domains/users';
import { OrganizationInvitation } from './entities/organization-invitation.entity';
import { OrganizationMember, type OrgRole } from './entities/organization-member.entity';
import { Organization } from './entities/organization.entity';
import { MembersService } from './members.service';

export const INVITATION_NOT_FOUND = 'Invitation not found';
const VERIFY_FIRST = 'Verify your email address to see and accept invitations';
const OTHER_ADDRESS = 'This invitation was sent to another email address';
const EXPIRED = 'This invitation has expired; ask for a new one';
const INVITER_GONE = 'This invitation is no longer valid: whoever sent it may no longer grant the owner role; ask for a new one';

/** Still open: neither accepted, declined nor revoked (expiry is checked separately). */
const OPEN = { acceptedAt: IsNull(), declinedAt: IsNull(), revokedAt: IsNull() } as const;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Organization invitations: joining needs the invitee's consent. An inviter sends an
 * invitation to an email address — the answer is the same whether or not the address has an
 * account, and nothing of an account is looked up or shown. A single-use token (stored as
 * its SHA-256) goes out by mail; the invitee, signed in with that verified address, accepts
 * (becoming a member with the invited role) or declines. Inviters list and revoke pending
 * invitations. Every step is audited in the organization's trail.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly members: MembersService,
    private readonly users: UsersService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** Invites `email` (replacing a pending invitation of the same address) and mails the token. */
  async invite(organizationId: string, email: string, role: OrgRole, actor: AuditContext & { actorId: string }) {
    const address = normaliseEmail(email);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.auth.invitationTtlSeconds * 1000);
    const { org, invitation } = await this.dataSource.transaction(async (em) => {
      const org = await this.members.lockOrganization(em, organizationId);
      if (role === 'owner') await this.members.assertCallerMayManageOwners(em, organizationId, actor);
      const replaced = await em.update(OrganizationInvitation, { organizationId, email: address, ...OPEN }, { revokedAt: new Date() });
      const invitation = await em.save(
        em.create(OrganizationInvitation, { organizationId, email: address, role, tokenHash: hashToken(token), invitedBy: actor.actorId, expiresAt }),
      );
      await this.record(em, actor, invitation, 'invite', { email: address, role, expires_at: expiresAt.toISOString(), replaced: replaced.affected ?? 0 });
      return { org, invitation };
    });
    await this.mail.sendInvitation(address, token, org.name);
    return { status: 'invited' as const, email: address, role, expires_at: invitation.expiresAt.toISOString() };
  }

  /** The organization's pending (open, unexpired) invitations, newest first. */
  listPending(organizationId: string): Promise<OrganizationInvitation[]> {
    return this.dataSource.manager.find(OrganizationInvitation, {
      where: { organizationId, ...OPEN, expiresAt: MoreThan(new Date()) },
      order: { createdAt: 'DESC' },
    });
  }

  async revoke(organizationId: string, invitationId: string, actor: AuditContext): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const invitation = await em.findOne(OrganizationInvitation, {
        where: { id: invitationId, organizationId, ...OPEN },
        lock: { mode: 'pessimistic_write' },
      });
      if (!invitation) throw new NotFoundException(INVITATION_NOT_FOUND);
      await em.update(OrganizationInvitation, { id: invitation.id }, { revokedAt: new Date() });
      await this.record(em, actor, invitation, 'revoke', { email: invitation.email, role: invitation.role });
    });
  }

  /** The caller's pending invitations (their address must be verified). */
  async mine(userId: string): Promise<{ invitation: OrganizationInvitation; organization: Organization }[]> {
    const email = await this.verifiedEmail(userId);
    const rows = await this.dataSource.manager.find(OrganizationInvitation, {
      where: { email, ...OPEN, expiresAt: MoreThan(new Date()) },
      relations: { organization: true },
      order: { createdAt: 'DESC' },
    });
    return rows.map((invitation) => ({ invitation, organization: invitation.organization! }));
  }

  /** Accepts by id (from GET /api/invitations) or by the mailed token. */
  async accept(userId: string, which: { id: string } | { token: string }, actor: AuditContext) {
    const email = await this.verifiedEmail(userId);
    const result = await this.dataSource.transaction(async (em) => {
      const invitation = await this.findOpen(em, email, which);
      await this.members.lockOrganization(em, invitation.organizationId);
      if (invitation.role === 'owner' && !(await this.inviterIsOwner(em, invitation))) throw new ConflictException(INVITER_GONE);
      await this.members.insertMember(em, invitation.organizationId, userId, invitation.role, invitation.invitedBy, actor);
      await em.update(OrganizationInvitation, { id: invitation.id }, { acceptedAt: new Date(), acceptedBy: userId });
      await this.record(em, actor, invitation, 'accept', { email, role: invitation.role });
      return invitation;
    });
    await this.members.joined(userId, result.organizationId);
    return { message: 'Invitation accepted', organization_id: result.organizationId, role: result.role };
  }

  async decline(userId: string, id: string, actor: AuditContext): Promise<void> {
    const email = await this.verifiedEmail(userId);
    await this.dataSource.transaction(async (em) => {
      const invitation = await this.findOpen(em, email, { id });
      await em.update(OrganizationInvitation, { id: invitation.id }, { declinedAt: new Date() });
      await this.record(em, actor, invitation, 'decline', { email, role: invitation.role });
    });
  }

  /** An open invitation of this address, locked; a token sent to another address says so. */
  private async findOpen(em: EntityManager, email: string, which: { id: string } | { token: string }): Promise<OrganizationInvitation> {
    const invitation = await em.findOne(OrganizationInvitation, {
      where: 'token' in which ? { tokenHash: hashToken(which.token), ...OPEN } : { id: which.id, email, ...OPEN },
      lock: { mode: 'pessimistic_write' },
    });
    if (!invitation) throw new NotFoundException(INVITATION_NOT_FOUND);
    if (invitation.email !== email) throw new ForbiddenException(OTHER_ADDRESS);
    if (invitation.expiresAt.getTime() <= Date.now()) throw new BadRequestException(EXPIRED);
    return invitation;
  }

  private async verifiedEmail(userId: string): Promise<string> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundException('User not found');
    if (!user.emailVerified) throw new ForbiddenException(VERIFY_FIRST);
    return normaliseEmail(user.email);
  }

  private async inviterIsOwner(em: EntityManager, invitation: OrganizationInvitation): Promise<boolean> {
    if (!invitation.invitedBy) return false;
    const inviter = await em.findOneBy(OrganizationMember, { organizationId: invitation.organizationId, userId: invitation.invitedBy });
    return inviter?.role === 'owner';
  }

  private record(em: EntityManager, actor: AuditContext, invitation: OrganizationInvitation, action: string, details: Record<string, unknown>) {
    return this.audit.record(em, {
      ...actor,
      organizationId: invitation.organizationId,
      action,
      resourceType: 'invitation',
      resourceId: invitation.id,
      details,
    });
  }
}
