import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { AuthedRequest } from '../../auth/decorators/current-user.decorator';
import { tooManyRequests } from '../http/http-errors';

/**
 * Tracks by user id when authenticated, else by client IP (Fastify's `trustProxy`, from
 * TRUST_PROXY, decides whether X-Forwarded-For counts). Fails open when Redis is down:
 * requests are served, a warning is logged at most once a minute.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  private readonly log = new Logger('RateLimit');
  private lastWarning = 0;

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as AuthedRequest;
    return Promise.resolve(r.user ? `user:${r.user.id}` : `ip:${r.ip}`);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await super.canActivate(context);
    } catch (err) {
      if (err instanceof ThrottlerException || (err as { getStatus?: () => number }).getStatus?.() === 429) throw err;
      const now = Date.now();
      if (now - this.lastWarning > 60_000) {
        this.lastWarning = now;
        this.log.warn(`rate-limit storage unavailable, failing open: ${(err as Error).message}`);
      }
      return true;
    }
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire;
    throw tooManyRequests('Rate limit exceeded. Try again later.', retryAfter);
  }
}
