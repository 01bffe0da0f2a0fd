import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { isUniqueViolation } from '@/platform/database/pg-errors';
import { Transactions } from '@/platform/database/transactions';
import { EventBus } from '@/platform/event-bus/event-bus';
import type { User } from '@/domains/users';
import { UsersService } from '@/domains/users';
import { ORGANIZATION_NOT_FOUND } from './access/org-access.service';
import { roleHasPermission } from '@/platform/http/authorization/permissions';
import type { OrganizationMember, OrgRole } from './entities/organization-member.entity';
import type { Organization } from './entities/organization.entity';
import { InvitationsRepository } from './invitations.repository';
import { MembersRepository } from './members.repository';
import { OrganizationsRepository } from './organizations.repository';

const LAST_OWNER = 'An organization must keep at least one owner';

/** What an erased account's organizations became: left (the organization stays) or deleted with it. */
export interface ErasureOutcome {
  left: string[];
  deleted: string[];
}

const OWNERS_ONLY = 'Only an owner can grant or take away the owner role';
const MEMBER_NOT_FOUND = 'Member not found';
const ALREADY_MEMBER = 'User is already a member of this organization';

/**
 * Members and roles. Every change locks the organization row first, so concurrent
 * demotions/removals cannot leave it without an owner (the last one is refused: 409).
 * Granting or taking away the owner role also needs `organization:manage_owners` (owners
 * only), checked against the caller's role re-read under that lock.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly transactions: Transactions,
    private readonly members: MembersRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  async list(organizationId: string): Promise<{ member: OrganizationMember; user?: User }[]> {
    const members = await this.members.listOf(organizationId);
    const users = new Map((await this.users.findManyByIds(members.map((m) => m.userId))).map((u) => [u.id, u]));
    return members.map((member) => ({ member, user: users.get(member.userId) }));
  }

  /**
   * Makes `userId` a member (an accepted invitation), inside the caller's transaction, which
   * must hold the organization's lock (`lockOrganization`); call `joined` after the commit.
   */
  async insertMember(
    tx: EntityManager,
    organizationId: string,
    userId: string,
    role: OrgRole,
    invitedBy: string | null,
    actor: AuditContext,
  ): Promise<OrganizationMember> {
    if (await this.members.exists(organizationId, userId, tx)) throw new ConflictException(ALREADY_MEMBER);
    try {
      const created = await this.members.insert({ organizationId, userId, role, invitedBy }, tx);
      await this.record(tx, actor, organizationId, 'create', created, { user_id: userId, role, invited_by: invitedBy });
      return created;
    } catch (err) {
      if (isUniqueViolation(err, 'uq_organization_members_org_user')) throw new ConflictException(ALREADY_MEMBER);
      throw err;
    }
  }

  /** After a membership was committed: permission caches and the member's live sockets follow. */
  async joined(userId: string, organizationId: string): Promise<void> {
    await this.events.publish('organization.membership.changed', { organizationId, userIds: [userId], change: 'joined' });
  }

  async changeRole(organizationId: string, userId: string, role: OrgRole, actor: AuditContext) {
    const member = await this.transactions.run(async (tx) => {
      await this.lockOrganization(tx, organizationId);
      const member = await this.find(tx, organizationId, userId);
      if (member.role === role) return member;
      if (member.role === 'owner' || role === 'owner') await this.assertCallerMayManageOwners(tx, organizationId, actor);
      if (member.role === 'owner') await this.assertNotLastOwner(tx, organizationId);
      const oldRole = member.role;
      member.role = role;
      const saved = await this.members.save(member, tx);
      await this.record(tx, actor, organizationId, 'update_role', saved, { user_id: userId, old_role: oldRole, new_role: role });
      return saved;
    });
    return { member, user: (await this.users.findById(userId)) ?? undefined };
  }

  /** Removes a member, or (`leaving`) lets the caller leave whatever their role. */
  async remove(organizationId: string, userId: string, actor: AuditContext, leaving = false): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.lockOrganization(tx, organizationId);
      const member = await this.find(tx, organizationId, userId);
      if (member.role === 'owner') {
        if (!leaving) await this.assertCallerMayManageOwners(tx, organizationId, actor);
        await this.assertNotLastOwner(tx, organizationId);
      }
      await this.members.delete(member.id, tx);
      await this.record(tx, actor, organizationId, 'delete', member, {
        user_id: userId,
        role: member.role,
        ...(leaving ? { left: true } : {}),
      });
    });
    await this.events.publish('organization.membership.changed', { organizationId, userIds: [userId], change: 'left' });
  }

  /**
   * An account being erased leaves every organization, inside the erasure's transaction:
   * an organization whose only member it is goes with it; in the others its membership ends
   * (audited there, with what the organization keeps of its work), and invitations to its
   * address are deleted. The last owner of an
   * organization that has other members is refused (409 naming them): ownership must be
   * handed over first. Call `erased` after the commit.
   */
  async leaveAllForErasure(tx: EntityManager, userId: string, actor: AuditContext): Promise<ErasureOutcome> {
    const rows = await this.members.erasureMemberships(userId, tx);
    const blocked = rows.filter((r) => r.role === 'owner' && r.owners === 1 && r.members > 1);
    if (blocked.length) {
      throw new ConflictException({
        detail:
          `You are the last owner of ${blocked.map((o) => `${o.name} (${o.slug})`).join(', ')}, which ` +
          `${blocked.length === 1 ? 'has' : 'have'} other members: make one of them an owner, or delete the organization, before deleting your account`,
        organizations: blocked.map((o) => ({ id: o.id, name: o.name, slug: o.slug })),
      });
    }
    // invitations addressed to the account's email (its personal data); those it sent stay with their organizations
    await this.invitations.deleteAddressedTo(userId, tx);
    const outcome: ErasureOutcome = { left: [], deleted: [] };
    for (const org of rows) {
      if (org.members === 1) {
        await this.audit.record(tx, {
          ...actor,
          organizationId: org.id,
          action: 'delete',
          resourceType: 'organization',
          resourceId: org.id,
          details: { name: org.name, slug: org.slug, member_count: 1, reason: 'account_deleted' },
        });
        await this.organizations.delete(org.id, tx);
        outcome.deleted.push(org.id);
        continue;
      }
      await this.members.delete(org.member_id, tx);
      await this.audit.record(tx, {
        ...actor,
        organizationId: org.id,
        action: 'delete',
        resourceType: 'organization_member',
        resourceId: org.member_id,
        details: {
          user_id: userId,
          role: org.role,
          account_deleted: true,
          kept: { workflows: org.workflows, integrations: org.integrations },
        },
      });
      outcome.left.push(org.id);
    }
    return outcome;
  }

  /** After an erasure was committed: permission caches and live sockets follow. */
  async erased(userId: string, outcome: ErasureOutcome): Promise<void> {
    for (const organizationId of outcome.left) {
      await this.events.publish('organization.membership.changed', { organizationId, userIds: [userId], change: 'left' });
    }
    for (const organizationId of outcome.deleted) {
      await this.events.publish('organization.membership.changed', { organizationId, userIds: [userId], change: 'deleted' });
    }
  }

  /** Re-reads the caller's role under the organization lock (it may have changed since the guard ran). */
  async assertCallerMayManageOwners(tx: EntityManager, organizationId: string, actor: AuditContext): Promise<void> {
    const caller = actor.actorId ? await this.members.find(organizationId, actor.actorId, tx) : null;
    if (!caller || !roleHasPermission(caller.role, 'organization:manage_owners')) throw new ForbiddenException(OWNERS_ONLY);
  }

  private async assertNotLastOwner(tx: EntityManager, organizationId: string): Promise<void> {
    const owners = await this.members.countOwners(organizationId, tx);
    if (owners <= 1) throw new ConflictException(LAST_OWNER);
  }

  /** Serialises membership changes of one organization (FOR UPDATE on its row); returns it. */
  async lockOrganization(tx: EntityManager, organizationId: string): Promise<Organization> {
    const org = await this.organizations.findForUpdate(organizationId, tx);
    if (!org) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
    return org;
  }

  private async find(tx: EntityManager, organizationId: string, userId: string): Promise<OrganizationMember> {
    const member = await this.members.find(organizationId, userId, tx);
    if (!member) throw new NotFoundException(MEMBER_NOT_FOUND);
    return member;
  }

  private record(
    tx: EntityManager,
    actor: AuditContext,
    organizationId: string,
    action: string,
    member: OrganizationMember,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(tx, {
      ...actor,
      organizationId,
      action,
      resourceType: 'organization_member',
      resourceId: member.id,
      details,
    });
  }
}
