import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import type { AuthedRequest } from '@/platform/http/principal';
import { currentRequestId, redactUrl } from './logger.config';

/** Probes and scrapes come every few seconds and would drown the useful lines. */
const UNLOGGED = /^\/(?:health(?:[/?]|$)|metrics(?:\?|$))/;

const unlogged = (request: FastifyRequest) => UNLOGGED.test(request.url);
/** `req`/`res` are built below; the root logger's serializers expect node's objects. */
const asIs = (value: unknown) => value;

/**
 * One JSON line per request — `request completed` with `req {id, method, url}`,
 * `res {statusCode}`, `responseTime` (ms), `route` (the matched pattern), `user_id` — at
 * info, warn for 4xx, error for 5xx; and every log made while the request is handled
 * carries its `reqId`.
 *
 * Fastify hooks instead of the pino-http middleware (bench/HISTORY.md, "Whole-service
 * performance": that middleware was 11 % of a cached-off page's CPU — two child loggers,
 * a `finish` listener and the wildcard redaction of every line):
 * - preHandler (after the body is parsed, so the context survives it): the request's id
 *   in an AsyncLocalStorage that the root logger's `mixin` reads — no child logger per
 *   request, only lines actually logged pay for it;
 * - onResponse: the line, written by a child of the root logger without redaction paths
 *   or serializers: it is built here from fields that hold no secret (the URL's tokens are
 *   redacted; headers and bodies are never logged). Every other log keeps the redaction;
 * - onRequestAbort: a client that closed the connection before its answer gets no
 *   onResponse, so its request is logged there (`request aborted`, warn, no `res`;
 *   `responseTime` counts from the onRequest hook).
 */
export function installRequestLogging(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  let lines: Pino | undefined;
  const log = (
    request: FastifyRequest,
    level: 'info' | 'warn' | 'error',
    statusCode: number | undefined,
    elapsedMs: number,
    msg: string,
  ) => {
    // the root logger exists once the app has initialised (before the first request)
    lines ??= PinoLogger.root.child({}, { redact: [], serializers: { req: asIs, res: asIs } });
    lines[level](
      {
        reqId: request.id,
        req: { id: request.id, method: request.method, url: redactUrl(request.url) },
        ...(statusCode === undefined ? {} : { res: { statusCode } }),
        responseTime: Math.round(elapsedMs * 1000) / 1000,
        route: request.routeOptions.url,
        user_id: (request as AuthedRequest).user?.id,
      },
      msg,
    );
  };
  fastify.addHook('preHandler', (request, _reply, done) => {
    if (unlogged(request)) return done();
    currentRequestId.run(String(request.id), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (unlogged(request)) return done();
    const status = reply.statusCode;
    log(request, status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', status, reply.elapsedTime, 'request completed');
    done();
  });
  // the client went away before the answer (no onResponse then): still one line, without `res`
  fastify.decorateRequest(STARTED_AT, 0);
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as Timed)[STARTED_AT] = performance.now();
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    if (!unlogged(request)) log(request, 'warn', undefined, performance.now() - (request as Timed)[STARTED_AT], 'request aborted');
    done();
  });
}

/** When the request arrived, for the line of a request the client aborted. */
const STARTED_AT = 'floyoStartedAt';
type Timed = FastifyRequest & { [STARTED_AT]: number };
