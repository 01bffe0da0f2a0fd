import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditContext } from '../audit/audit-context.decorator';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/pg-errors';
import { FeatureFlagsService } from '../feature-flags/feature-flags.service';
import { RealtimeService } from '../realtime/realtime.service';
import type { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { ORGANIZATION_NOT_FOUND } from './access/org-access.service';
import { roleHasPermission } from './access/permissions';
import { OrganizationMember, type OrgRole } from './entities/organization-member.entity';
import { Organization } from './entities/organization.entity';

export const LAST_OWNER = 'An organization must keep at least one owner';
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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly flags: FeatureFlagsService,
    private readonly realtime: RealtimeService,
  ) {}

  async list(organizationId: string): Promise<{ member: OrganizationMember; user?: User }[]> {
    const members = await this.dataSource.manager.find(OrganizationMember, {
      where: { organizationId },
      order: { joinedAt: 'ASC' },
    });
    const users = new Map((await this.users.findManyByIds(members.map((m) => m.userId))).map((u) => [u.id, u]));
    return members.map((member) => ({ member, user: users.get(member.userId) }));
  }

  async add(organizationId: string, email: string, role: OrgRole, actor: AuditContext) {
    const user = await this.users.findByEmail(email);
    if (!user || !user.isActive) throw new NotFoundException('User not found');
    let member: OrganizationMember;
    try {
      member = await this.dataSource.transaction(async (em) => {
        await this.lockOrganization(em, organizationId);
        if (role === 'owner') await this.assertCallerMayManageOwners(em, organizationId, actor);
        if (await em.existsBy(OrganizationMember, { organizationId, userId: user.id })) throw new ConflictException(ALREADY_MEMBER);
        const created = await em.save(
          em.create(OrganizationMember, { organizationId, userId: user.id, role, invitedBy: actor.actorId }),
        );
        await this.record(em, actor, organizationId, 'create', created, { user_id: user.id, role });
        return created;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'uq_organization_members_org_user')) throw new ConflictException(ALREADY_MEMBER);
      throw err;
    }
    await this.flags.forgetMemberships([user.id]);
    this.realtime.joinOrg(user.id, organizationId);
    return { member, user };
  }

  async changeRole(organizationId: string, userId: string, role: OrgRole, actor: AuditContext) {
    const member = await this.dataSource.transaction(async (em) => {
      await this.lockOrganization(em, organizationId);
      const member = await this.find(em, organizationId, userId);
      if (member.role === role) return member;
      if (member.role === 'owner' || role === 'owner') await this.assertCallerMayManageOwners(em, organizationId, actor);
      if (member.role === 'owner') await this.assertNotLastOwner(em, organizationId);
      const oldRole = member.role;
      member.role = role;
      const saved = await em.save(member);
      await this.record(em, actor, organizationId, 'update_role', saved, { user_id: userId, old_role: oldRole, new_role: role });
      return saved;
    });
    return { member, user: (await this.users.findById(userId)) ?? undefined };
  }

  /** Removes a member, or (`leaving`) lets the caller leave whatever their role. */
  async remove(organizationId: string, userId: string, actor: AuditContext, leaving = false): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.lockOrganization(em, organizationId);
      const member = await this.find(em, organizationId, userId);
      if (member.role === 'owner') {
        if (!leaving) await this.assertCallerMayManageOwners(em, organizationId, actor);
        await this.assertNotLastOwner(em, organizationId);
      }
      await em.delete(OrganizationMember, { id: member.id });
      await this.record(em, actor, organizationId, 'delete', member, {
        user_id: userId,
        role: member.role,
        ...(leaving ? { left: true } : {}),
      });
    });
    await this.flags.forgetMemberships([userId]);
    this.realtime.leaveOrg(userId, organizationId);
  }

  /** Re-reads the caller's role under the organization lock (it may have changed since the guard ran). */
  private async assertCallerMayManageOwners(em: EntityManager, organizationId: string, actor: AuditContext): Promise<void> {
    const caller = actor.actorId ? await em.findOneBy(OrganizationMember, { organizationId, userId: actor.actorId }) : null;
    if (!caller || !roleHasPermission(caller.role, 'organization:manage_owners')) throw new ForbiddenException(OWNERS_ONLY);
  }

  private async assertNotLastOwner(em: EntityManager, organizationId: string): Promise<void> {
    const owners = await em.count(OrganizationMember, { where: { organizationId, role: 'owner' } });
    if (owners <= 1) throw new ConflictException(LAST_OWNER);
  }

  /** Serialises membership changes of one organization (FOR UPDATE on its row). */
  private async lockOrganization(em: EntityManager, organizationId: string): Promise<void> {
    const org = await em.findOne(Organization, {
      where: { id: organizationId },
      select: { id: true },
      lock: { mode: 'pessimistic_write' },
    });
    if (!org) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
  }

  private async find(em: EntityManager, organizationId: string, userId: string): Promise<OrganizationMember> {
    const member = await em.findOneBy(OrganizationMember, { organizationId, userId });
    if (!member) throw new NotFoundException(MEMBER_NOT_FOUND);
    return member;
  }

  private record(
    em: EntityManager,
    actor: AuditContext,
    organizationId: string,
    action: string,
    member: OrganizationMember,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(em, {
      ...actor,
      organizationId,
      action,
      resourceType: 'organization_member',
      resourceId: member.id,
      details,
    });
  }
}
