import { type CanActivate, type ExecutionContext, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthedRequest } from '@/platform/http/principal';
import { FeatureFlagsService } from './feature-flags.service';
import { featureLabel } from './flag-evaluation';
import { REQUIRED_FEATURE } from '@/platform/http/decorators/require-feature.decorator';

/**
 * Global guard (after authentication and rate limiting) behind `@RequireFeature(flag)`:
 * 503 `{detail: "<Feature> is temporarily disabled"}` while the flag is off for the caller
 * (the user and their organizations; anonymous routes evaluate without a subject).
 * A kill switch whose flag row does not exist counts as on: a missing row must not take
 * a route down.
 */
@Injectable()
export class FeatureFlagGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly flags: FeatureFlagsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const flag = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_FEATURE, [context.getHandler(), context.getClass()]);
    if (!flag) return true;
    const user = context.switchToHttp().getRequest<AuthedRequest>().user;
    const on = await this.flags.isEnabled(flag, user ? { userId: user.id } : {}, { whenMissing: true });
    if (!on) throw new ServiceUnavailableException({ detail: `${featureLabel(flag)} is temporarily disabled` });
    return true;
  }
}
