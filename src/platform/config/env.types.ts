import type { Environment } from './env.schema';

/** The validated environment (see env.schema.ts for defaults and rules). */
export interface Env {
  ENVIRONMENT: Environment;
  PORT: number;
  HOST: string;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  TRUST_PROXY: boolean | number | string;
  BODY_LIMIT_BYTES: number;
  SHUTDOWN_DRAIN_MS: number;
  SHUTDOWN_GRACE_MS: number;
  LIVENESS_PORT: number;
  LIVENESS_MAX_STALL_MS: number;
  HEALTH_CHECK_TIMEOUT_MS: number;
  METRICS_ENABLED: boolean;
  METRICS_PORT: number;
  METRICS_PUBLIC: boolean;
  API_DOCS_ENABLED: boolean;
  SENTRY_DSN: string;
  APP_BASE_URL: string;

  DATABASE_URL: string;
  DB_POOL_SIZE: number;
  DB_CONNECT_TIMEOUT_MS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_CONNECT_RETRIES: number;
  MIGRATIONS_RUN_ON_BOOT: boolean;
  DB_BREAKER_ENABLED: boolean;
  DB_BREAKER_FAILURE_RATIO: number;
  DB_BREAKER_WINDOW_MS: number;
  DB_BREAKER_MIN_RPS: number;
  DB_BREAKER_COOLDOWN_MS: number;

  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;

  SECRET_KEY: string;
  ACCESS_TOKEN_EXPIRE_MINUTES: number;
  REFRESH_TOKEN_EXPIRE_DAYS: number;
  REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: number;
  EMAIL_TOKEN_EXPIRE_HOURS: number;
  PASSWORD_RESET_EXPIRE_MINUTES: number;
  INVITATION_EXPIRE_DAYS: number;
  LOGIN_MAX_FAILURES: number;
  LOGIN_MAX_FAILURES_PER_IP: number;
  LOGIN_MAX_FAILURES_PER_ACCOUNT: number;
  LOGIN_FAILURE_WINDOW_MINUTES: number;
  AUTH_PRINCIPAL_CACHE_MS: number;
  ENCRYPTION_KEY: string;
  ENCRYPTION_KEYS_OLD: string;

  FEATURE_FLAG_CACHE_TTL_SECONDS: number;

  CORS_ORIGINS: string;
  RATE_LIMIT_ENABLED: boolean;
  RATE_LIMIT_PER_MINUTE: number;
  RATE_LIMIT_PER_HOUR: number;
  RATE_LIMIT_AUTH_PER_MINUTE: number;
  RATE_LIMIT_BATCH_PER_MINUTE: number;
  RATE_LIMIT_GENERATE_PER_HOUR: number;
  RATE_LIMIT_DATA_DELETE_PER_HOUR: number;

  CACHE_ENABLED: boolean;
  CACHE_TTL_SECONDS: number;
  CACHE_TIMEOUT_MS: number;
  LIST_COUNT_CAP: number;

  STORAGE_DRIVER: 'local' | 's3';
  UPLOAD_DIR: string;
  MAX_UPLOAD_BYTES: number;
  S3_BUCKET: string;
  S3_ENDPOINT: string;
  S3_FORCE_PATH_STYLE: boolean;
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  S3_CHECKSUM_MODE: 'when_required' | 'when_supported';
  S3_TIMEOUT_MS: number;

  MAIL_TRANSPORT: 'log' | 'smtp';
  MAIL_FROM: string;
  SMTP_HOST: string;
  SMTP_PORT: number;
  SMTP_SECURE: boolean;
  SMTP_USER: string;
  SMTP_PASSWORD: string;

  WORKER_CONCURRENCY: number;
  WORKER_METRICS_PORT: number;
  QUEUE_LOCK_DURATION_MS: number;
  QUEUE_STALLED_INTERVAL_MS: number;
  SESSION_CLEANUP_CRON: string;

  SOCKET_TRANSPORTS: string;
  SOCKET_MAX_MESSAGE_BYTES: number;
  SOCKET_MESSAGES_PER_10S: number;

  WORKFLOW_TICK_INTERVAL_MS: number;
  WORKFLOW_EXECUTION_TIMEOUT_MS: number;
  WORKFLOW_MAX_RUNNING_PER_OWNER: number;
  WORKFLOW_EXECUTION_RETENTION_DAYS: number;
  WORKFLOW_PURGE_CRON: string;
  WORKFLOW_HTTP_MAX_RESPONSE_BYTES: number;
  WORKFLOW_HTTP_ALLOWLIST: string;

  ANALYSIS_BATCH_SIZE: number;
  ANALYSIS_DEBOUNCE_SECONDS: number;
  ANALYSIS_SETTLE_SECONDS: number;
  ANALYSIS_RELATION_WINDOW_SECONDS: number;
  ANALYSIS_SESSION_IDLE_MINUTES: number;
  ANALYSIS_MIN_SUPPORT: number;
  ANALYSIS_SYNC_BUDGET_MS: number;
}
