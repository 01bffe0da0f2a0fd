import { resolve } from 'node:path';
import type { Environment } from './env.schema';
import type { Env } from './env.types';

/**
 * Typed, grouped view of the validated environment. This is what the rest of the code
 * injects (`constructor(private readonly config: AppConfig)`); it never reads process.env.
 */
export class AppConfig {
  readonly env: Environment;
  readonly isProduction: boolean;
  readonly isDevelopment: boolean;
  readonly isTest: boolean;
  readonly version: string;

  readonly http: {
    port: number;
    host: string;
    trustProxy: boolean | number | string[];
    bodyLimitBytes: number;
    corsOrigins: string[];
    /** After SIGTERM: readiness 503 at once, requests still served this long, then close. */
    shutdownDrainMs: number;
    shutdownGraceMs: number;
    /** GET /health/liveness also on this port, from a thread of its own (0 = off). */
    livenessPort: number;
    /** That listener answers 503 once the main event loop has not turned for this long. */
    livenessMaxStallMs: number;
  };
  readonly log: { level: Env['LOG_LEVEL'] };
  /** Per-request HTTP metrics (the histogram); /metrics itself is served regardless (see `metrics`). */
  readonly metricsEnabled: boolean;
  /** Where the API serves /metrics: on a port of its own (0 = none), and on the public port too when `public`. */
  readonly metrics: { port: number; public: boolean };
  /** Swagger UI at /docs and the document at /openapi.json. */
  readonly apiDocsEnabled: boolean;
  readonly sentryDsn: string;
  readonly appBaseUrl: string;
  readonly healthCheckTimeoutMs: number;

  readonly db: {
    url: string;
    poolSize: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    connectRetries: number;
    migrationsRunOnBoot: boolean;
    /** Circuit breaker around database work (connection errors and timeouts count). */
    breaker: { enabled: boolean; failureRatio: number; windowMs: number; minimumRps: number; cooldownMs: number };
  };
  readonly redis: { url: string; keyPrefix: string };
  readonly auth: {
    secretKey: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** A rotated refresh token presented again this soon answers with its successor (0 = never). */
    refreshReuseIntervalSeconds: number;
    emailTokenTtlSeconds: number;
    passwordResetTtlSeconds: number;
    /** Lifetime of an organization invitation's token. */
    invitationTtlSeconds: number;
    /** Failed logins per account from one client address (the brute-force limit). */
    loginMaxFailures: number;
    /** Failed logins per client address, whatever the accounts (password spraying). */
    loginMaxFailuresPerIp: number;
    /** Failed logins per account from all addresses together (distributed guessing); much higher, so one address cannot lock an account out. */
    loginMaxFailuresPerAccount: number;
    loginFailureWindowSeconds: number;
    /** How long a replica reuses a token's user/session check (revocations are announced; 0 = every request). */
    principalCacheMs: number;
  };
  readonly encryptionKey: string;
  /** Previous encryption keys, used only to decrypt secrets written before a rotation. */
  readonly encryptionKeysOld: string[];
  readonly featureFlags: { cacheTtlSeconds: number };
  readonly rateLimit: {
    enabled: boolean;
    perMinute: number;
    perHour: number;
    authPerMinute: number;
    batchPerMinute: number;
    generatePerHour: number;
    dataDeletePerHour: number;
  };
  /** Per-user list response cache (Redis, generation-invalidated). */
  readonly cache: { enabled: boolean; ttlSeconds: number; timeoutMs: number };
  /** Filtered list counts stop at this many rows (the reported total is then a lower bound). */
  readonly lists: { countCap: number };
  readonly storage: {
    driver: 'local' | 's3';
    uploadDir: string;
    maxUploadBytes: number;
    s3: {
      bucket: string;
      endpoint: string;
      forcePathStyle: boolean;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      checksumMode: 'when_required' | 'when_supported';
      /** Connecting, and any silence of an open connection, longer than this fails the call. */
      timeoutMs: number;
    };
  };
  readonly mail: {
    transport: 'log' | 'smtp';
    from: string;
    smtp: { host: string; port: number; secure: boolean; user: string; password: string };
  };
  readonly worker: {
    concurrency: number;
    sessionCleanupCron: string;
    /** A job whose worker stops renewing its lock for this long is taken over (crash recovery). */
    lockDurationMs: number;
    stalledIntervalMs: number;
    /** The worker's /metrics + /health/liveness port (0 = off). */
    metricsPort: number;
  };
  readonly sockets: {
    /** `websocket` only by default: no sticky sessions needed behind a load balancer. */
    transports: ('websocket' | 'polling')[];
    maxMessageBytes: number;
    messagesPer10s: number;
  };
  readonly workflows: {
    tickIntervalMs: number;
    executionTimeoutMs: number;
    /** Executions of one owner (a user, or an organization for its workflows) running at once, across all workers. */
    maxRunningPerOwner: number;
    executionRetentionDays: number;
    purgeCron: string;
    httpMaxResponseBytes: number;
    /** IPs/CIDRs that workflow HTTP steps may reach although they are private/loopback. */
    httpAllowlist: string[];
    /** Requests per minute each webhook trigger URL accepts (a trigger may set fewer). */
    webhookMaxPerMinute: number;
    /** Largest body a webhook trigger URL accepts (bytes). */
    webhookMaxBodyBytes: number;
  };
  /** Integration actions and connection tests (docs/integrations.md). */
  readonly integrations: {
    githubApiUrl: string;
    dropboxApiUrl: string;
    dropboxContentUrl: string;
    googleDriveUrl: string;
    googleOAuthTokenUrl: string;
    requestTimeoutMs: number;
    maxAttempts: number;
    maxRetryWaitMs: number;
  };
  /** Pattern intelligence: incremental analysis of activity (docs/intelligence.md). */
  readonly analysis: {
    /** Events read and folded per transaction. Results never depend on it. */
    batchSize: number;
    /** An ingest schedules the user's analysis at most once per this window. */
    debounceMs: number;
    /** Events younger than this are not analysed yet (late deliveries from other devices). */
    settleSeconds: number;
    /** File relationships: two files touched within this window. */
    relationWindowMs: number;
    /** A session ends after this much idle time. */
    sessionIdleMs: number;
    /** A sequence is kept as a temporal pattern from this many occurrences. */
    minSupport: number;
    /** POST /api/suggestions/generate analyses synchronously for at most this long. */
    syncBudgetMs: number;
  };

