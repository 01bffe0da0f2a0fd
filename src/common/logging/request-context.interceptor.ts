import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Observable } from 'rxjs';
import type { AuthedRequest } from '../../auth/decorators/current-user.decorator';

/** Adds the user id and the matched route to the request's log line (after the auth guard ran). */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<AuthedRequest>();
      try {
        this.logger.assign({ user_id: req.user?.id, route: req.routeOptions?.url });
      } catch {
        // outside the logging middleware's scope (unprefixed routes): nothing to enrich
      }
    }
    return next.handle();
  }
}
