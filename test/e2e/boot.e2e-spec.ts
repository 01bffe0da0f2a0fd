import { randomBytes } from 'node:crypto';
import { createScratchDatabase } from '../helpers/databases';
import { assertBuilt, DIST_MAIN, DIST_WORKER, runNode, startService } from '../helpers/processes';
import { TEST_DATABASE_URL } from '../setup/test-env';

const PROD = {
  ENVIRONMENT: 'production',
  // what `openssl rand -hex 32` prints
  SECRET_KEY: randomBytes(32).toString('hex'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  CORS_ORIGINS: 'https://app.floyo.dev',
  MIGRATIONS_RUN_ON_BOOT: 'false',
  DB_CONNECT_RETRIES: '0',
};

/** Each refusal happens in a real child process: exit code ≠ 0 and the variable named. */
describe('boot refusals (real processes)', () => {
  beforeAll(() => assertBuilt());

  const refusals: [string, Record<string, string>, RegExp][] = [
    ['production with the placeholder SECRET_KEY', { ...PROD, SECRET_KEY: 'your-secret-key-change-in-production' }, /SECRET_KEY/],
    ['production with a short SECRET_KEY', { ...PROD, SECRET_KEY: 'too-short-0123456789' }, /SECRET_KEY.*32/],
    ['production without SECRET_KEY', { ...PROD, SECRET_KEY: '' }, /SECRET_KEY/],
    ['production with CORS_ORIGINS=*', { ...PROD, CORS_ORIGINS: 'https://app.floyo.dev,*' }, /CORS_ORIGINS.*\*/],
    ['production without ENCRYPTION_KEY', { ...PROD, ENCRYPTION_KEY: '' }, /ENCRYPTION_KEY/],
    [
      'production with the keys docker-compose.yml used to default to',
      {
        ...PROD,
        SECRET_KEY: 'CHANGE-ME-compose-placeholder-secret-key-0123456789',
        ENCRYPTION_KEY: 'CHANGE-ME-compose-placeholder-encryption-key-0123',
      },
      /SECRET_KEY: is a placeholder[\s\S]*ENCRYPTION_KEY: is a placeholder[\s\S]*openssl rand -hex 32/,
    ],
    ['production with a weak SECRET_KEY', { ...PROD, SECRET_KEY: 'x'.repeat(64) }, /SECRET_KEY: is too weak.*openssl rand -hex 32/],
    ['an invalid PORT', { PORT: 'eighty' }, /PORT/],
    ['an out-of-range PORT', { PORT: '70000' }, /PORT/],
    ['a malformed DATABASE_URL', { DATABASE_URL: 'mysql://nope' }, /DATABASE_URL/],
  ];

  it.each(refusals)('api refuses %s', async (_name, env, pattern) => {
    const res = await runNode(DIST_MAIN, [], env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(pattern);
    expect(res.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('names every bad variable at once', async () => {
    const res = await runNode(DIST_MAIN, [], { ...PROD, SECRET_KEY: 'short', CORS_ORIGINS: '*', PORT: '-1', DB_POOL_SIZE: 'many' });
    expect(res.code).not.toBe(0);
    for (const v of ['SECRET_KEY', 'CORS_ORIGINS', 'PORT', 'DB_POOL_SIZE']) expect(res.stderr).toContain(v);
  });

  it('the worker applies the same rules', async () => {
    const res = await runNode(DIST_WORKER, [], { ...PROD, SECRET_KEY: 'your-secret-key-change-in-production' });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/SECRET_KEY/);
  });

  it('production refuses to start with pending migrations, listing them', async () => {
    const db = await createScratchDatabase('pending');
    try {
      const res = await runNode(DIST_MAIN, [], { ...PROD, DATABASE_URL: db.url });
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/pending migration/);
      expect(res.stderr).toMatch(/InitialSchema\d+/);
      expect(res.stderr).toMatch(/SeedCatalogue\d+/);
    } finally {
      await db.drop();
    }
  });

  it('names PostgreSQL and how to start it when it is unreachable', async () => {
    const res = await runNode(DIST_MAIN, [], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/floyo',
      DB_CONNECT_RETRIES: '0',
      DB_CONNECT_TIMEOUT_MS: '500',
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/PostgreSQL is unreachable/);
    expect(res.stderr).toMatch(/docker compose up -d postgres/);
  });
});

describe('boot (real processes)', () => {
  it('production boots on an up-to-date schema and stops cleanly on SIGTERM', async () => {
    const api = await startService('api', { ...PROD, DATABASE_URL: TEST_DATABASE_URL });
    try {
      const res = await fetch(`http://127.0.0.1:${api.port}/health/readiness`);
      expect(res.status).toBe(200);
    } finally {
      expect(await api.stop('SIGTERM')).toBe(0);
    }
  });

  it('MIGRATIONS_RUN_ON_BOOT=true migrates an empty database in production', async () => {
    const db = await createScratchDatabase('bootmig');
    try {
      const api = await startService('api', { ...PROD, DATABASE_URL: db.url, MIGRATIONS_RUN_ON_BOOT: 'true' });
      const res = await (await fetch(`http://127.0.0.1:${api.port}/health/migrations`)).json();
      expect(res).toMatchObject({ status: 'up_to_date', pending: [] });
      expect(await api.stop()).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('the worker boots as an application context (no API routes, only probes) and exits 0 on SIGTERM', async () => {
    const worker = await startService('worker', {});
    const base = `http://127.0.0.1:${worker.port}`;
    expect((await fetch(`${base}/health/liveness`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^floyo_db_pool_connections\{state="max"\} \d+/m);
    expect(metrics).toMatch(/^floyo_queue_jobs\{queue="workflows",state="waiting"\} \d+/m);
    for (const path of ['/health', '/api/auth/me', '/']) expect((await fetch(`${base}${path}`)).status).toBe(404);
    expect(await worker.stop('SIGTERM')).toBe(0);
  });
});
