import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response';

/** The one exception filter: legacy `{detail}` bodies; 5xx logged with their error_id. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    sendError(reply, request, exception, this.logger);
  }
}

export function sendError(reply: FastifyReply, request: FastifyRequest, exception: unknown, logger: Logger): void {
  const { status, body, headers, errorId } = toErrorResponse(exception);
  if (errorId) {
    const err = exception instanceof Error ? exception : new Error(String(exception));
    logger.error(
      { err, error_id: errorId, request_id: request.id, method: request.method, url: request.url },
      `unhandled error ${errorId}: ${err.message}`,
    );
  }
  if (status === 401 && !headers['www-authenticate'] && !headers['WWW-Authenticate']) {
    headers['WWW-Authenticate'] = 'Bearer';
  }
  if (reply.sent) return;
  void reply.status(status).headers(headers).send(body);
}
