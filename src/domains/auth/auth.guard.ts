import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticationError, bearerToken } from '@/platform/http/authenticator';
import { IS_PUBLIC } from '@/platform/http/decorators/public.decorator';
import type { AuthedRequest } from '@/platform/http/principal';
import { AuthService } from './auth.service';

/**
 * Global guard: every route needs a valid access token unless marked @Public(); the check
 * is AuthService.authenticate (a live user and session, so a revocation applies at once).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    if (!req.headers.authorization) throw new UnauthorizedException('Not authenticated');
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedException('Invalid authorization header');
    try {
      const { id, email, isSuperuser, sessionId } = await this.auth.authenticate(token);
      req.user = { id, email, isSuperuser, sessionId };
    } catch (err) {
      if (err instanceof AuthenticationError) throw new UnauthorizedException(err.message);
      throw err;
    }
    return true;
  }
}
