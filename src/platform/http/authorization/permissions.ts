/** Roles in an organization, weakest last. */
export const ORG_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/**
 * Organization permissions — the legacy RBAC table (backend/rbac.py), verbatim, plus
 * `audit:view` (an org's audit log: owner and admin, per the API contract) and
 * `organization:manage_owners` (granting or taking away the owner role: owners only).
 */
const PERMISSIONS = [
  'event:view',
  'event:create',
  'event:update',
  'event:delete',
  'pattern:view',
  'pattern:create',
  'pattern:update',
  'pattern:delete',
  'workflow:view',
  'workflow:create',
  'workflow:update',
  'workflow:delete',
  'workflow:execute',
  'organization:view',
  'organization:update',
  'organization:delete',
  'organization:invite',
  'organization:remove',
  'organization:update_role',
  'organization:manage_owners',
  'integration:view',
  'integration:create',
  'integration:update',
  'integration:delete',
  'suggestion:view',
  'suggestion:apply',
  'audit:view',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = ['event:view', 'pattern:view', 'workflow:view', 'organization:view', 'integration:view', 'suggestion:view'];

const MEMBER: Permission[] = [
  ...VIEWER,
  'event:create',
  'event:update',
  'pattern:create',
  'pattern:update',
  'workflow:create',
  'workflow:update',
  'workflow:execute',
  'integration:create',
  'integration:update',
  'suggestion:apply',
];

const ADMIN: Permission[] = [
  ...MEMBER,
  'event:delete',
  'pattern:delete',
  'workflow:delete',
  'organization:update',
  'organization:invite',
  'organization:remove',
  'organization:update_role',
  'integration:delete',
  'audit:view',
];

/** What each role may do in its organization (owner: everything). */
const ROLE_PERMISSIONS: Readonly<Record<OrgRole, ReadonlySet<Permission>>> = {
  owner: new Set(PERMISSIONS),
  admin: new Set(ADMIN),
  member: new Set(MEMBER),
  viewer: new Set(VIEWER),
};

export function roleHasPermission(role: OrgRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.has(permission) ?? false;
}
