import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthedRequest } from '@/platform/http/principal';
import { clientInfo } from '@/platform/http/client-info';

/** Who is acting and from where: what every audited use case passes to `AuditService.record`. */
export interface AuditContext {
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** The caller (null when anonymous) with the client IP and user agent, for audit rows. */
export const Auditing = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuditContext => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  const { ip, userAgent } = clientInfo(req);
  return { actorId: req.user?.id ?? null, ip, userAgent };
});
