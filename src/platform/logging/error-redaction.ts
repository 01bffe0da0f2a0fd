import pino from 'pino';

/**
 * Properties through which database errors carry values: TypeORM's `parameters` (token and
 * password hashes, user data), PostgreSQL's `detail` ("Failing row contains (…)", "Key
 * (email)=(…) already exists"), `where` (context lines, JSON input) and `internalQuery`.
 * The SQL text itself (`query`) has only placeholders and stays: it says what failed.
 */
const VALUE_FIELDS = new Set(['parameters', 'detail', 'where', 'internalQuery']);
const REDACTED = '[REDACTED]';
const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Parameters shorter than this are not searched for in messages (they would match everywhere). */
const MIN_PARAMETER_LENGTH = 6;
const MAX_DEPTH = 5;

interface DbErrorLike {
  code?: unknown;
  parameters?: unknown;
  driverError?: { code?: unknown };
}

/**
 * An error's text (message or stack) without SQL values: PostgreSQL's data exceptions
 * (SQLSTATE class 22) quote the offending input — `invalid input syntax for type uuid:
 * "…"`, `value "…" is out of range` — so everything from a double quote to the end of its
 * line goes; and any string parameter of the failed statement that appears is replaced.
 */
export function redactErrorText(text: string, err: unknown): string {
  const e = (err ?? {}) as DbErrorLike;
  const sqlState = [e.code, e.driverError?.code].find((c): c is string => typeof c === 'string' && SQLSTATE.test(c));
  let out = sqlState?.startsWith('22') ? text.replace(/"[^\n]*/g, REDACTED) : text;
  if (Array.isArray(e.parameters)) {
    for (const p of e.parameters) if (typeof p === 'string' && p.length >= MIN_PARAMETER_LENGTH) out = out.split(p).join(REDACTED);
  }
  return out;
}

/** The message of anything thrown, safe to log (see redactErrorText). */
export function safeErrorMessage(err: unknown): string {
  return redactErrorText(err instanceof Error ? err.message : String(err), err);
}

/**
 * pino's `err` serializer without SQL values: the standard serialisation (type, message,
 * stack, enumerable properties, nested errors such as TypeORM's `driverError`), then every
 * value field replaced and the texts redacted, at every depth.
 */
export function serializeError(err: unknown): unknown {
  const parameters = (err as DbErrorLike | null)?.parameters;
  return scrub(pino.stdSerializers.err(err as Error), Array.isArray(parameters) ? parameters : [], 0);
}

function scrub(value: unknown, parameters: unknown[], depth: number): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, parameters, depth + 1));
  const own = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(own)) {
    const v = own[key];
    if (VALUE_FIELDS.has(key)) out[key] = REDACTED;
    else if ((key === 'message' || key === 'stack') && typeof v === 'string')
      out[key] = redactErrorText(v, { code: own.code, driverError: own.driverError, parameters });
    else out[key] = scrub(v, parameters, depth + 1);
  }
  return out;
}
