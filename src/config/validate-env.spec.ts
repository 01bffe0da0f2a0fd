import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from './app-config';
import { envSchema, PLACEHOLDER_SECRET_KEY } from './env.schema';
import { ConfigValidationError, validateEnv } from './validate-env';

const PROD = {
  ENVIRONMENT: 'production',
  SECRET_KEY: 'x'.repeat(32),
  ENCRYPTION_KEY: 'y'.repeat(32),
  CORS_ORIGINS: 'https://app.floyo.dev',
};

function problems(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as ConfigValidationError).problems;
  }
}

describe('validateEnv', () => {
  it('fills the documented defaults for development', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      ENVIRONMENT: 'development',
      PORT: 8000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/floyo',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ACCESS_TOKEN_EXPIRE_MINUTES: 30,
      REFRESH_TOKEN_EXPIRE_DAYS: 7,
      CORS_ORIGINS: 'http://localhost:3000',
      RATE_LIMIT_PER_MINUTE: 60,
      RATE_LIMIT_PER_HOUR: 1000,
      MIGRATIONS_RUN_ON_BOOT: true,
      SECRET_KEY: PLACEHOLDER_SECRET_KEY,
    });
  });

  it('accepts a complete production environment; migrations do not run on boot by default', () => {
    expect(validateEnv(PROD).MIGRATIONS_RUN_ON_BOOT).toBe(false);
  });

  it.each([
    ['the placeholder SECRET_KEY', { SECRET_KEY: PLACEHOLDER_SECRET_KEY }, 'SECRET_KEY'],
    ['a short SECRET_KEY', { SECRET_KEY: 'short' }, 'SECRET_KEY'],
    ['a missing SECRET_KEY', { SECRET_KEY: undefined }, 'SECRET_KEY'],
    ['a wildcard CORS origin', { CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    ['a wildcard among CORS origins', { CORS_ORIGINS: 'https://a.dev, *' }, 'CORS_ORIGINS'],
    ['a missing ENCRYPTION_KEY', { ENCRYPTION_KEY: undefined }, 'ENCRYPTION_KEY'],
  ])('refuses %s in production', (_name, change, variable) => {
    const env = { ...PROD, ...change } as Record<string, string>;
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const found = problems(env);
    expect(found.some((p) => p.startsWith(`${variable}:`))).toBe(true);
  });

  it('allows a wildcard CORS origin outside production', () => {
    expect(validateEnv({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*');
  });

  it('refuses malformed origins, ports, URLs and numbers, naming each', () => {
    const found = problems({ CORS_ORIGINS: 'localhost:3000', PORT: '0', REDIS_URL: 'http://x', DB_POOL_SIZE: '-2', ENVIRONMENT: 'staging' });
    for (const v of ['CORS_ORIGINS', 'PORT', 'REDIS_URL', 'DB_POOL_SIZE', 'ENVIRONMENT']) {
      expect(found.some((p) => p.startsWith(`${v}:`))).toBe(true);
    }
  });

  it('takes a liveness port other than PORT (0 = off)', () => {
    expect(problems({ PORT: '8000', LIVENESS_PORT: '8000' })).toEqual([expect.stringMatching(/^LIVENESS_PORT: .*must differ from PORT/)]);
    expect(problems({ LIVENESS_PORT: '8000' })).toEqual([expect.stringMatching(/^LIVENESS_PORT:/)]); // PORT's default
    expect(problems({ LIVENESS_PORT: '9465', LIVENESS_MAX_STALL_MS: '100' })).toEqual([expect.stringMatching(/^LIVENESS_MAX_STALL_MS:/)]);
    expect(new AppConfig(validateEnv({ LIVENESS_PORT: '9465' })).http).toMatchObject({ livenessPort: 9465, livenessMaxStallMs: 10_000 });
    expect(new AppConfig(validateEnv({})).http.livenessPort).toBe(0);
  });

  it('requires the S3 bucket and SMTP host only when those drivers are chosen', () => {
    expect(problems({ STORAGE_DRIVER: 's3' })).toEqual([expect.stringMatching(/^S3_BUCKET:/)]);
    expect(problems({ MAIL_TRANSPORT: 'smtp' })).toEqual([expect.stringMatching(/^SMTP_HOST:/)]);
    expect(problems({ STORAGE_DRIVER: 's3', S3_BUCKET: 'b', MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'mail.example.com' })).toEqual([]);
  });

  it('parses TRUST_PROXY as a boolean, a hop count or an address list', () => {
    const cfg = (v: string) => new AppConfig(validateEnv({ TRUST_PROXY: v })).http.trustProxy;
    expect(cfg('true')).toBe(true);
    expect(cfg('2')).toBe(2);
    expect(cfg('10.0.0.0/8, 127.0.0.1')).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(problems({ TRUST_PROXY: 'everyone' })[0]).toMatch(/^TRUST_PROXY:/);
  });

  it('takes old encryption keys as a comma list of keys of at least 32 characters', () => {
    const old = `${'a'.repeat(32)}, ${'b'.repeat(40)}`;
    expect(new AppConfig(validateEnv({ ENCRYPTION_KEYS_OLD: old })).encryptionKeysOld).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(problems({ ENCRYPTION_KEYS_OLD: `${'a'.repeat(32)},short` })[0]).toMatch(/^ENCRYPTION_KEYS_OLD:/);
  });

  it('.env.example documents exactly the variables of the schema', () => {
    const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
    const documented = [...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    const schemaKeys = [...(envSchema.describe().keys ? Object.keys(envSchema.describe().keys!) : [])].sort();
    expect(documented).toEqual(schemaKeys);
  });
});

describe('AppConfig', () => {
  it('derives seconds and lists from the raw variables', () => {
    const cfg = new AppConfig(validateEnv({ CORS_ORIGINS: 'https://a.dev/, https://b.dev', ACCESS_TOKEN_EXPIRE_MINUTES: '15' }));
    expect(cfg.http.corsOrigins).toEqual(['https://a.dev', 'https://b.dev']);
    expect(cfg.auth.accessTokenTtlSeconds).toBe(900);
    expect(cfg.auth.refreshTokenTtlSeconds).toBe(7 * 86_400);
    expect(Object.isFrozen(cfg)).toBe(true);
  });
});
