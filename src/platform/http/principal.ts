import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The authenticated caller: who the authentication guard (domains/auth) attached to the
 * request. Infrastructure (logs, rate limits) and every domain read it from here.
 */
export interface AuthUser {
  id: string;
  email: string;
  isSuperuser: boolean;
  sessionId: string;
}

export type AuthedRequest = FastifyRequest & { user?: AuthUser };

/** The authenticated caller (routes behind the global auth guard). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest<AuthedRequest>().user!,
);
