import ipaddr from 'ipaddr.js';
import Joi from 'joi';
import { credentialProblem, keyProblem, urlPassword } from './secret-strength';

function isIpOrCidr(entry: string): boolean {
  try {
    if (entry.includes('/')) ipaddr.parseCIDR(entry);
    else ipaddr.parse(entry);
    return true;
  } catch {
    return false;
  }
}

/** The placeholder the legacy service shipped with; refused in production. */
export const PLACEHOLDER_SECRET_KEY = 'your-secret-key-change-in-production';

const ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

const isProd = { is: 'production' };

const inProduction = (helpers: Joi.CustomHelpers): boolean => helpers.state.ancestors[0]?.ENVIRONMENT === 'production';

/**
 * Production refuses a key that is a placeholder (any value the repository ships is marked
 * as one) or too weak: see secret-strength.ts. The message never quotes the key.
 */
const strongKey =
  (name: string): Joi.CustomValidator<string> =>
  (value, helpers) => {
    const problem = keyProblem(value, [PLACEHOLDER_SECRET_KEY]);
    return problem ? helpers.message({ custom: `"${name}" ${problem}` }) : value;
  };

/** Production refuses a credential (password, access key) that is a placeholder. */
const realCredential =
  (name: string): Joi.CustomValidator<string> =>
  (value, helpers) => {
    const problem = inProduction(helpers) ? credentialProblem(value, [PLACEHOLDER_SECRET_KEY]) : null;
    return problem ? helpers.message({ custom: `"${name}" ${problem}` }) : value;
  };

/** Production refuses a connection URL whose password is a placeholder. */
const realUrlPassword =
  (name: string): Joi.CustomValidator<string> =>
  (value, helpers) => {
    const password = inProduction(helpers) ? urlPassword(value) : null;
    const problem = password === null ? null : credentialProblem(password, [PLACEHOLDER_SECRET_KEY]);
    return problem ? helpers.message({ custom: `"${name}" has a password that ${problem}` }) : value;
  };

/** A comma list of origins: `https://app.example.com,http://localhost:3000` (or `*` outside production). */
const corsOrigins = Joi.string()
  .default('http://localhost:3000')
  .custom((value: string, helpers) => {
    const origins = value
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    if (origins.length === 0) return helpers.message({ custom: '"CORS_ORIGINS" must list at least one origin' });
    for (const origin of origins) {
      if (origin === '*') {
        if (helpers.state.ancestors[0]?.ENVIRONMENT === 'production') {
          return helpers.message({ custom: '"CORS_ORIGINS" must not contain "*" in production' });
        }
        continue;
      }
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        return helpers.message({ custom: `"CORS_ORIGINS" has an invalid origin "${origin}"` });
      }
      if (!['http:', 'https:'].includes(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
        return helpers.message({
          custom: `"CORS_ORIGINS" has an invalid origin "${origin}" (expected scheme://host[:port])`,
        });
      }
    }
    return value;
  });

/** `true`/`false`, a hop count, or a comma list of trusted proxy IPs/CIDRs. */
const trustProxy = Joi.alternatives()
  .try(Joi.boolean(), Joi.number().integer().min(0).max(10), Joi.string().pattern(/^[0-9a-fA-F:.,/\s]+$/))
  .default(false);

/**
 * Previous ENCRYPTION_KEY values (comma list, each at least 32 chars), kept to decrypt old
 * secrets; in production each must be a real key like ENCRYPTION_KEY.
 */
const encryptionKeysOld = Joi.string()
  .allow('')
  .default('')
  .custom((value: string, helpers) => {
    const keys = value
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    if (keys.some((k) => k.length < 32)) {
      return helpers.message({ custom: '"ENCRYPTION_KEYS_OLD" must list keys of at least 32 characters each' });
    }
    if (inProduction(helpers)) {
      for (const [i, key] of keys.entries()) {
        const problem = keyProblem(key, [PLACEHOLDER_SECRET_KEY]);
        if (problem) return helpers.message({ custom: `"ENCRYPTION_KEYS_OLD" key ${i + 1} ${problem}` });
      }
    }
    return value;
  });

/** The groups of variables, in the order .env.example and docs/configuration.md list them. */
export const CONFIG_GROUPS = [
  'runtime',
  'database',
  'redis',
  'auth',
  'feature flags',
  'http surface',
  'activity lists and response cache',
  'storage',
  'mail',
  'worker',
  'realtime (Socket.IO)',
  'workflows',
  'integrations',
  'pattern intelligence',
] as const;
export type ConfigGroup = (typeof CONFIG_GROUPS)[number];

