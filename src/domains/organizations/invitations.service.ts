import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { AppConfig } from '@/platform/config/app-config';
import { Transactions } from '@/platform/database/transactions';
import { MailService } from '@/platform/mail/mail.service';
import { normaliseEmail, UsersService } from '@/domains/users';
import type { OrganizationInvitation } from './entities/organization-invitation.entity';
import type { OrgRole } from './entities/organization-member.entity';
import type { Organization } from './entities/organization.entity';
import { InvitationsRepository } from './invitations.repository';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';

export const INVITATION_NOT_FOUND = 'Invitation not found';
const VERIFY_FIRST = 'Verify your email address to see and accept invitations';
const OTHER_ADDRESS = 'This invitation was sent to another email address';
const EXPIRED = 'This invitation has expired; ask for a new one';
const INVITER_GONE = 'This invitation is no longer valid: whoever sent it may no longer grant the owner role; ask for a new one';

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
    private readonly transactions: Transactions,
    private readonly invitations: InvitationsRepository,
    private readonly memberships: MembersRepository,
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
    const { org, invitation } = await this.transactions.run(async (tx) => {
      const org = await this.members.lockOrganization(tx, organizationId);
      if (role === 'owner') await this.members.assertCallerMayManageOwners(tx, organizationId, actor);
      const replaced = await this.invitations.revokeOpenTo(organizationId, address, tx);
      const invitation = await this.invitations.insert(
        { organizationId, email: address, role, tokenHash: hashToken(token), invitedBy: actor.actorId, expiresAt },
        tx,
      );
      await this.record(tx, actor, invitation, 'invite', { email: address, role, expires_at: expiresAt.toISOString(), replaced });
      return { org, invitation };
    });
    await this.mail.sendInvitation(address, token, org.name);
    return { status: 'invited' as const, email: address, role, expires_at: invitation.expiresAt.toISOString() };
  }

  /** The organization's pending (open, unexpired) invitations, newest first. */
  listPending(organizationId: string): Promise<OrganizationInvitation[]> {
    return this.invitations.listPendingOf(organizationId);
  }

  async revoke(organizationId: string, invitationId: string, actor: AuditContext): Promise<void> {
    await this.transactions.run(async (tx) => {
      const invitation = await this.invitations.findOpenForUpdate({ id: invitationId, organizationId }, tx);
      if (!invitation) throw new NotFoundException(INVITATION_NOT_FOUND);
      await this.invitations.markRevoked(invitation.id, tx);
      await this.record(tx, actor, invitation, 'revoke', { email: invitation.email, role: invitation.role });
    });
  }

  /** The caller's pending invitations (their address must be verified). */
  async mine(userId: string): Promise<{ invitation: OrganizationInvitation; organization: Organization }[]> {
    const email = await this.verifiedEmail(userId);
    const rows = await this.invitations.listPendingTo(email);
    return rows.map((invitation) => ({ invitation, organization: invitation.organization! }));
  }

  /** Accepts by id (from GET /api/invitations) or by the mailed token. */
  async accept(userId: string, which: { id: string } | { token: string }, actor: AuditContext) {
    const email = await this.verifiedEmail(userId);
    const result = await this.transactions.run(async (tx) => {
      const invitation = await this.findOpen(tx, email, which);
      await this.members.lockOrganization(tx, invitation.organizationId);
      if (invitation.role === 'owner' && !(await this.inviterIsOwner(tx, invitation))) throw new ConflictException(INVITER_GONE);
      await this.members.insertMember(tx, invitation.organizationId, userId, invitation.role, invitation.invitedBy, actor);
      await this.invitations.markAccepted(invitation.id, userId, tx);
      await this.record(tx, actor, invitation, 'accept', { email, role: invitation.role });
      return invitation;
    });
    await this.members.joined(userId, result.organizationId);
    return { message: 'Invitation accepted', organization_id: result.organizationId, role: result.role };
  }

  async decline(userId: string, id: string, actor: AuditContext): Promise<void> {
    const email = await this.verifiedEmail(userId);
    await this.transactions.run(async (tx) => {
      const invitation = await this.findOpen(tx, email, { id });
      await this.invitations.markDeclined(invitation.id, tx);
      await this.record(tx, actor, invitation, 'decline', { email, role: invitation.role });
    });
  }

  /** An open invitation of this address, locked; a token sent to another address says so. */
  private async findOpen(tx: EntityManager, email: string, which: { id: string } | { token: string }): Promise<OrganizationInvitation> {
    const key = 'token' in which ? { tokenHash: hashToken(which.token) } : { id: which.id, email };
    const invitation = await this.invitations.findOpenForUpdate(key, tx);
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

  private async inviterIsOwner(tx: EntityManager, invitation: OrganizationInvitation): Promise<boolean> {
    if (!invitation.invitedBy) return false;
    const inviter = await this.memberships.find(invitation.organizationId, invitation.invitedBy, tx);
    return inviter?.role === 'owner';
  }

  private record(
    tx: EntityManager,
    actor: AuditContext,
    invitation: OrganizationInvitation,
    action: string,
    details: Record<string, unknown>,
  ) {
    return this.audit.record(tx, {
      ...actor,
      organizationId: invitation.organizationId,
      action,
      resourceType: 'invitation',
      resourceId: invitation.id,
      details,
    });
  }
}
