import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { OrgRole, Permission } from './permissions';

export const ORG_PERMISSION = 'floyo:orgPermission';

/**
 * Where the guard finds the organization a request acts on:
 * - `{ param: 'orgId' }` — a route param holding the organization id (default: `orgId`, else `id`);
 * - `{ body: 'organization_id' }`, `{ query: ... }`, `{ input: ... }` (body, else query) — an
 *   OPTIONAL organization id: absent or null means the caller's personal workspace (allowed);
 * - `{ resource: 'workflow', param: 'id' }` — the organization of an existing resource, looked
 *   up through the loader registered for that type in `OrgResourceRegistry`. A personal
 *   resource passes only for its owner; anyone else gets 404.
 */
export type OrgSource =
  { param: string } | { body: string } | { query: string } | { input: string } | { resource: string; param?: string; notFound?: string };

export interface OrgPermissionOptions {
  from?: OrgSource;
  /**
   * What a non-member gets: `not_found` (404, the default — an org you are not in is
   * indistinguishable from a missing one) or `forbidden` (403 `Not a member of this
   * organization`, where the legacy contract says so).
   */
  notMember?: 'not_found' | 'forbidden';
}

export interface OrgPermissionRequirement {
  permission: Permission;
  from?: OrgSource;
  notMember: 'not_found' | 'forbidden';
}

/**
 * The one authorization decorator for organization-scoped routes. Names the permission
 * the route needs; the global OrgPermissionGuard resolves the organization (see
 * `OrgSource`) and the caller's role, and answers 404 (not a member / no such resource),
 * 403 `Insufficient permissions` (member whose role lacks it) or lets the request through
 * with `@OrgAccess()` describing what it found.
 */
export const RequireOrgPermission = (permission: Permission, options: OrgPermissionOptions = {}) =>
  applyDecorators(
    SetMetadata(ORG_PERMISSION, {
      permission,
      from: options.from,
      notMember: options.notMember ?? 'not_found',
    } satisfies OrgPermissionRequirement),
    ApiForbiddenResponse({ description: `Needs the \`${permission}\` permission in the organization` }),
    ApiNotFoundResponse({ description: 'Not found, or an organization the caller is not a member of' }),
  );

/** What the guard resolved for the request (null organization = the caller's personal workspace). */
export interface OrgAccessContext {
  organizationId: string | null;
  /** The caller's role in that organization (null for personal resources). */
  role: OrgRole | null;
  /** For `{ resource }` sources: the resource's owner and organization. */
  resource?: { id: string; ownerId: string; organizationId: string | null };
}

export type OrgAccessRequest = FastifyRequest & { orgAccess?: OrgAccessContext };

/** The OrgAccessContext the guard attached (routes with @RequireOrgPermission only). */
export const OrgAccess = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): OrgAccessContext | undefined => ctx.switchToHttp().getRequest<OrgAccessRequest>().orgAccess,
);
