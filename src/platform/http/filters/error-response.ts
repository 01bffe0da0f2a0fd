import { HttpException, HttpStatus } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailable, isUnstorableText } from '@/platform/database/pg-errors';

interface ErrorBody {
  detail: unknown;
  error_id?: string;
  [key: string]: unknown;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Set for 5xx: the id to find the logged stack. */
  errorId?: string;
}

/** Fastify/pg client errors carry a 4xx `statusCode`; those are the client's fault. */
interface ClientError extends Error {
  statusCode?: number;
  code?: string;
}

/**
 * Turns anything thrown into the legacy error shape: every body has `detail`;
 * 5xx bodies hide internals and carry an `error_id` that is also logged.
 */
export function toErrorResponse(err: unknown): ErrorResponse {
  // Fastify's own 4xx errors (bad JSON, body too large, ...) arrive wrapped by Nest.
  if (err instanceof HttpException && isFastifyError(err.cause)) err = err.cause;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const headers = (err as HttpException & { headers?: Record<string, string> }).headers ?? {};
    if (status >= 500 && !(typeof res === 'object' && res && 'detail' in res)) return internal(status, headers);
    if (typeof res === 'string') return { status, body: { detail: res }, headers };
    const obj = res as Record<string, unknown>;
    if ('detail' in obj) return { status, body: obj as ErrorBody, headers };
    const message = obj.message ?? obj.error ?? HttpStatus[status];
    return { status, body: { detail: Array.isArray(message) ? message.join('; ') : message }, headers };
  }
  const e = err as ClientError;
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return {
        status: 422,
        body: { detail: [{ loc: ['body'], msg: e.message, type: 'json_invalid' }] },
        headers: {},
      };
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return { status: 413, body: { detail: 'Request body is too large' }, headers: {} };
    }
    return { status: e.statusCode, body: { detail: e.message }, headers: {} };
  }
  if (isUnstorableText(err)) {
    return { status: 422, body: { detail: 'Text must not contain NUL (\\u0000) characters or lone UTF-16 surrogates' }, headers: {} };
  }
  if ((err as { code?: unknown })?.code === 'STORAGE_UNAVAILABLE') {
    return { status: 503, body: { detail: 'File storage temporarily unavailable' }, headers: { 'Retry-After': '5' } };
  }
  if (isDatabaseUnavailable(err)) {
    const retryAfter = retryAfterOf(err);
    return {
      status: 503,
      body: { detail: 'Database temporarily unavailable' },
      headers: { 'Retry-After': String(retryAfter ?? 5) },
    };
  }
  return internal(500, {});
}

/** The breaker's DatabaseCircuitOpenError knows when to come back (TypeORM may wrap it). */
function retryAfterOf(err: unknown): number | undefined {
  const direct = (err as { retryAfterSeconds?: unknown })?.retryAfterSeconds;
  const wrapped = (err as { driverError?: { retryAfterSeconds?: unknown } })?.driverError?.retryAfterSeconds;
  const value = typeof direct === 'number' ? direct : wrapped;
  return typeof value === 'number' ? value : undefined;
}

function isFastifyError(e: unknown): e is ClientError {
  return !!e && typeof (e as ClientError).code === 'string' && (e as ClientError).code!.startsWith('FST_');
}

function internal(status: number, headers: Record<string, string>): ErrorResponse {
  const errorId = randomUUID();
  const detail = status === 503 ? 'Service temporarily unavailable' : 'Internal server error';
  return { status, body: { detail, error_id: errorId }, headers, errorId };
}
