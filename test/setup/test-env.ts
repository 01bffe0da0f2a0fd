/**
 * The environment every test (and every child process a test starts) runs with.
 * Rate limits are high so that the suite's own traffic is not throttled; the tests of
 * the limiters set their own low limits.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/floyo_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export const TEST_ENV: Record<string, string> = {
  ENVIRONMENT: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  DATABASE_URL: TEST_DATABASE_URL,
  REDIS_URL: TEST_REDIS_URL,
  // Separate prefixes (and TEST_DATABASE_URLs) let two suites share one Redis/PostgreSQL.
  REDIS_KEY_PREFIX: process.env.TEST_REDIS_KEY_PREFIX ?? 'floyo-test:',
  SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
  ENCRYPTION_KEY: 'test-encryption-key-that-is-long-enough-0123',
  RATE_LIMIT_PER_MINUTE: '100000',
  RATE_LIMIT_PER_HOUR: '1000000',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  LOGIN_MAX_FAILURES: '10',
  MIGRATIONS_RUN_ON_BOOT: 'true',
  DB_POOL_SIZE: '5',
  UPLOAD_DIR: '/tmp/floyo-test-uploads',
  CORS_ORIGINS: 'http://localhost:3000',
  WORKER_METRICS_PORT: '0',
  SHUTDOWN_DRAIN_MS: '0',
};
