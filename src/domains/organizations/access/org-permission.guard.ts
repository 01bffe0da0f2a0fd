import { type CanActivate, type ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthedRequest } from '@/platform/http/principal';
import { validationFailed } from '@/platform/http/pipes/validation.pipe';
import { isUuid, ORGANIZATION_NOT_FOUND, OrgAccessService } from './org-access.service';
import { OrgResourceRegistry } from './org-resource.registry';
import {
  ORG_PERMISSION,
  type OrgAccessContext,
  type OrgAccessRequest,
  type OrgPermissionRequirement,
  type OrgSource,
} from '@/platform/http/authorization/require-org-permission.decorator';

type Req = OrgAccessRequest & AuthedRequest;

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, ' ');

/**
 * Global guard (after authentication) enforcing `@RequireOrgPermission(...)`: resolves the
 * organization of the request, checks the caller's role against the permission table, and
 * attaches what it found to the request (`@OrgAccess()`). Routes without the decorator pass.
 */
@Injectable()
export class OrgPermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: OrgAccessService,
    private readonly registry: OrgResourceRegistry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const requirement = this.reflector.getAllAndOverride<OrgPermissionRequirement | undefined>(ORG_PERMISSION, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!requirement) return true;
    const req = context.switchToHttp().getRequest<Req>();
    if (!req.user) throw new UnauthorizedException('Not authenticated');
    req.orgAccess = await this.resolve(req, req.user.id, requirement);
    return true;
  }

  private async resolve(req: Req, userId: string, requirement: OrgPermissionRequirement): Promise<OrgAccessContext> {
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const from: OrgSource = requirement.from ?? { param: 'orgId' in params ? 'orgId' : 'id' };
    const { permission, notMember } = requirement;

    if ('resource' in from) {
      const id = params[from.param ?? 'id'];
      const notFound = from.notFound ?? `${capitalise(from.resource)} not found`;
      if (!isUuid(id)) throw new NotFoundException(notFound);
      const ref = await this.registry.loader(from.resource)(id);
      if (!ref) throw new NotFoundException(notFound);
      const role = await this.access.assertResource(userId, ref, permission, notFound);
      return { organizationId: ref.organizationId, role, resource: { id, ...ref } };
    }

    if ('param' in from) {
      const organizationId = params[from.param];
      if (!isUuid(organizationId)) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
      const role = await this.access.assert(userId, organizationId, permission, { notMember });
      return { organizationId, role };
    }

    const [where, name, value] = this.optionalInput(req, from);
    if (value === undefined || value === null || value === '') return { organizationId: null, role: null };
    if (!isUuid(value)) {
      throw validationFailed([{ loc: [where, name], msg: 'Input should be a valid UUID', type: 'uuid_parsing' }]);
    }
    const role = await this.access.assert(userId, value, permission, { notMember });
    return { organizationId: value, role };
  }

  /** An optional organization id from the body and/or the query string. */
  private optionalInput(req: Req, from: { body: string } | { query: string } | { input: string }): [string, string, unknown] {
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
    const query = (req.query ?? {}) as Record<string, unknown>;
    if ('body' in from) return ['body', from.body, body[from.body]];
    if ('query' in from) return ['query', from.query, query[from.query]];
    return from.input in body ? ['body', from.input, body[from.input]] : ['query', from.input, query[from.input]];
  }
}
