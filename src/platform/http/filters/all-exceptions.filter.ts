import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorReporter } from '@/platform/errors/error-reporter';
import { safeErrorMessage } from '@/platform/logging/error-redaction';
import { redactUrl } from '@/platform/logging/logger.config';
import { toErrorResponse } from './error-response';

/**
 * The one exception filter: legacy `{detail}` bodies; 5xx are logged with their error_id
 * (and reported to Sentry when configured), never shown to the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly reporter: ErrorReporter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const { status, body, headers, errorId } = toErrorResponse(exception);
    if (errorId) {
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(
        { err, error_id: errorId, request_id: request.id, method: request.method, url: redactUrl(request.url) },
        // `err` goes through the logger's serializer, which drops SQL values; so must the text
        `unhandled error ${errorId}: ${safeErrorMessage(err)}`,
      );
      this.reporter.capture(err, { error_id: errorId, request_id: String(request.id), route: request.routeOptions?.url });
    }
    if (status === 401 && !headers['www-authenticate'] && !headers['WWW-Authenticate']) {
      headers['WWW-Authenticate'] = 'Bearer';
    }
    if (reply.sent) return;
    void reply.status(status).headers(headers).send(body);
  }
}
