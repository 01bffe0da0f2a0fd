import { QueryFailedError } from 'typeorm';

interface PgDriverError {
  code?: string;
  constraint?: string;
}

const driverError = (err: unknown): PgDriverError | undefined =>
  err instanceof QueryFailedError ? (err.driverError as PgDriverError) : (err as PgDriverError | undefined);

/** True for a unique violation (23505), optionally of one named constraint/index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = driverError(err);
  return e?.code === '23505' && (!constraint || e.constraint === constraint);
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled (statement_timeout)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
  'DB_CIRCUIT_OPEN', // our breaker is open: fail fast
]);

const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
];

/** True when the database could not be reached or did not answer in time (→ 503, not 500). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = driverError(err) as (PgDriverError & { message?: string }) | undefined;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  const message = (err as Error)?.message ?? e.message ?? '';
  return UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}

/**
 * True when PostgreSQL refused a text or JSON value it cannot store: a NUL character
 * (22021 in text, 22P05 as \u0000 in jsonb) or a lone surrogate escape in jsonb (22P02).
 * Input DTOs and the validation pipe refuse those first; this keeps any string that slips
 * past them a client error (422), never a 500.
 */
export function isUnstorableText(err: unknown): boolean {
  const e = driverError(err) as (PgDriverError & { message?: string; detail?: string }) | undefined;
  if (e?.code === '22021' || e?.code === '22P05') return true;
  return e?.code === '22P02' && /surrogate/i.test(`${e.message} ${e.detail}`);
}
