import { type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerOptions } from '@nestjs/throttler';
import { THROTTLER_SKIP } from '@nestjs/throttler/dist/throttler.constants';
import type { AuthedRequest } from '@/platform/http/principal';
import { AppConfig } from '@/platform/config/app-config';
import { MetricsService } from '@/platform/metrics/metrics.service';
import { tooManyRequests } from '@/platform/http/http-errors';
import { OccasionalWarning } from '@/platform/logging/occasional-warning';

const HEADER = /^X-RateLimit-(Limit|Remaining|Reset)-(\w+)$/;
const STATE = Symbol('floyo.rateLimitHeaders');

interface LimitView {
  limit?: number;
  remaining?: number;
  reset?: number;
}

type HeaderState = { best?: Required<LimitView>; pending: Record<string, LimitView> };

/**
 * Tracks by user id when authenticated, else by client IP (Fastify's `trustProxy`, from
 * TRUST_PROXY, decides whether X-Forwarded-For counts). Besides the per-throttler
 * headers (`X-RateLimit-Limit-minute`, …) it sends plain `X-RateLimit-Limit/Remaining/
 * Reset` for the most restrictive limit of the request. Fails open when Redis is down:
 * requests are served, counted in floyo_rate_limit_fail_open_total, and a warning is
 * logged at most once a minute. HTTP only: a Socket.IO message has neither a user nor an
 * IP here (every socket of every user shared one `ip:undefined` budget per handler), and
 * the gateway limits each socket's messages itself (SOCKET_MESSAGES_PER_10S).
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  private readonly warning = new OccasionalWarning(new Logger('RateLimit'));
  @Inject(MetricsService) private readonly metrics!: MetricsService;
  @Inject(AppConfig) private readonly config!: AppConfig;

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as AuthedRequest;
    return Promise.resolve(r.user ? `user:${r.user.id}` : `ip:${r.ip}`);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.rateLimit.enabled || context.getType() !== 'http') return true;
    try {
      return await this.hitAll(context);
    } catch (err) {
      if (err instanceof ThrottlerException || (err as { getStatus?: () => number }).getStatus?.() === 429) throw err;
      this.metrics.rateLimitFailOpen.inc();
      this.warning.warn(`rate-limit storage unavailable, failing open: ${(err as Error).message}`);
      return true;
    }
  }

  /**
   * The library's loop (skip metadata, skipIf, then one hit per named limit), except that
   * the hits of all the limits that apply are sent together — one pipelined write to
   * Redis — instead of one round trip after another. (Route-level `@Throttle()` overrides
   * are not read: limits here are named throttlers selected with `skipIf`/@RouteLimit.)
   */
  private async hitAll(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    const targets = [context.getHandler(), context.getClass()];
    const value = async (v: ThrottlerOptions['limit'] | undefined): Promise<number> =>
      Number(typeof v === 'function' ? await (v as (ctx: ExecutionContext) => number | Promise<number>)(context) : v);
    const hits: Promise<boolean>[] = [];
    for (const throttler of this.throttlers) {
      if (this.reflector.getAllAndOverride<boolean>(THROTTLER_SKIP + throttler.name, targets)) continue;
      if ((throttler.skipIf ?? this.commonOptions.skipIf)?.(context)) continue;
      const ttl = await value(throttler.ttl);
      hits.push(
        this.handleRequest({
          context,
          limit: await value(throttler.limit),
          ttl,
          throttler,
          blockDuration: throttler.blockDuration === undefined ? ttl : await value(throttler.blockDuration),
          getTracker: throttler.getTracker ?? this.commonOptions.getTracker ?? this.getTracker.bind(this),
          generateKey: throttler.generateKey ?? this.commonOptions.generateKey ?? this.generateKey.bind(this),
        }),
      );
    }
    return (await Promise.all(hits)).every(Boolean);
  }

  protected override setResponseHeader(res: Record<string, unknown>, name: string, value: string | number): void {
    super.setResponseHeader(res, name, value);
    const m = HEADER.exec(name);
    if (!m) return;
    const state = ((res as { [STATE]?: HeaderState })[STATE] ??= { pending: {} });
    const view = (state.pending[m[2]] ??= {});
    view[m[1].toLowerCase() as keyof LimitView] = Number(value);
    if (view.limit === undefined || view.remaining === undefined || view.reset === undefined) return;
    if (!state.best || view.remaining < state.best.remaining) {
      state.best = view as Required<LimitView>;
      super.setResponseHeader(res, 'X-RateLimit-Limit', view.limit);
      super.setResponseHeader(res, 'X-RateLimit-Remaining', view.remaining);
      super.setResponseHeader(res, 'X-RateLimit-Reset', view.reset);
    }
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire;
    throw tooManyRequests('Rate limit exceeded. Try again later.', retryAfter);
  }
}
