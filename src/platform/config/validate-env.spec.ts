import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { AppConfig } from './app-config';
import { envSchema, PLACEHOLDER_SECRET_KEY } from './env.schema';
import { ConfigValidationError, validateEnv } from './validate-env';

/** What `openssl rand -hex 32` prints. */
const randomKey = () => randomBytes(32).toString('hex');

const PROD = {
  ENVIRONMENT: 'production',
  SECRET_KEY: randomKey(),
  ENCRYPTION_KEY: randomKey(),
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
    ['a SECRET_KEY of one repeated character', { SECRET_KEY: 'x'.repeat(64) }, 'SECRET_KEY'],
    ['an ENCRYPTION_KEY of one repeated character', { ENCRYPTION_KEY: 'y'.repeat(64) }, 'ENCRYPTION_KEY'],
    ['a marked SECRET_KEY', { SECRET_KEY: `${randomKey()}-ChangeMe` }, 'SECRET_KEY'],
    ['a marked ENCRYPTION_KEY', { ENCRYPTION_KEY: `placeholder-${randomKey()}` }, 'ENCRYPTION_KEY'],
    ['a weak old encryption key', { ENCRYPTION_KEYS_OLD: `${randomKey()},${'ab'.repeat(20)}` }, 'ENCRYPTION_KEYS_OLD'],
    ['a marked old encryption key', { ENCRYPTION_KEYS_OLD: `EXAMPLE-${randomKey()}` }, 'ENCRYPTION_KEYS_OLD'],
    ['a placeholder S3 secret', { AWS_SECRET_ACCESS_KEY: 'change_me' }, 'AWS_SECRET_ACCESS_KEY'],
    ['a placeholder SMTP password', { SMTP_PASSWORD: 'ChangeMe123' }, 'SMTP_PASSWORD'],
    ['a placeholder database password', { DATABASE_URL: 'postgres://floyo:CHANGE-ME@db:5432/floyo' }, 'DATABASE_URL'],
    ['a placeholder Redis password', { REDIS_URL: 'redis://:placeholder@redis:6379' }, 'REDIS_URL'],
  ])('refuses %s in production', (_name, change, variable) => {
    const env = { ...PROD, ...change } as Record<string, string>;
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const found = problems(env);
    expect(found.some((p) => p.startsWith(`${variable}:`))).toBe(true);
  });

  it('takes keys made by `openssl rand -hex 32` and real credentials in production', () => {
    const env = validateEnv({
      ...PROD,
      ENCRYPTION_KEYS_OLD: `${randomKey()}, ${randomBytes(32).toString('base64')}`,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7FLOYO00',
      AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64'),
      SMTP_USER: 'apikey',
      SMTP_PASSWORD: randomBytes(18).toString('base64url'),
      DATABASE_URL: `postgres://floyo:${randomKey()}@db:5432/floyo`,
      REDIS_URL: `redis://:${randomKey()}@redis:6379`,
    });
    expect(env.SECRET_KEY).toBe(PROD.SECRET_KEY);
  });

  it('explains a refused key without quoting it, and says how to make one', () => {
    const weak = 'ab'.repeat(20);
    const [problem] = problems({ ...PROD, SECRET_KEY: weak });
    expect(problem).toMatch(/^SECRET_KEY: is too weak/);
    expect(problem).toContain('openssl rand -hex 32');
    expect(problem).not.toContain(weak);
    const [placeholder] = problems({ ...PROD, ENCRYPTION_KEY: `${randomKey()}-change-me` });
    expect(placeholder).toMatch(/^ENCRYPTION_KEY: is a placeholder \(it contains "change-me"\).*openssl rand -hex 32/);
  });

  it('keeps the development defaults and any key outside production', () => {
    expect(problems({ SECRET_KEY: 'x'.repeat(40), ENCRYPTION_KEY: 'CHANGE-ME-at-least-32-characters-long-value' })).toEqual([]);
    expect(problems({ ENVIRONMENT: 'test', AWS_SECRET_ACCESS_KEY: 'CHANGE-ME', DATABASE_URL: 'postgres://u:CHANGE-ME@h/db' })).toEqual([]);
  });

  it('serves /metrics on a port of its own in production, on the API port elsewhere; API docs on by default', () => {
    expect(new AppConfig(validateEnv(PROD))).toMatchObject({ metrics: { port: 9466, public: false }, apiDocsEnabled: true });
    expect(new AppConfig(validateEnv({}))).toMatchObject({ metrics: { port: 0, public: true }, apiDocsEnabled: true });
    expect(new AppConfig(validateEnv({ ...PROD, METRICS_PUBLIC: 'true', METRICS_PORT: '0', API_DOCS_ENABLED: 'false' }))).toMatchObject({
      metrics: { port: 0, public: true },
      apiDocsEnabled: false,
    });
    expect(problems({ PORT: '9000', METRICS_PORT: '9000' })).toEqual([
      expect.stringMatching(/^METRICS_PORT: must differ from PORT and LIVENESS_PORT/),
    ]);
    expect(problems({ ...PROD, LIVENESS_PORT: '9466' })).toEqual([expect.stringMatching(/^METRICS_PORT: must differ/)]);
  });

  it('allows a wildcard CORS origin outside production', () => {
    expect(validateEnv({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*');
  });

  it('refuses malformed origins, ports, URLs and numbers, naming each', () => {
    const found = problems({
      CORS_ORIGINS: 'localhost:3000',
      PORT: '0',
      REDIS_URL: 'http://x',
      DB_POOL_SIZE: '-2',
      ENVIRONMENT: 'staging',
    });
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
});

/**
 * Every secret value the repository ships in a template (docker-compose.yml, the Secrets
 * under deploy/k8s, .env.example), read from those files, so a value added to a template
 * later is covered too: production must refuse each where it is shipped, and none may
 * serve as a key.
 */
describe('secret values the repository ships', () => {
  const ROOT = join(__dirname, '..', '..', '..');
  const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
  const SECRET_NAME = /(_KEY|_KEYS_OLD|PASSWORD|SECRET|_TOKEN)$/;

  // deploy/k8s: every Secret's values, under their variable
  const k8s: [string, string][] = readdirSync(join(ROOT, 'deploy', 'k8s'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(read(join('deploy', 'k8s', f))).map((d) => d.toJS() as Record<string, unknown> | null))
    .filter((doc) => doc?.kind === 'Secret')
    .flatMap((doc) => [
      ...Object.entries((doc!.stringData ?? {}) as Record<string, string>),
      ...Object.entries((doc!.data ?? {}) as Record<string, string>).map(
        ([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')] as [string, string],
      ),
    ]);
  // docker-compose.yml: what each variable of any service gets when the shell sets nothing —
  // a literal, or the default of a ${VAR:-default} / ${VAR-default} in it
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, unknown> }>;
  };
  const composeValues: [string, string][] = Object.values(compose.services).flatMap((service) =>
    Object.entries(service.environment ?? {}).flatMap(([name, raw]): [string, string][] => {
      const text = String(raw);
      if (!text.includes('${')) return [[name, text]];
      return [...text.matchAll(/\$\{\w+:?-([^}]*)\}/g)].map((m) => [name, m[1]] as [string, string]);
    }),
  );

  // .env.example: the documented values
  const dotenv = Object.entries(parseDotenv(read('.env.example')));

  /** The secret a value carries: a URL's password, else the value of a secret variable (a Secret's: all). */
  const secretOf = (name: string, value: string, inSecret: boolean): string | null => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
      return URL.canParse(value) && new URL(value).password ? decodeURIComponent(new URL(value).password) : null;
    return value !== '' && (inSecret || SECRET_NAME.test(name)) ? value : null;
  };
  const found = [...k8s.map(([n, v]) => [n, v, true] as const), ...[...composeValues, ...dotenv].map(([n, v]) => [n, v, false] as const)];
  const shipped = [
    ...new Map(
      found.filter(([n, v, s]) => secretOf(n, v, s) !== null).map(([n, v, s]) => [`${n}=${v}`, [n, v, secretOf(n, v, s)!] as const]),
    ).values(),
  ];
  const appVariables = Object.keys(envSchema.describe().keys ?? {});

  it("finds the templates' values", () => {
    expect(k8s.map(([k]) => k)).toEqual(expect.arrayContaining(['SECRET_KEY', 'ENCRYPTION_KEY', 'AWS_SECRET_ACCESS_KEY', 'SMTP_PASSWORD']));
    expect(shipped.map(([name]) => name)).toEqual(expect.arrayContaining(['SECRET_KEY', 'ENCRYPTION_KEY', 'DATABASE_URL', 'REDIS_URL']));
  });

  it.each(shipped.filter(([name]) => appVariables.includes(name)).map(([name, value]) => [name, value]))(
    'production refuses %s=%s',
    (name, value) => {
      expect(problems({ ...PROD, [name]: value }).filter((p) => p.startsWith(`${name}:`))).not.toEqual([]);
    },
  );

  it.each([...new Set(shipped.map(([, , secret]) => secret))])('no shipped secret serves as a key in production: %s', (value) => {
    const found = problems({ ...PROD, SECRET_KEY: value, ENCRYPTION_KEY: value, ENCRYPTION_KEYS_OLD: value });
    for (const name of ['SECRET_KEY', 'ENCRYPTION_KEY', 'ENCRYPTION_KEYS_OLD'])
      expect(found.some((p) => p.startsWith(`${name}:`))).toBe(true);
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
