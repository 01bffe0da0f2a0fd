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

export const ENVIRONMENTS = ['development', 'test', 'production'] as const;
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

/**
 * Every environment variable the service reads. `.env.example` documents each of them
 * (a test keeps the two in step). Nothing outside src/platform/config reads process.env.
 */
export const envSchema = Joi.object({
  // --- runtime
  ENVIRONMENT: Joi.string()
    .valid(...ENVIRONMENTS)
    .default('development'),
  PORT: Joi.number().integer().min(1).max(65535).default(8000),
  HOST: Joi.string().hostname().default('0.0.0.0'),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  TRUST_PROXY: trustProxy,
  BODY_LIMIT_BYTES: Joi.number()
    .integer()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  SHUTDOWN_DRAIN_MS: Joi.number().integer().min(0).max(600_000).default(5_000),
  SHUTDOWN_GRACE_MS: Joi.number().integer().min(0).max(600_000).default(25_000),
  // the liveness probe's own listener (a worker thread; 0 = off: liveness only on PORT)
  LIVENESS_PORT: Joi.number()
    .integer()
    .min(0)
    .max(65535)
    .invalid(Joi.ref('PORT'))
    .default(0)
    .messages({ 'any.invalid': '"LIVENESS_PORT" must differ from PORT' }),
  LIVENESS_MAX_STALL_MS: Joi.number().integer().min(500).max(600_000).default(10_000),
  HEALTH_CHECK_TIMEOUT_MS: Joi.number().integer().min(50).max(30_000).default(1_000),
  METRICS_ENABLED: Joi.boolean().default(true),
  // the API's own /metrics listener (production: on, and /metrics off the public port)
  METRICS_PORT: Joi.number()
    .integer()
    .min(0)
    .max(65535)
    .when('ENVIRONMENT', { ...isProd, then: Joi.number().default(9466), otherwise: Joi.number().default(0) }),
  METRICS_PUBLIC: Joi.boolean().when('ENVIRONMENT', { ...isProd, then: Joi.boolean().default(false), otherwise: Joi.boolean().default(true) }),
  API_DOCS_ENABLED: Joi.boolean().default(true),
  SENTRY_DSN: Joi.string().uri().allow('').default(''),
  APP_BASE_URL: Joi.string().uri({ scheme: ['http', 'https'] }).default('http://localhost:3000'),

  // --- database
  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .default('postgres://postgres@127.0.0.1:5432/floyo')
    .custom(realUrlPassword('DATABASE_URL')),
  DB_POOL_SIZE: Joi.number().integer().min(1).max(500).default(10),
  DB_CONNECT_TIMEOUT_MS: Joi.number().integer().min(100).max(120_000).default(5_000),
  DB_STATEMENT_TIMEOUT_MS: Joi.number().integer().min(100).max(3_600_000).default(10_000),
  DB_CONNECT_RETRIES: Joi.number().integer().min(0).max(100).default(3),
  DB_BREAKER_ENABLED: Joi.boolean().default(true),
  DB_BREAKER_FAILURE_RATIO: Joi.number().min(0.01).max(1).default(0.5),
  DB_BREAKER_WINDOW_MS: Joi.number().integer().min(500).max(600_000).default(10_000),
  DB_BREAKER_MIN_RPS: Joi.number().min(0).max(10_000).default(1),
  DB_BREAKER_COOLDOWN_MS: Joi.number().integer().min(100).max(600_000).default(5_000),
  MIGRATIONS_RUN_ON_BOOT: Joi.boolean().when('ENVIRONMENT', {
    ...isProd,
    then: Joi.boolean().default(false),
    otherwise: Joi.boolean().default(true),
  }),

  // --- redis
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .default('redis://127.0.0.1:6379')
    .custom(realUrlPassword('REDIS_URL')),
  REDIS_KEY_PREFIX: Joi.string()
    .pattern(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('floyo:'),

  // --- auth
  SECRET_KEY: Joi.string().when('ENVIRONMENT', {
    ...isProd,
    then: Joi.string()
      .required()
      .min(32)
      .custom(strongKey('SECRET_KEY'))
      .messages({
        'any.required': '"SECRET_KEY" must be set in production (generate one with `openssl rand -hex 32`)',
        'string.min': '"SECRET_KEY" must be at least 32 characters in production',
      }),
    otherwise: Joi.string().min(1).default(PLACEHOLDER_SECRET_KEY),
  }),
  ACCESS_TOKEN_EXPIRE_MINUTES: Joi.number().integer().min(1).max(1440).default(30),
  REFRESH_TOKEN_EXPIRE_DAYS: Joi.number().integer().min(1).max(365).default(7),
  REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: Joi.number().integer().min(0).max(300).default(10),
  EMAIL_TOKEN_EXPIRE_HOURS: Joi.number().integer().min(1).max(168).default(24),
  PASSWORD_RESET_EXPIRE_MINUTES: Joi.number().integer().min(5).max(1440).default(60),
  INVITATION_EXPIRE_DAYS: Joi.number().integer().min(1).max(90).default(7),
  // failed logins: per account from one client address, per address, and per account from all addresses
  LOGIN_MAX_FAILURES: Joi.number().integer().min(1).max(1000).default(10),
  LOGIN_MAX_FAILURES_PER_IP: Joi.number()
    .integer()
    .min(Joi.ref('LOGIN_MAX_FAILURES'))
    .max(100_000)
    .default(50)
    .messages({ 'number.min': '"LOGIN_MAX_FAILURES_PER_IP" must be at least LOGIN_MAX_FAILURES ({{#limit}})' }),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: Joi.number()
    .integer()
    .min(Joi.ref('LOGIN_MAX_FAILURES'))
    .max(100_000)
    .default(100)
    .messages({ 'number.min': '"LOGIN_MAX_FAILURES_PER_ACCOUNT" must be at least LOGIN_MAX_FAILURES ({{#limit}})' }),
  LOGIN_FAILURE_WINDOW_MINUTES: Joi.number().integer().min(1).max(1440).default(15),
  AUTH_PRINCIPAL_CACHE_MS: Joi.number().integer().min(0).max(60_000).default(2_000),
  ENCRYPTION_KEY: Joi.string().when('ENVIRONMENT', {
    ...isProd,
    then: Joi.string()
      .required()
      .min(32)
      .custom(strongKey('ENCRYPTION_KEY'))
      .messages({
        'any.required': '"ENCRYPTION_KEY" must be set in production (generate one with `openssl rand -hex 32`)',
        'string.min': '"ENCRYPTION_KEY" must be at least 32 characters',
      }),
    otherwise: Joi.string().min(32).allow('').default(''),
  }),
  ENCRYPTION_KEYS_OLD: encryptionKeysOld,

  // --- feature flags
  FEATURE_FLAG_CACHE_TTL_SECONDS: Joi.number().integer().min(1).max(3600).default(10),

  // --- http surface
  CORS_ORIGINS: corsOrigins,
  RATE_LIMIT_ENABLED: Joi.boolean().default(true),
  RATE_LIMIT_PER_MINUTE: Joi.number().integer().min(1).default(60),
  RATE_LIMIT_PER_HOUR: Joi.number().integer().min(1).default(1000),
  RATE_LIMIT_AUTH_PER_MINUTE: Joi.number().integer().min(1).default(10),
  RATE_LIMIT_BATCH_PER_MINUTE: Joi.number().integer().min(1).default(5),
  RATE_LIMIT_GENERATE_PER_HOUR: Joi.number().integer().min(1).default(10),
  RATE_LIMIT_DATA_DELETE_PER_HOUR: Joi.number().integer().min(1).default(1),

  // --- activity lists and response cache
  CACHE_ENABLED: Joi.boolean().default(true),
  CACHE_TTL_SECONDS: Joi.number().integer().min(1).max(86_400).default(60),
  CACHE_TIMEOUT_MS: Joi.number().integer().min(10).max(5_000).default(150),
  LIST_COUNT_CAP: Joi.number().integer().min(100).max(10_000_000).default(10_000),

  // --- storage
  STORAGE_DRIVER: Joi.string().valid('local', 's3').default('local'),
  UPLOAD_DIR: Joi.string().default('./uploads'),
  MAX_UPLOAD_BYTES: Joi.number()
    .integer()
    .min(1)
    .default(10 * 1024 * 1024),
  S3_BUCKET: Joi.string().when('STORAGE_DRIVER', {
    is: 's3',
    then: Joi.string().required().messages({ 'any.required': '"S3_BUCKET" is required when STORAGE_DRIVER=s3' }),
    otherwise: Joi.string().allow('').default(''),
  }),
  S3_ENDPOINT: Joi.string().uri({ scheme: ['http', 'https'] }).allow('').default(''),
  S3_FORCE_PATH_STYLE: Joi.boolean().default(false),
  AWS_REGION: Joi.string().default('us-east-1'),
  AWS_ACCESS_KEY_ID: Joi.string().allow('').default('').custom(realCredential('AWS_ACCESS_KEY_ID')),
  AWS_SECRET_ACCESS_KEY: Joi.string().allow('').default('').custom(realCredential('AWS_SECRET_ACCESS_KEY')),
  S3_CHECKSUM_MODE: Joi.string().valid('when_required', 'when_supported').default('when_required'),
  S3_TIMEOUT_MS: Joi.number().integer().min(1000).max(600_000).default(30_000),

  // --- mail
  MAIL_TRANSPORT: Joi.string().valid('log', 'smtp').default('log'),
  MAIL_FROM: Joi.string().default('Floyo <no-reply@floyo.local>'),
  SMTP_HOST: Joi.string().when('MAIL_TRANSPORT', {
    is: 'smtp',
    then: Joi.string().hostname().required().messages({ 'any.required': '"SMTP_HOST" is required when MAIL_TRANSPORT=smtp' }),
    otherwise: Joi.string().allow('').default(''),
  }),
  SMTP_PORT: Joi.number().port().default(587),
  SMTP_SECURE: Joi.boolean().default(false),
  SMTP_USER: Joi.string().allow('').default('').custom(realCredential('SMTP_USER')),
  SMTP_PASSWORD: Joi.string().allow('').default('').custom(realCredential('SMTP_PASSWORD')),

  // --- worker
  WORKER_CONCURRENCY: Joi.number().integer().min(1).max(100).default(5),
  WORKER_METRICS_PORT: Joi.number().integer().min(0).max(65535).default(9464),
  QUEUE_LOCK_DURATION_MS: Joi.number().integer().min(1_000).max(600_000).default(30_000),
  QUEUE_STALLED_INTERVAL_MS: Joi.number().integer().min(500).max(600_000).default(30_000),
  SESSION_CLEANUP_CRON: Joi.string().default('17 3 * * *'),

  // --- realtime (Socket.IO)
  SOCKET_TRANSPORTS: Joi.string()
    .pattern(/^(websocket|polling)(,(websocket|polling))*$/)
    .default('polling,websocket'),
  SOCKET_MAX_MESSAGE_BYTES: Joi.number().integer().min(256).max(1024 * 1024).default(16 * 1024),
  SOCKET_MESSAGES_PER_10S: Joi.number().integer().min(1).max(10_000).default(30),

  // --- workflows
  WORKFLOW_TICK_INTERVAL_MS: Joi.number().integer().min(100).max(600_000).default(10_000),
  WORKFLOW_EXECUTION_TIMEOUT_MS: Joi.number().integer().min(1_000).max(24 * 3_600_000).default(30 * 60_000),
  WORKFLOW_MAX_RUNNING_PER_OWNER: Joi.number().integer().min(1).max(1000).default(2),
  WORKFLOW_EXECUTION_RETENTION_DAYS: Joi.number().integer().min(1).max(3650).default(30),
  WORKFLOW_PURGE_CRON: Joi.string().default('43 4 * * *'),
  WORKFLOW_HTTP_MAX_RESPONSE_BYTES: Joi.number().integer().min(1_024).max(10 * 1024 * 1024).default(64 * 1024),
  WORKFLOW_HTTP_ALLOWLIST: Joi.string()
    .allow('')
    .default('')
    .custom((value: string, helpers) => {
      for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
        if (!isIpOrCidr(entry)) return helpers.message({ custom: `"WORKFLOW_HTTP_ALLOWLIST" has an invalid IP/CIDR "${entry}"` });
      }
      return value;
    }),

  // --- pattern intelligence (analysis of activity, suggestions)
  ANALYSIS_BATCH_SIZE: Joi.number().integer().min(100).max(100_000).default(5_000),
  ANALYSIS_DEBOUNCE_SECONDS: Joi.number().integer().min(1).max(3_600).default(60),
  ANALYSIS_SETTLE_SECONDS: Joi.number().integer().min(0).max(86_400).default(120),
  ANALYSIS_RELATION_WINDOW_SECONDS: Joi.number().integer().min(1).max(86_400).default(300),
  ANALYSIS_SESSION_IDLE_MINUTES: Joi.number().integer().min(1).max(1_440).default(30),
  ANALYSIS_MIN_SUPPORT: Joi.number().integer().min(2).max(1_000).default(3),
  ANALYSIS_SYNC_BUDGET_MS: Joi.number().integer().min(0).max(60_000).default(5_000),
}).custom((env: { PORT: number; LIVENESS_PORT: number; METRICS_PORT: number }, helpers) => {
  // checked on the whole environment: a rule of METRICS_PORT itself would not see its default
  const { PORT, LIVENESS_PORT, METRICS_PORT } = env;
  if (METRICS_PORT !== 0 && (METRICS_PORT === PORT || METRICS_PORT === LIVENESS_PORT)) {
    return helpers.message({ custom: '"METRICS_PORT" must differ from PORT and LIVENESS_PORT' });
  }
  return env;
});
