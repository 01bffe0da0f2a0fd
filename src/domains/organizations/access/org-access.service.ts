import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OrgRole } from '../entities/organization-member.entity';
import { OrgAccessRepository } from './org-access.repository';
import type { OrgResourceRef } from './org-resource.registry';
import { type Permission, roleHasPermission } from '@/platform/http/authorization/permissions';

export const NOT_A_MEMBER = 'Not a member of this organization';
const INSUFFICIENT_PERMISSIONS = 'Insufficient permissions';
export const ORGANIZATION_NOT_FOUND = 'Organization not found';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export interface AssertOptions {
  /** 404 (default) or 403 `Not a member of this organization` for a non-member. */
  notMember?: 'not_found' | 'forbidden';
  /** Lock the membership row (FOR SHARE) inside `em`'s transaction. */
  em?: EntityManager;
}

/**
 * Answers "may this user do X in this organization?" from the membership table and the
 * role → permission table. The permission guard uses it for routes; services use
 * `assert()` for checks a route cannot express (e.g. a workflow moved to another org).
 */
@Injectable()
export class OrgAccessService {
  constructor(private readonly members: OrgAccessRepository) {}

  /** The user's role in the organization, or null when not a member (or not a valid id). */
  async roleOf(userId: string, organizationId: string, em?: EntityManager): Promise<OrgRole | null> {
    if (!isUuid(organizationId)) return null;
    return this.members.roleOf(userId, organizationId, em);
  }

  async can(userId: string, organizationId: string, permission: Permission): Promise<boolean> {
    const role = await this.roleOf(userId, organizationId);
    return !!role && roleHasPermission(role, permission);
  }

  /**
   * Throws unless the user holds `permission` in the organization: a non-member gets 404
   * `Organization not found` (or 403 `Not a member of this organization`), a member
   * whose role lacks the permission 403 `Insufficient permissions`. Returns the role.
   */
  async assert(userId: string, organizationId: string, permission: Permission, options: AssertOptions = {}): Promise<OrgRole> {
    const role = await this.roleOf(userId, organizationId, options.em);
    if (!role) {
      if (options.notMember === 'forbidden') throw new ForbiddenException(NOT_A_MEMBER);
      throw new NotFoundException(ORGANIZATION_NOT_FOUND);
    }
    if (!roleHasPermission(role, permission)) throw new ForbiddenException(INSUFFICIENT_PERMISSIONS);
    return role;
  }

  /**
   * The same rule for an org-scoped resource: a personal resource (no organization) is
   * reachable only by its owner, an org resource by members whose role has `permission`;
   * everyone else gets 404 `notFound` (never a hint that the resource exists).
   */
  async assertResource(userId: string, ref: OrgResourceRef, permission: Permission, notFound: string): Promise<OrgRole | null> {
    if (!ref.organizationId) {
      if (ref.ownerId !== userId) throw new NotFoundException(notFound);
      return null;
    }
    const role = await this.roleOf(userId, ref.organizationId);
    if (!role) throw new NotFoundException(notFound);
    if (!roleHasPermission(role, permission)) throw new ForbiddenException(INSUFFICIENT_PERMISSIONS);
    return role;
  }

  /** Ids of every organization the user belongs to. */
  organizationIdsOf(userId: string): Promise<string[]> {
    return this.members.organizationIdsOf(userId);
  }
}
