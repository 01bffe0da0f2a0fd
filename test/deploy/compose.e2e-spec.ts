import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { validateEnv } from '../../src/platform/config/validate-env';

/**
 * docker-compose.yml without a Docker engine: parsed, and its ${…} substituted the way
 * Compose does it (a small interpreter of Compose's interpolation syntax below), so the
 * test sees what `docker compose up` would start — or that it refuses to.
 */
const ROOT = join(__dirname, '..', '..');
const TEXT = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

type Service = { environment?: Record<string, string | number | boolean>; command?: string[]; ports?: string[]; expose?: string[] };
const compose = parseYaml(TEXT, { merge: true }) as { services: Record<string, Service> };

class MissingVariable extends Error {}

/**
 * Compose's substitution: `$$` is `$`; `${VAR}` and `$VAR`; `${VAR:-default}` (unset or
 * empty) and `${VAR-default}` (unset); `${VAR:?message}` (unset or empty) and
 * `${VAR?message}` (unset) stop with "required variable VAR is missing a value: message".
 */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?[-?+])([^}]*))?\}|\$(\w+)/g,
    (match, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const v = env[name];
      const unset = v === undefined || (op?.startsWith(':') && v === '');
      switch (op) {
        case ':-':
        case '-':
          return unset ? arg! : v!;
        case ':?':
        case '?':
          if (unset) throw new MissingVariable(`required variable ${name} is missing a value: ${arg}`);
          return v!;
        case ':+':
        case '+':
          return unset ? '' : arg!;
        default:
          return v ?? '';
      }
    },
  );
}

/** The environment Compose would give a service's container. */
function environmentOf(service: string, shell: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(compose.services[service].environment ?? {}).map(([k, v]) => [k, interpolate(String(v), shell)]),
  );
}

/** The one-line key generator documented at the top of docker-compose.yml, run in a scratch directory. */
function documentedKeys(): Record<string, string> {
  const line = /^#\s+(printf 'SECRET_KEY=.*>> \.env)$/m.exec(TEXT)?.[1];
  if (!line) throw new Error('docker-compose.yml documents no key generator line');
  const dir = mkdtempSync(join(tmpdir(), 'floyo-compose-'));
  try {
    execFileSync('sh', ['-c', line], { cwd: dir });
    return parseDotenv(readFileSync(join(dir, '.env')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('docker-compose.yml', () => {
  const apps = ['api', 'worker', 'migrate'];

  it('refuses to start without real keys, saying how to make them (no placeholder defaults)', () => {
    for (const service of [...apps, 'minio', 'minio-init']) {
      let error: unknown;
      try {
        environmentOf(service, {});
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(MissingVariable);
      expect((error as Error).message).toMatch(
        /^required variable (SECRET_KEY|ENCRYPTION_KEY|MINIO_ROOT_PASSWORD) is missing a value: .*openssl rand -hex/,
      );
    }
    for (const name of ['SECRET_KEY', 'ENCRYPTION_KEY', 'MINIO_ROOT_PASSWORD']) {
      // required wherever used: no `${NAME:-…}` or `${NAME-…}` fallback anywhere in the file
      expect(TEXT).not.toMatch(new RegExp(`\\$\\{${name}:?-`));
      expect(() => environmentOf('api', { ...documentedKeys(), [name]: '' })).toThrow(new RegExp(`required variable ${name} `));
    }
  });

  it('starts api, worker and migrate with the keys of the documented one-liner, valid in production', () => {
    const keys = documentedKeys();
    expect(Object.keys(keys).sort()).toEqual(['ENCRYPTION_KEY', 'MINIO_ROOT_PASSWORD', 'SECRET_KEY']);
    expect(keys.SECRET_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.SECRET_KEY).not.toBe(keys.ENCRYPTION_KEY);
    for (const service of apps) {
      const env = environmentOf(service, keys);
      expect(env.ENVIRONMENT).toBe('production');
      expect(() => validateEnv(env)).not.toThrow();
      expect(env.AWS_SECRET_ACCESS_KEY).toBe(keys.MINIO_ROOT_PASSWORD);
    }
    expect(environmentOf('minio', keys).MINIO_ROOT_PASSWORD).toBe(keys.MINIO_ROOT_PASSWORD);
  });

  it('keeps the API’s /metrics off the published port: on METRICS_PORT, exposed to the compose network only', () => {
    const env = validateEnv(environmentOf('api', documentedKeys()));
    expect(env.METRICS_PUBLIC).toBe(false);
    expect(compose.services.api.expose).toEqual([String(env.METRICS_PORT)]);
    const published = (compose.services.api.ports ?? []).map((p) => interpolate(p, {}).split(':').pop());
    expect(published).toEqual([String(env.PORT)]);
  });
});
