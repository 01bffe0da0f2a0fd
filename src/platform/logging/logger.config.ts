import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { AppConfig } from '@/platform/config/app-config';
import { serializeError } from './error-redaction';

/** Secrets never reach the logs, wherever they appear. */
const REDACT_PATHS = [
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

/** Query parameters whose values are secrets, by decoded, lower-cased name. */
const SECRET_QUERY_PARAMS = new Set(['refresh_token', 'token', 'access_token', 'password', 'old_password', 'new_password']);
/** Path segments followed by a single-use token. */
const TOKEN_BEFORE_SEGMENT = new Set(['verify-email']);

/**
 * Strips single-use tokens and secrets from URLs before they are logged. Names are compared
 * the way the server reads them — percent-decoded (`refresh%5Ftoken` is `refresh_token`),
 * `+` as a space — and in any case; the raw value is replaced, whatever its encoding.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return url;
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q))
    .split('/')
    .map((segment, i, all) => (i > 0 && TOKEN_BEFORE_SEGMENT.has(decodedName(all[i - 1])) ? '[REDACTED]' : segment))
    .join('/');
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq >= 0 && SECRET_QUERY_PARAMS.has(decodedName(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=[REDACTED]` : pair;
    });
  return `${path}?${query.join('&')}`;
}

/** A URL component as a query-string parser reads it (lenient: a bad escape stays as it is), lower-cased. */
function decodedName(raw: string): string {
  for (const [name] of new URLSearchParams(raw)) return name.toLowerCase();
  return '';
}

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a sane incoming X-Request-ID, otherwise makes one. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : randomUUID();
}

/** The id of the request being handled (entered by request-log.ts), for every log line made meanwhile. */
export const currentRequestId = new AsyncLocalStorage<string>();

/** pino `mixin`: adds `reqId` to a line logged while a request is handled (a fresh object: pino merges into it). */
function requestIdMixin(): { reqId?: string } {
  const reqId = currentRequestId.getStore();
  return reqId === undefined ? {} : { reqId };
}

/**
 * nestjs-pino: the JSON logger behind Nest's `Logger` in both processes (secrets redacted
 * wherever they appear, SQL values of logged errors too). The API's one line per request
 * comes from request-log.ts, not from pino-http's middleware: `forRoutes` is empty on purpose.
 */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: [
      {
        level: config.log.level,
        redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
        // SQL parameters and row values of database errors never reach a line (error-redaction.ts)
        serializers: { err: serializeError },
        base: { service: 'floyo', env: config.env },
        mixin: requestIdMixin,
      },
      // Asynchronous stdout: a request never blocks on a write; lines still go out at once
      // (no minimum length), and pino flushes what is pending when the process exits.
      pino.destination({ dest: 1, sync: false }),
    ],
    forRoutes: [],
  };
}
