import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '@/platform/http/decorators/public.decorator';
import { UsersService } from '@/domains/users/users.service';
import type { AuthedRequest } from './decorators/current-user.decorator';
import { InvalidTokenError, TokenService } from './token.service';

/**
 * Global guard: every route needs a valid access token unless marked @Public().
 * The token must verify (HS256, exp, type=access) AND its user must be active and its
 * session live — so a revoked session or a deactivated user is refused at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedException('Not authenticated');
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new UnauthorizedException('Invalid authorization header');
    let claims;
    try {
      claims = this.tokens.verifyAccess(token);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new UnauthorizedException(err.message);
      throw err;
    }
    const principal = await this.users.principal(claims.sub, claims.sid);
    if (!principal || principal.deleted_at) throw new UnauthorizedException('User not found');
    if (!principal.is_active) throw new UnauthorizedException('Inactive user');
    if (!principal.session_ok) throw new UnauthorizedException('Session has been revoked or has expired');
    req.user = { id: principal.id, email: principal.email, isSuperuser: principal.is_superuser, sessionId: claims.sid };
    return true;
  }
}