const group = (name: ConfigGroup) => ({ group: name });
const runtime = group('runtime');
const database = group('database');
const redis = group('redis');
const auth = group('auth');
const featureFlags = group('feature flags');
const httpSurface = group('http surface');
const lists = group('activity lists and response cache');
const storage = group('storage');
const mail = group('mail');
const worker = group('worker');
const realtime = group('realtime (Socket.IO)');
const workflows = group('workflows');
const integrations = group('integrations');
const analysis = group('pattern intelligence');
const providerUrl = (fallback: string, what: string) =>
  Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .default(fallback)
    .description(`${what} (a proxy, a regional endpoint, or a local fake in tests); reached through the SSRF guard.`)
    .meta(integrations);

/**
 * Every environment variable the service reads, each with its description and group
 * (`.meta({ group })`): the one source of the configuration's documentation.
 * `npm run config:docs` writes .env.example and docs/configuration.md from it
 * (config-docs.ts; config-docs.spec.ts fails when they differ). Descriptions are Markdown
 * (backticks, no `|`); defaults come from the rules themselves. Nothing outside
 * src/platform/config reads process.env.
 */
export const envSchema = Joi.object({
  // --- runtime
  ENVIRONMENT: Joi.string()
    .valid(...ENVIRONMENTS)
    .default('development')
    .description('`development`, `test` or `production`. `production` turns on the production rules.')
    .meta(runtime),
  PORT: Joi.number()
    .integer()
    .min(1)
    .max(65535)
    .default(8000)
    .description('HTTP port of the API process (HTTP and Socket.IO).')
    .meta(runtime),
  HOST: Joi.string().hostname().default('0.0.0.0').description('Interface the API binds to.').meta(runtime),
  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default('info')
    .description('Log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.')
    .meta(runtime),
  TRUST_PROXY: trustProxy
    .description(
      'Proxies whose `X-Forwarded-For` is trusted, so that rate limits and login limits see client addresses: `true`/`false`, ' +
        'a hop count (0-10) or a comma list of IPs/CIDRs. Set it behind a load balancer; otherwise limits key on the socket address.',
    )
    .meta(runtime),
  BODY_LIMIT_BYTES: Joi.number()
    .integer()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(5 * 1024 * 1024)
    .description('Maximum request body size in bytes (1 KiB .. 100 MiB; 5 MiB by default); a larger body is a 413.')
    .meta(runtime),
  SHUTDOWN_DRAIN_MS: Joi.number()
    .integer()
    .min(0)
    .max(600_000)
    .default(5_000)
    .description(
      'After SIGTERM the API reports not-ready at once and keeps serving this long (ms) so the load balancer stops sending, then closes.',
    )
    .meta(runtime),
  SHUTDOWN_GRACE_MS: Joi.number()
    .integer()
    .min(0)
    .max(600_000)
    .default(25_000)
    .description(
      'Grace period in ms for draining work on shutdown (0 .. 600000): on SIGTERM/SIGINT the process closes its servers, queues and pools ' +
        'and exits 0; past this it exits 1.',
    )
    .meta(runtime),
  LIVENESS_PORT: Joi.number()
    .integer()
    .min(0)
    .max(65535)
    .invalid(Joi.ref('PORT'))
    .default(0)
    .messages({ 'any.invalid': '"LIVENESS_PORT" must differ from PORT' })
    .description(
      'The API also serves `GET /health/liveness` on this port, from a thread of its own, so the probe is answered within milliseconds ' +
        'however busy the API is; point the liveness probe there (the k8s manifests and docker-compose use 9465). Other paths there are 404. ' +
        'It holds at most 512 connections and closes one idle for 2 s, so open sockets cannot exhaust it; still, only the kubelet needs to ' +
        'reach it. 0 = off (liveness only on `PORT`); must differ from `PORT`.',
    )
    .meta(runtime),
  LIVENESS_MAX_STALL_MS: Joi.number()
    .integer()
    .min(500)
    .max(600_000)
    .default(10_000)
    .description(
      'That listener answers 503 `{status: "stalled", detail}` once the API\'s event loop has not turned for this long (ms, 500 .. 600000), ' +
        'so a stuck process is still restarted.',
    )
    .meta(runtime),
  HEALTH_CHECK_TIMEOUT_MS: Joi.number()
    .integer()
    .min(50)
    .max(30_000)
    .default(1_000)
    .description('Timeout in ms of each readiness check (50 .. 30000).')
    .meta(runtime),
  METRICS_ENABLED: Joi.boolean()
    .default(true)
    .description(
      'Per-request HTTP metrics (latency histogram by route and status); `/metrics` is served regardless (where: `METRICS_PORT`, `METRICS_PUBLIC`).',
    )
    .meta(runtime),
  METRICS_PORT: Joi.number()
    .integer()
    .min(0)
    .max(65535)
    .when('ENVIRONMENT', { ...isProd, then: Joi.number().default(9466), otherwise: Joi.number().default(0) })
    .description(
      "The API's own port for `GET /metrics` (Prometheus; anything else there is 404), which keeps it off the public port in production; " +
        '0 = none. Must differ from `PORT` and `LIVENESS_PORT`. The k8s manifests scrape it; docker-compose exposes it to the compose network ' +
        'only.',
    )
    .meta(runtime),
  METRICS_PUBLIC: Joi.boolean()
    .when('ENVIRONMENT', { ...isProd, then: Joi.boolean().default(false), otherwise: Joi.boolean().default(true) })
    .description('Whether `/metrics` is also served on the public API port (`PORT`).')
    .meta(runtime),
  API_DOCS_ENABLED: Joi.boolean()
    .default(true)
    .description('Swagger UI at `/docs` and the OpenAPI document at `/openapi.json`; `false` answers 404 there.')
    .meta(runtime),
  SENTRY_DSN: Joi.string()
    .uri()
    .allow('')
    .default('')
    .description('Sentry DSN for error reporting (5xx with their `error_id`, failed jobs); empty disables it and the SDK is not loaded.')
    .meta(runtime),
  APP_BASE_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .default('http://localhost:3000')
    .description('Public URL of the web app, used for links in mails (email verification, password reset, invitations).')
    .meta(runtime),

  // --- database
  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .default('postgres://postgres@127.0.0.1:5432/floyo')
    .custom(realUrlPassword('DATABASE_URL'))
    .description(
      'PostgreSQL connection URL (`postgres://` or `postgresql://`). Production: its password, if any, must not be a placeholder.',
    )
    .meta(database),
  DB_POOL_SIZE: Joi.number()
    .integer()
    .min(1)
    .max(500)
    .default(10)
    .description("Maximum connections in each process's pool (1-500).")
    .meta(database),
  DB_CONNECT_TIMEOUT_MS: Joi.number()
    .integer()
    .min(100)
    .max(120_000)
    .default(5_000)
    .description('Timeout in ms for opening a connection (100 .. 120000).')
    .meta(database),
  DB_STATEMENT_TIMEOUT_MS: Joi.number()
    .integer()
    .min(100)
    .max(3_600_000)
    .default(10_000)
    .description('Server-side `statement_timeout` in ms of app queries (100 .. 3600000; migrations have none).')
    .meta(database),
  DB_CONNECT_RETRIES: Joi.number()
    .integer()
    .min(0)
    .max(100)
    .default(3)
    .description('Connection attempts at boot before giving up (0-100, 1 s apart).')
    .meta(database),
  DB_BREAKER_ENABLED: Joi.boolean()
    .default(true)
    .description('Circuit breaker around database work: connection errors and timeouts count, ordinary query errors do not.')
    .meta(database),
  DB_BREAKER_FAILURE_RATIO: Joi.number()
    .min(0.01)
    .max(1)
    .default(0.5)
    .description('Share of failing database calls within the window that opens the breaker (0.01-1).')
    .meta(database),
  DB_BREAKER_WINDOW_MS: Joi.number()
    .integer()
    .min(500)
    .max(600_000)
    .default(10_000)
    .description('Sampling window of the breaker in ms (500 .. 600000).')
    .meta(database),
  DB_BREAKER_MIN_RPS: Joi.number()
    .min(0)
    .max(10_000)
    .default(1)
    .description('Minimum database calls per second within the window before the breaker may open.')
    .meta(database),
  DB_BREAKER_COOLDOWN_MS: Joi.number()
    .integer()
    .min(100)
    .max(600_000)
    .default(5_000)
    .description(
      'How long the breaker stays open before a half-open probe, in ms; requests fail fast with 503 and `Retry-After` meanwhile.',
    )
    .meta(database),
  MIGRATIONS_RUN_ON_BOOT: Joi.boolean()
    .when('ENVIRONMENT', {
      ...isProd,
      then: Joi.boolean().default(false),
      otherwise: Joi.boolean().default(true),
    })
    .description(
      'Apply pending migrations at boot under an advisory lock; when false, the process refuses to start while any is pending: ' +
        'run the migrations first (`npm run migrate:prod`, the `migrate` job).',
    )
    .meta(database),

  // --- redis
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .default('redis://127.0.0.1:6379')
    .custom(realUrlPassword('REDIS_URL'))
    .description(
      'Redis URL (`redis://` or `rediss://`) for queues, rate limits and login counters. Production: its password, if any, must not be a placeholder.',
    )
    .meta(redis),
  REDIS_KEY_PREFIX: Joi.string()
    .pattern(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('floyo:')
    .description('Prefix of every Redis key the service writes: queues, limits, counters (letters, digits, `:` `_` `-`; at most 64).')
    .meta(redis),

  // --- auth
  SECRET_KEY: Joi.string()
    .when('ENVIRONMENT', {
      ...isProd,
      then: Joi.string().required().min(32).custom(strongKey('SECRET_KEY')).messages({
        'any.required': '"SECRET_KEY" must be set in production (generate one with `openssl rand -hex 32`)',
        'string.min': '"SECRET_KEY" must be at least 32 characters in production',
      }),
      otherwise: Joi.string().min(1).default(PLACEHOLDER_SECRET_KEY),
    })
    .description(
      "HS256 signing key of access tokens; outside production the default is the legacy service's placeholder. Production: required, at least 32 " +
        'characters, a random key of at least 128 bits (`openssl rand -hex 32`); placeholders (values containing change-me, changeme, ' +
        "placeholder, example; e.g. every value the repository's templates ship) and weak keys (repeated or sequential characters) are refused.",
    )
    .meta(auth),
  ACCESS_TOKEN_EXPIRE_MINUTES: Joi.number()
    .integer()
    .min(1)
    .max(1440)
    .default(30)
    .description('Lifetime of access tokens in minutes (1-1440).')
    .meta(auth),
  REFRESH_TOKEN_EXPIRE_DAYS: Joi.number()
    .integer()
    .min(1)
    .max(365)
    .default(7)
    .description('Lifetime of refresh tokens (and their session) in days, renewed on each refresh (1-365).')
    .meta(auth),
  REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: Joi.number()
    .integer()
    .min(0)
    .max(300)
    .default(10)
    .description(
      'A rotated refresh token presented again within this many seconds of its rotation answers 200 with the same successor tokens ' +
        '(two tabs, a retried request) instead of revoking the session; later reuse still revokes it (0-300; 0 = never).',
    )
    .meta(auth),
  EMAIL_TOKEN_EXPIRE_HOURS: Joi.number()
    .integer()
    .min(1)
    .max(168)
    .default(24)
    .description('Lifetime of email verification tokens in hours (1-168).')
    .meta(auth),
  PASSWORD_RESET_EXPIRE_MINUTES: Joi.number()
    .integer()
    .min(5)
    .max(1440)
    .default(60)
    .description('Lifetime of password reset tokens in minutes (5-1440).')
    .meta(auth),
  INVITATION_EXPIRE_DAYS: Joi.number()
    .integer()
    .min(1)
    .max(90)
    .default(7)
    .description('Lifetime of an organization invitation (its mailed single-use token) in days (1-90).')
    .meta(auth),
  // failed logins: per account from one client address, per address, and per account from all addresses
  LOGIN_MAX_FAILURES: Joi.number()
    .integer()
    .min(1)
    .max(1000)
    .default(10)
    .description(
      "Failed logins for one account from one client address before that address gets 429 for that account (1-1000). The account's " +
        'owner logging in from elsewhere is not affected: wrong passwords from one address cannot lock anyone out.',
    )
    .meta(auth),
  LOGIN_MAX_FAILURES_PER_IP: Joi.number()
    .integer()
    .min(Joi.ref('LOGIN_MAX_FAILURES'))
    .max(100_000)
    .default(50)
    .messages({ 'number.min': '"LOGIN_MAX_FAILURES_PER_IP" must be at least LOGIN_MAX_FAILURES ({{#limit}})' })
    .description(
      'Failed logins from one client address, whatever the accounts, before that address gets 429 for every account (password spraying; ' +
        'at least `LOGIN_MAX_FAILURES`, at most 100000).',
    )
    .meta(auth),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: Joi.number()
    .integer()
    .min(Joi.ref('LOGIN_MAX_FAILURES'))
    .max(100_000)
    .default(100)
    .messages({ 'number.min': '"LOGIN_MAX_FAILURES_PER_ACCOUNT" must be at least LOGIN_MAX_FAILURES ({{#limit}})' })
    .description(
      'Failed logins for one account from all addresses together before it gets 429 from every address (guessing spread over many ' +
        'addresses; at least `LOGIN_MAX_FAILURES`, at most 100000).',
    )
    .meta(auth),
  LOGIN_FAILURE_WINDOW_MINUTES: Joi.number()
    .integer()
    .min(1)
    .max(1440)
    .default(15)
    .description('Window in minutes over which failed logins are counted, from the first failure (1-1440).')
    .meta(auth),
  AUTH_PRINCIPAL_CACHE_MS: Joi.number()
    .integer()
    .min(0)
    .max(60_000)
    .default(2_000)
    .description(
      'How long (ms) a replica reuses a token\'s "user active, session live" check (0-60000; 0 = query on every request). Revocations are ' +
        'announced to every replica over Redis at once; without Redis they apply within this time.',
    )
    .meta(auth),
  ENCRYPTION_KEY: Joi.string()
    .when('ENVIRONMENT', {
      ...isProd,
      then: Joi.string().required().min(32).custom(strongKey('ENCRYPTION_KEY')).messages({
        'any.required': '"ENCRYPTION_KEY" must be set in production (generate one with `openssl rand -hex 32`)',
        'string.min': '"ENCRYPTION_KEY" must be at least 32 characters',
      }),
      otherwise: Joi.string().min(32).allow('').default(''),
    })
    .description(
      'Key for secrets encrypted at rest (integration secrets, AES-256-GCM); empty or at least 32 characters. Outside production an empty ' +
        'key falls back to a fixed, publicly known development key (with a warning). Production: required, a random key like ' +
        "`SECRET_KEY`'s (`openssl rand -hex 32`, a different one), no placeholder.",
    )
    .meta(auth),
  ENCRYPTION_KEYS_OLD: encryptionKeysOld
    .description(
      'Previous `ENCRYPTION_KEY` values (comma list, each at least 32 characters), kept only to decrypt secrets written before a key ' +
        "rotation. Production: each must pass `ENCRYPTION_KEY`'s rules.",
    )
    .meta(auth),

  // --- feature flags
  FEATURE_FLAG_CACHE_TTL_SECONDS: Joi.number()
    .integer()
    .min(1)
    .max(3600)
    .default(10)
    .description(
      'Seconds a feature-flag evaluation may be served from the Redis cache before it is re-read (1-3600); changes through the API or the ' +
        'CLI take effect at once.',
    )
    .meta(featureFlags),

  // --- http surface
  CORS_ORIGINS: corsOrigins
    .description('Comma list of allowed CORS origins (`scheme://host[:port]`), for HTTP and Socket.IO; `*` allows any. Production: no `*`.')
    .meta(httpSurface),
  RATE_LIMIT_ENABLED: Joi.boolean()
    .default(true)
    .description('Rate limiting on/off (keep it on; off is for benchmarks measuring its overhead).')
    .meta(httpSurface),
  RATE_LIMIT_PER_MINUTE: Joi.number()
    .integer()
    .min(1)
    .default(60)
    .description('Requests per minute per user (or per client IP when anonymous), shared by all replicas.')
    .meta(httpSurface),
  RATE_LIMIT_PER_HOUR: Joi.number()
    .integer()
    .min(1)
    .default(1000)
    .description('Requests per hour per user (or per client IP when anonymous).')
    .meta(httpSurface),
  RATE_LIMIT_AUTH_PER_MINUTE: Joi.number()
    .integer()
    .min(1)
    .default(10)
    .description('Requests per minute to the sensitive `/api/auth` routes (register, login, refresh, password and verification flows).')
    .meta(httpSurface),
  RATE_LIMIT_BATCH_PER_MINUTE: Joi.number()
    .integer()
    .min(1)
    .default(5)
    .description('Requests per minute per user to `POST /api/events/batch`.')
    .meta(httpSurface),
  RATE_LIMIT_GENERATE_PER_HOUR: Joi.number()
    .integer()
    .min(1)
    .default(10)
    .description('Requests per hour per user to `POST /api/suggestions/generate`.')
    .meta(httpSurface),
  RATE_LIMIT_DATA_DELETE_PER_HOUR: Joi.number()
    .integer()
    .min(1)
    .default(1)
    .description('Requests per hour per user to `DELETE /api/data/delete`.')
    .meta(httpSurface),

  // --- activity lists and response cache
  CACHE_ENABLED: Joi.boolean()
    .default(true)
    .description('The per-user list response cache on/off (keep it on; off is for benchmarks measuring it); invalidations still run.')
    .meta(lists),
  CACHE_TTL_SECONDS: Joi.number()
    .integer()
    .min(1)
    .max(86_400)
    .default(60)
    .description('Lifetime in seconds of a cached event/pattern/suggestion list page (1-86400); writes invalidate at once.')
    .meta(lists),
  CACHE_TIMEOUT_MS: Joi.number()
    .integer()
    .min(10)
    .max(5_000)
    .default(150)
    .description('Timeout in ms of each cache command (10-5000); a slower Redis is skipped and the list served uncached.')
    .meta(lists),
  LIST_COUNT_CAP: Joi.number()
    .integer()
    .min(100)
    .max(10_000_000)
    .default(10_000)
    .description(
      'Filtered list counts stop at this many rows (100-10000000); `total` is then a lower bound and `X-Total-Capped: true` is set.',
    )
    .meta(lists),

  // --- storage
  STORAGE_DRIVER: Joi.string()
    .valid('local', 's3')
    .default('local')
    .description('Where uploads are stored: `local` (disk, `UPLOAD_DIR`) or `s3` (the `S3_*` and `AWS_*` variables).')
    .meta(storage),
  UPLOAD_DIR: Joi.string()
    .default('./uploads')
    .description('Directory for uploads with `STORAGE_DRIVER=local` (a volume in docker-compose).')
    .meta(storage),
  MAX_UPLOAD_BYTES: Joi.number()
    .integer()
    .min(1)
    .default(10 * 1024 * 1024)
    .description('Maximum size of one upload in bytes (10 MiB by default); a larger one is a 413 and nothing is stored.')
    .meta(storage),
  S3_BUCKET: Joi.string()
    .when('STORAGE_DRIVER', {
      is: 's3',
      then: Joi.string().required().messages({ 'any.required': '"S3_BUCKET" is required when STORAGE_DRIVER=s3' }),
      otherwise: Joi.string().allow('').default(''),
    })
    .description('Bucket for uploads (with `STORAGE_DRIVER=s3`).')
    .meta(storage),
  S3_ENDPOINT: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .allow('')
    .default('')
    .description('Endpoint of an S3-compatible store (e.g. `http://127.0.0.1:9000` for MinIO); empty means AWS S3.')
    .meta(storage),
  S3_FORCE_PATH_STYLE: Joi.boolean()
    .default(false)
    .description('Path-style bucket addressing (needed by MinIO and most S3-compatible stores).')
    .meta(storage),
  AWS_REGION: Joi.string().default('us-east-1').description('S3 region.').meta(storage),
  AWS_ACCESS_KEY_ID: Joi.string()
    .allow('')
    .default('')
    .custom(realCredential('AWS_ACCESS_KEY_ID'))
    .description(
      "S3 access key id; empty uses the AWS SDK's default credential chain. Production: no placeholder (change-me, placeholder, example …).",
    )
    .meta(storage),
  AWS_SECRET_ACCESS_KEY: Joi.string()
    .allow('')
    .default('')
    .custom(realCredential('AWS_SECRET_ACCESS_KEY'))
    .description('S3 secret access key. Production: no placeholder (change-me, placeholder, example …).')
    .meta(storage),
  S3_CHECKSUM_MODE: Joi.string()
    .valid('when_required', 'when_supported')
    .default('when_required')
    .description(
      'S3 checksums: `when_required` (only where S3 demands them; works with every S3-compatible store) or `when_supported` ' +
        '(the AWS SDK default: CRC checksums on every upload).',
    )
    .meta(storage),
  S3_TIMEOUT_MS: Joi.number()
    .integer()
    .min(1000)
    .max(600_000)
    .default(30_000)
    .description(
      'An S3 call fails when connecting, or an open connection staying silent, takes longer than this (ms, 1000-600000): an idle limit, ' +
        'so large transfers that keep moving are not cut.',
    )
    .meta(storage),

  // --- mail
  MAIL_TRANSPORT: Joi.string()
    .valid('log', 'smtp')
    .default('log')
    .description('Mail transport: `log` (written to the log; message bodies only in development) or `smtp`.')
    .meta(mail),
  MAIL_FROM: Joi.string().default('Floyo <no-reply@floyo.local>').description('Sender of outgoing mail.').meta(mail),
  SMTP_HOST: Joi.string()
    .when('MAIL_TRANSPORT', {
      is: 'smtp',
      then: Joi.string().hostname().required().messages({ 'any.required': '"SMTP_HOST" is required when MAIL_TRANSPORT=smtp' }),
      otherwise: Joi.string().allow('').default(''),
    })
    .description('SMTP server host name (with `MAIL_TRANSPORT=smtp`).')
    .meta(mail),
  SMTP_PORT: Joi.number().port().default(587).description('SMTP port.').meta(mail),
  SMTP_SECURE: Joi.boolean()
    .default(false)
    .description('Implicit TLS (`true`, usually port 465); `false` upgrades with STARTTLS when the server offers it.')
    .meta(mail),
  SMTP_USER: Joi.string()
    .allow('')
    .default('')
    .custom(realCredential('SMTP_USER'))
    .description('SMTP user name; empty sends without authentication. Production: no placeholder (change-me, placeholder, example …).')
    .meta(mail),
  SMTP_PASSWORD: Joi.string()
    .allow('')
    .default('')
    .custom(realCredential('SMTP_PASSWORD'))
    .description('SMTP password. Production: no placeholder (change-me, placeholder, example …).')
    .meta(mail),

  // --- worker
  WORKER_CONCURRENCY: Joi.number()
    .integer()
    .min(1)
    .max(100)
    .default(5)
    .description('Jobs each worker process runs at once per queue (1-100).')
    .meta(worker),
  WORKER_METRICS_PORT: Joi.number()
    .integer()
    .min(0)
    .max(65535)
    .default(9464)
    .description("The worker's HTTP port for `/metrics` and `/health/liveness` (no API routes); 0 turns it off.")
    .meta(worker),
  QUEUE_LOCK_DURATION_MS: Joi.number()
    .integer()
    .min(1_000)
    .max(600_000)
    .default(30_000)
    .description('A running job whose worker died is taken over by another worker once its lock (renewed every half of this, ms) expires.')
    .meta(worker),
  QUEUE_STALLED_INTERVAL_MS: Joi.number()
    .integer()
    .min(500)
    .max(600_000)
    .default(30_000)
    .description('How often workers look for such stalled jobs (ms).')
    .meta(worker),
  SESSION_CLEANUP_CRON: Joi.string()
    .default('17 3 * * *')
    .description('When the worker purges sessions expired or revoked over 30 days ago (cron, 5 fields, server time).')
    .meta(worker),

  // --- realtime (Socket.IO)
  SOCKET_TRANSPORTS: Joi.string()
    .pattern(/^(websocket|polling)(,(websocket|polling))*$/)
    .default('polling,websocket')
    .description(
      'Socket.IO transports. `polling,websocket` is what a stock socket.io-client does (long-polling first, then the upgrade); across ' +
        'replicas the load balancer must then be sticky (deploy/k8s does it). `websocket` alone needs no sticky sessions, but clients must ' +
        "then connect with `transports: ['websocket']`.",
    )
    .meta(realtime),
  SOCKET_MAX_MESSAGE_BYTES: Joi.number()
    .integer()
    .min(256)
    .max(1024 * 1024)
    .default(16 * 1024)
    .description('Largest inbound Socket.IO message in bytes (256 .. 1 MiB); a bigger one closes the connection.')
    .meta(realtime),
  SOCKET_MESSAGES_PER_10S: Joi.number()
    .integer()
    .min(1)
    .max(10_000)
    .default(30)
    .description(
      'Inbound messages each socket may send per 10 s before it is refused (and, if it keeps on, disconnected). Every socket has its own ' +
        'budget; the HTTP rate limits do not count socket messages.',
    )
    .meta(realtime),

  // --- workflows
  WORKFLOW_TICK_INTERVAL_MS: Joi.number()
    .integer()
    .min(100)
    .max(600_000)
    .default(10_000)
    .description('How often the schedule ticker claims due workflows (ms); a schedule fires within this of its due time.')
    .meta(workflows),
  WORKFLOW_EXECUTION_TIMEOUT_MS: Joi.number()
    .integer()
    .min(1_000)
    .max(24 * 3_600_000)
    .default(30 * 60_000)
    .description(
      'Upper bound of one workflow execution (ms; 30 min by default), time parked in delay steps not counted; past it the execution fails.',
    )
    .meta(workflows),
  WORKFLOW_MAX_RUNNING_PER_OWNER: Joi.number()
    .integer()
    .min(1)
    .max(1000)
    .default(2)
    .description(
      'Executions of one owner (a user; an organization for its workflows) running at once across all workers (1-1000); the rest wait ' +
        'their turn in order without holding a worker slot. An execution waiting in a delay step does not count.',
    )
    .meta(workflows),
  WORKFLOW_EXECUTION_RETENTION_DAYS: Joi.number()
    .integer()
    .min(1)
    .max(3650)
    .default(30)
    .description('Executions older than this many days are purged by the worker.')
    .meta(workflows),
  WORKFLOW_PURGE_CRON: Joi.string().default('43 4 * * *').description('When the worker purges old executions (cron).').meta(workflows),
  WORKFLOW_HTTP_MAX_RESPONSE_BYTES: Joi.number()
    .integer()
    .min(1_024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024)
    .description('Response bodies of workflow HTTP steps are truncated to this many bytes.')
    .meta(workflows),
  WORKFLOW_HTTP_ALLOWLIST: Joi.string()
    .allow('')
    .default('')
    .custom((value: string, helpers) => {
      for (const entry of value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        if (!isIpOrCidr(entry)) return helpers.message({ custom: `"WORKFLOW_HTTP_ALLOWLIST" has an invalid IP/CIDR "${entry}"` });
      }
      return value;
    })
    .description('Comma list of IPs/CIDRs HTTP steps may reach although private or loopback (the SSRF guard refuses them otherwise).')
    .meta(workflows),
  WORKFLOW_WEBHOOK_MAX_PER_MINUTE: Joi.number()
    .integer()
    .min(1)
    .max(100_000)
    .default(60)
    .description(
      'Requests each webhook trigger URL (POST /api/hooks/{id}) accepts per minute (1-100000); beyond it a 429 with Retry-After. ' +
        "A workflow's trigger may set a lower max_runs_per_minute.",
    )
    .meta(workflows),
  WORKFLOW_WEBHOOK_MAX_BODY_BYTES: Joi.number()
    .integer()
    .min(1_024)
    .max(10 * 1024 * 1024)
    .default(256 * 1024)
    .description('Largest JSON body a webhook trigger URL accepts (bytes; 256 KiB by default); a larger one is a 413 and starts nothing.')
    .meta(workflows),

  // --- integrations (connector actions of workflow steps, connection tests)
  INTEGRATION_GITHUB_API_URL: providerUrl(
    'https://api.github.com',
    "GitHub's REST API base URL for integrations without their own `api_url` (GitHub Enterprise sets it per integration)",
  ),
  INTEGRATION_DROPBOX_API_URL: providerUrl('https://api.dropboxapi.com', "Dropbox's RPC endpoint host"),
  INTEGRATION_DROPBOX_CONTENT_URL: providerUrl('https://content.dropboxapi.com', "Dropbox's content (upload) endpoint host"),
  INTEGRATION_GOOGLE_DRIVE_URL: providerUrl(
    'https://www.googleapis.com',
    'Google Drive API v3 host (files at `/drive/v3`, uploads at `/upload/drive/v3`); tokens come from the `token_uri` of the credentials',
  ),
  INTEGRATION_GOOGLE_OAUTH_TOKEN_URL: providerUrl(
    'https://oauth2.googleapis.com/token',
    "Google's OAuth 2.0 token endpoint for Drive integrations configured with an OAuth client (`client_id`, `client_secret`, `refresh_token`)",
  ),
  INTEGRATION_REQUEST_TIMEOUT_MS: Joi.number()
    .integer()
    .min(1_000)
    .max(600_000)
    .default(30_000)
    .description('Timeout of one request to a provider (an upload part, an API call).')
    .meta(integrations),
  INTEGRATION_MAX_ATTEMPTS: Joi.number()
    .integer()
    .min(1)
    .max(10)
    .default(4)
    .description(
      'Attempts of an integration action the provider answered 429 or 5xx (or a dropped connection), with exponential backoff that honours `Retry-After`.',
    )
    .meta(integrations),
  INTEGRATION_MAX_RETRY_WAIT_MS: Joi.number()
    .integer()
    .min(0)
    .max(600_000)
    .default(60_000)
    .description('Longest wait between two attempts, whatever `Retry-After` asks for (a longer one fails the attempt).')
    .meta(integrations),

  // --- pattern intelligence (analysis of activity, suggestions)
  ANALYSIS_BATCH_SIZE: Joi.number()
    .integer()
    .min(100)
    .max(100_000)
    .default(5_000)
    .description('Events the worker reads and analyses per transaction (100-100000); results never depend on it.')
    .meta(analysis),
  ANALYSIS_DEBOUNCE_SECONDS: Joi.number()
    .integer()
    .min(1)
    .max(3_600)
    .default(60)
    .description("After an ingest the user's analysis runs at most once per this many seconds (1-3600).")
    .meta(analysis),
  ANALYSIS_SETTLE_SECONDS: Joi.number()
    .integer()
    .min(0)
    .max(86_400)
    .default(120)
    .description(
      'Events younger than this many seconds wait before they are analysed, so late deliveries from other devices do not force a ' +
        'rebuild (0-86400).',
    )
    .meta(analysis),
  ANALYSIS_RELATION_WINDOW_SECONDS: Joi.number()
    .integer()
    .min(1)
    .max(86_400)
    .default(300)
    .description('Two files touched within this many seconds form a file relationship (1-86400).')
    .meta(analysis),
  ANALYSIS_SESSION_IDLE_MINUTES: Joi.number()
    .integer()
    .min(1)
    .max(1_440)
    .default(30)
    .description('A session ends after this many idle minutes; sequences never span sessions (1-1440).')
    .meta(analysis),
  ANALYSIS_MIN_SUPPORT: Joi.number()
    .integer()
    .min(2)
    .max(1_000)
    .default(3)
    .description('A sequence of 2-4 steps is kept as a temporal pattern from this many occurrences (2-1000).')
    .meta(analysis),
  ANALYSIS_SYNC_BUDGET_MS: Joi.number()
    .integer()
    .min(0)
    .max(60_000)
    .default(5_000)
    .description(
      "`POST /api/suggestions/generate` analyses the caller's pending events synchronously for at most this many ms; the worker " +
        'finishes the rest (0-60000).',
    )
    .meta(analysis),
}).custom((env: { PORT: number; LIVENESS_PORT: number; METRICS_PORT: number }, helpers) => {
  // checked on the whole environment: a rule of METRICS_PORT itself would not see its default
  const { PORT, LIVENESS_PORT, METRICS_PORT } = env;
  if (METRICS_PORT !== 0 && (METRICS_PORT === PORT || METRICS_PORT === LIVENESS_PORT)) {
    return helpers.message({ custom: '"METRICS_PORT" must differ from PORT and LIVENESS_PORT' });
  }
  return env;
});
