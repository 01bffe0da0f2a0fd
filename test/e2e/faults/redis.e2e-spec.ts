import { json } from '../../helpers/load';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { TcpProxy } from '../../helpers/tcp-proxy';
import { uniqueEmail } from '../../helpers/users';
import { TEST_REDIS_URL } from '../../setup/test-env';

/** Redis cut under a real API process: reads and writes go on (cache and limiter fail open), readiness says why. */
describe('Redis faults (real API process)', () => {
  let proxy: TcpProxy;
  let api: Service;
  let base: string;
  let token: string;

  beforeAll(async () => {
    assertBuilt();
    proxy = await TcpProxy.forUrl(TEST_REDIS_URL, 6379).start();
    api = await startService('api', { REDIS_URL: proxy.url(TEST_REDIS_URL), LOG_LEVEL: 'warn', HEALTH_CHECK_TIMEOUT_MS: '500' });
    base = `http://127.0.0.1:${api.port}`;
    const email = uniqueEmail('redis');
    await json(base, 'POST', '/api/auth/register', { email, password: 'password 12345' });
    token = (await json(base, 'POST', '/api/auth/login', { email, password: 'password 12345' })).body.access_token as string;
  });
  afterAll(async () => {
    await api?.stop();
    await proxy?.stop();
  });

  it('keeps serving reads and writes while Redis is cut, reports it, and recovers', async () => {
    expect((await json(base, 'GET', '/api/events?limit=5', undefined, token)).status).toBe(200);
    proxy.cut();
    try {
      const started = Date.now();
      for (let i = 0; i < 5; i++) {
        const w = await json(base, 'POST', '/api/events', { event_type: 'while_redis_down', file_path: `/r/${i}.md` }, token);
        expect(w.status).toBe(201);
        const r = await json(base, 'GET', '/api/events?limit=5', undefined, token);
        expect(r.status).toBe(200);
        // fresh data: the write is visible (served uncached, not from a stale page)
        expect((r.body.items as { file_path: string }[]).map((e) => e.file_path)).toContain(`/r/${i}.md`);
      }
      expect(Date.now() - started).toBeLessThan(10_000);
      const ready = await json(base, 'GET', '/health/readiness');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toMatchObject({ redis: 'error', database: 'ok' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^floyo_redis_up 0$/m);
      expect(metrics).toMatch(/^floyo_rate_limit_fail_open_total [1-9]\d*$/m);
    } finally {
      proxy.restore();
    }
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await json(base, 'GET', '/health/readiness')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
