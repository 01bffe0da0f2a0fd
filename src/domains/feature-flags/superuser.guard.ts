import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { AuthedRequest } from '@/platform/http/principal';

/** Admin routes: superusers only (403 for everyone else). Runs after the global auth guard. */
@Injectable()
export class SuperuserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<AuthedRequest>().user;
    if (!user?.isSuperuser) throw new ForbiddenException('Superuser privileges required');
    return true;
  }
}