  constructor(e: Env, version = '1.0.0') {
    this.env = e.ENVIRONMENT;
    this.isProduction = e.ENVIRONMENT === 'production';
    this.isDevelopment = e.ENVIRONMENT === 'development';
    this.isTest = e.ENVIRONMENT === 'test';
    this.version = version;
    this.http = {
      port: e.PORT,
      host: e.HOST,
      trustProxy: parseTrustProxy(e.TRUST_PROXY),
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      corsOrigins: splitList(e.CORS_ORIGINS),
      shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      livenessPort: e.LIVENESS_PORT,
      livenessMaxStallMs: e.LIVENESS_MAX_STALL_MS,
    };
    this.log = { level: e.LOG_LEVEL };
    this.metricsEnabled = e.METRICS_ENABLED;
    this.metrics = { port: e.METRICS_PORT, public: e.METRICS_PUBLIC };
    this.apiDocsEnabled = e.API_DOCS_ENABLED;
    this.sentryDsn = e.SENTRY_DSN;
    this.appBaseUrl = e.APP_BASE_URL.replace(/\/$/, '');
    this.healthCheckTimeoutMs = e.HEALTH_CHECK_TIMEOUT_MS;
    this.db = {
      url: e.DATABASE_URL,
      poolSize: e.DB_POOL_SIZE,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      connectRetries: e.DB_CONNECT_RETRIES,
      migrationsRunOnBoot: e.MIGRATIONS_RUN_ON_BOOT,
      breaker: {
        enabled: e.DB_BREAKER_ENABLED,
        failureRatio: e.DB_BREAKER_FAILURE_RATIO,
        windowMs: e.DB_BREAKER_WINDOW_MS,
        minimumRps: e.DB_BREAKER_MIN_RPS,
        cooldownMs: e.DB_BREAKER_COOLDOWN_MS,
      },
    };
    this.redis = { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX };
    this.auth = {
      secretKey: e.SECRET_KEY,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_EXPIRE_DAYS * 86_400,
      refreshReuseIntervalSeconds: e.REFRESH_TOKEN_REUSE_INTERVAL_SECONDS,
      emailTokenTtlSeconds: e.EMAIL_TOKEN_EXPIRE_HOURS * 3_600,
      passwordResetTtlSeconds: e.PASSWORD_RESET_EXPIRE_MINUTES * 60,
      invitationTtlSeconds: e.INVITATION_EXPIRE_DAYS * 86_400,
      loginMaxFailures: e.LOGIN_MAX_FAILURES,
      loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginFailureWindowSeconds: e.LOGIN_FAILURE_WINDOW_MINUTES * 60,
      principalCacheMs: e.AUTH_PRINCIPAL_CACHE_MS,
    };
    this.encryptionKey = e.ENCRYPTION_KEY;
    this.encryptionKeysOld = e.ENCRYPTION_KEYS_OLD.split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    this.featureFlags = { cacheTtlSeconds: e.FEATURE_FLAG_CACHE_TTL_SECONDS };
    this.rateLimit = {
      enabled: e.RATE_LIMIT_ENABLED,
      perMinute: e.RATE_LIMIT_PER_MINUTE,
      perHour: e.RATE_LIMIT_PER_HOUR,
      authPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE,
      batchPerMinute: e.RATE_LIMIT_BATCH_PER_MINUTE,
      generatePerHour: e.RATE_LIMIT_GENERATE_PER_HOUR,
      dataDeletePerHour: e.RATE_LIMIT_DATA_DELETE_PER_HOUR,
    };
    this.cache = { enabled: e.CACHE_ENABLED, ttlSeconds: e.CACHE_TTL_SECONDS, timeoutMs: e.CACHE_TIMEOUT_MS };
    this.lists = { countCap: e.LIST_COUNT_CAP };
    this.storage = {
      driver: e.STORAGE_DRIVER,
      uploadDir: resolve(e.UPLOAD_DIR),
      maxUploadBytes: e.MAX_UPLOAD_BYTES,
      s3: {
        bucket: e.S3_BUCKET,
        endpoint: e.S3_ENDPOINT,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        region: e.AWS_REGION,
        accessKeyId: e.AWS_ACCESS_KEY_ID,
        secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
        checksumMode: e.S3_CHECKSUM_MODE,
        timeoutMs: e.S3_TIMEOUT_MS,
      },
    };
    this.mail = {
      transport: e.MAIL_TRANSPORT,
      from: e.MAIL_FROM,
      smtp: {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT,
        secure: e.SMTP_SECURE,
        user: e.SMTP_USER,
        password: e.SMTP_PASSWORD,
      },
    };
    this.worker = {
      concurrency: e.WORKER_CONCURRENCY,
      sessionCleanupCron: e.SESSION_CLEANUP_CRON,
      lockDurationMs: e.QUEUE_LOCK_DURATION_MS,
      stalledIntervalMs: e.QUEUE_STALLED_INTERVAL_MS,
      metricsPort: e.WORKER_METRICS_PORT,
    };
    this.sockets = {
      transports: splitList(e.SOCKET_TRANSPORTS) as ('websocket' | 'polling')[],
      maxMessageBytes: e.SOCKET_MAX_MESSAGE_BYTES,
      messagesPer10s: e.SOCKET_MESSAGES_PER_10S,
    };
    this.workflows = {
      tickIntervalMs: e.WORKFLOW_TICK_INTERVAL_MS,
      executionTimeoutMs: e.WORKFLOW_EXECUTION_TIMEOUT_MS,
      maxRunningPerOwner: e.WORKFLOW_MAX_RUNNING_PER_OWNER,
      executionRetentionDays: e.WORKFLOW_EXECUTION_RETENTION_DAYS,
      purgeCron: e.WORKFLOW_PURGE_CRON,
      httpMaxResponseBytes: e.WORKFLOW_HTTP_MAX_RESPONSE_BYTES,
      httpAllowlist: splitList(e.WORKFLOW_HTTP_ALLOWLIST),
      webhookMaxPerMinute: e.WORKFLOW_WEBHOOK_MAX_PER_MINUTE,
      webhookMaxBodyBytes: e.WORKFLOW_WEBHOOK_MAX_BODY_BYTES,
    };
    this.integrations = {
      githubApiUrl: e.INTEGRATION_GITHUB_API_URL,
      dropboxApiUrl: e.INTEGRATION_DROPBOX_API_URL,
      dropboxContentUrl: e.INTEGRATION_DROPBOX_CONTENT_URL,
      googleDriveUrl: e.INTEGRATION_GOOGLE_DRIVE_URL,
      googleOAuthTokenUrl: e.INTEGRATION_GOOGLE_OAUTH_TOKEN_URL,
      requestTimeoutMs: e.INTEGRATION_REQUEST_TIMEOUT_MS,
      maxAttempts: e.INTEGRATION_MAX_ATTEMPTS,
      maxRetryWaitMs: e.INTEGRATION_MAX_RETRY_WAIT_MS,
    };
    this.analysis = {
      batchSize: e.ANALYSIS_BATCH_SIZE,
      debounceMs: e.ANALYSIS_DEBOUNCE_SECONDS * 1_000,
      settleSeconds: e.ANALYSIS_SETTLE_SECONDS,
      relationWindowMs: e.ANALYSIS_RELATION_WINDOW_SECONDS * 1_000,
      sessionIdleMs: e.ANALYSIS_SESSION_IDLE_MINUTES * 60_000,
      minSupport: e.ANALYSIS_MIN_SUPPORT,
      syncBudgetMs: e.ANALYSIS_SYNC_BUDGET_MS,
    };
    Object.freeze(this);
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim().replace(/\/$/, ''))
    .filter(Boolean);
}

function parseTrustProxy(value: boolean | number | string): boolean | number | string[] {
  if (typeof value === 'boolean' || typeof value === 'number') return value;
  return splitList(value);
}
