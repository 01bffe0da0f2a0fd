import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { createTestApp, type TestApp } from '../helpers/app';
import { createScratchDatabase, query } from '../helpers/databases';
import { TcpProxy } from '../helpers/tcp-proxy';
import { registerAndLogin } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

describe('health', () => {
  describe('with every dependency up', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('GET /health', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(res.body).toEqual({ status: 'healthy', timestamp: expect.any(String), version: expect.any(String) });
    });

    it('GET /health/liveness', async () => {
      const res = await t.http().get('/health/liveness').expect(200);
      expect(res.body.status).toBe('alive');
      expect(res.headers['cache-control']).toBe('no-store');
      // answered in front of Fastify: none of its hooks ran (no request id, no security headers)
      expect(res.headers['x-request-id']).toBeUndefined();
      expect(res.headers['content-security-policy']).toBeUndefined();
      // the other forms go to the Fastify route, with the same body
      const viaRoute = await t.http().get('/health/liveness?from=probe').expect(200);
      expect(viaRoute.body.status).toBe('alive');
      expect(viaRoute.headers['x-request-id']).toBeDefined();
      await t.http().head('/health/liveness').expect(200);
    });

    it('GET /health/readiness is 200 with every check ok', async () => {
      const res = await t.http().get('/health/readiness').expect(200);
      expect(res.body).toMatchObject({
        status: 'ready',
        checks: { database: 'ok', redis: 'ok', database_pool: 'ok', migrations: 'ok' },
      });
      expect(res.body.details.database_pool).toMatchObject({ total: expect.any(Number), idle: expect.any(Number), waiting: 0, max: 5 });
    });

    it('GET /health/migrations lists applied and pending', async () => {
      const res = await t.http().get('/health/migrations').expect(200);
      expect(res.body.status).toBe('up_to_date');
      expect(res.body.pending).toEqual([]);
      expect(res.body.applied).toEqual(expect.arrayContaining([expect.stringMatching(/^InitialSchema\d+$/)]));
    });
  });

  it('reports pool usage ≥ 90 % as a warning without failing readiness', async () => {
    const t = await createTestApp({ DB_POOL_SIZE: '10' });
    const ds = t.app.get<DataSource>(getDataSourceToken());
    const held: QueryRunner[] = [];
    try {
      for (let i = 0; i < 9; i++) {
        const qr = ds.createQueryRunner();
        await qr.connect();
        held.push(qr);
      }
      const res = await t.http().get('/health/readiness').expect(200);
      expect(res.body.checks.database_pool).toBe('warning');
      expect(res.body.details.database_pool).toMatchObject({ max: 10, usage: expect.any(Number) });
      expect(res.body.details.database_pool.usage).toBeGreaterThanOrEqual(0.9);
    } finally {
      for (const qr of held) await qr.release();
      await t.close();
    }
  });

  it('is 503 with Redis unreachable — and requests are still served (limiters fail open)', async () => {
    const t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await t.http().get('/health/readiness').expect(503);
      expect(res.body.status).toBe('not_ready');
      expect(res.body.checks).toMatchObject({ redis: 'error', database: 'ok' });
      expect(res.body.detail).toMatch(/redis/);
      const user = await registerAndLogin(t);
      expect(user.accessToken).toBeDefined();
    } finally {
      await t.close();
    }
  });

  it('is 503 when PostgreSQL stops answering, and recovers when it is back', async () => {
    const proxy = await TcpProxy.forUrl(TEST_DATABASE_URL, 5432).start();
    const t = await createTestApp({
      DATABASE_URL: proxy.url(TEST_DATABASE_URL),
      HEALTH_CHECK_TIMEOUT_MS: '500',
      DB_CONNECT_TIMEOUT_MS: '500',
    });
    try {
      await t.http().get('/health/readiness').expect(200);
      proxy.cut();
      const started = Date.now();
      const down = await t.http().get('/health/readiness').expect(503);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(down.body.checks.database).toBe('error');
      // a DB-backed route fails fast with 503, never a 500 or a hang
      const login = await t.http().post('/api/auth/login').send({ email: 'x@example.com', password: 'whatever1' });
      expect(login.status).toBe(503);
      expect(login.body.detail).toBeDefined();
      expect(
        await t
          .http()
          .get('/health/liveness')
          .then((r) => r.status),
      ).toBe(200);

      proxy.restore();
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await t.http().get('/health/readiness')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    } finally {
      await t.close();
      await proxy.stop();
    }
  });

  it('is 503 while a migration is pending', async () => {
    const db = await createScratchDatabase('health');
    const t = await createTestApp({ DATABASE_URL: db.url });
    try {
      await t.http().get('/health/readiness').expect(200);
      const [last] = await query<{ id: number; timestamp: string; name: string }>(
        db.url,
        'SELECT id, "timestamp", name FROM migrations ORDER BY "timestamp" DESC LIMIT 1',
      );
      await query(db.url, 'DELETE FROM migrations WHERE id = $1', [last.id]);
      await new Promise((r) => setTimeout(r, 5_100)); // the migrations check is cached for 5 s
      const res = await t.http().get('/health/readiness').expect(503);
      expect(res.body.checks.migrations).toBe('error');
      const status = await t.http().get('/health/migrations').expect(200);
      expect(status.body).toMatchObject({ status: 'pending', pending: [last.name] });
    } finally {
      await t.close();
      await db.drop();
    }
  });
});
