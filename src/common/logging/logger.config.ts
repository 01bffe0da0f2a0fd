import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { AppConfig } from '../../config/app-config';

/** Secrets never reach the logs, wherever they appear. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.old_password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.secret',
  '*.secret_key',
];

const TOKEN_IN_PATH = /(\/verify-email\/)[^/?#]+/i;
const TOKEN_IN_QUERY = /([?&](?:refresh_token|token|access_token|password)=)[^&#]*/gi;

/** Strips single-use tokens from URLs before they are logged. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(TOKEN_IN_PATH, '$1[REDACTED]').replace(TOKEN_IN_QUERY, '$1[REDACTED]');
}

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a sane incoming X-Request-ID, otherwise makes one. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : randomUUID();
}


/** nestjs-pino: JSON logs, one line per request with id, route, status, latency, user. */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: [
      {
        level: config.log.level,
        redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
        // Fastify already assigned the id (from X-Request-ID or a new UUID); reuse it.
        genReqId: (req: IncomingMessage) =>
          req.id !== undefined ? String(req.id) : requestIdFrom(req.headers['x-request-id']),
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
          err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            url: redactUrl(req.url),
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      quietReqLogger: true,
      base: { service: 'floyo', env: config.env },
      },
      // Asynchronous stdout: a request never blocks on a write; lines still go out at once
      // (no minimum length), and pino flushes what is pending when the process exits.
      pino.destination({ dest: 1, sync: false }),
    ],
    assignResponse: true,
    // Probes and scrapes come every few seconds and would drown the useful lines: no
    // request logger at all for them.
    exclude: [
      { path: 'health', method: RequestMethod.ALL },
      { path: 'health/*path', method: RequestMethod.ALL },
      { path: 'metrics', method: RequestMethod.ALL },
    ],
    // Every route (the library's default pattern matches only "/" under Fastify here).
    forRoutes: [
      { path: '/', method: RequestMethod.ALL },
      { path: '*path', method: RequestMethod.ALL },
    ],
  };
}
