import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { json } from '../../helpers/load';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { uniqueEmail } from '../../helpers/users';

/** Two API processes sharing Redis: one rate limit for both; a SIGTERM drains without losing a request. */
describe('two API replicas (real processes)', () => {
  const env = { REDIS_KEY_PREFIX: `floyo-test-rep-${randomUUID().slice(0, 6)}:`, LOG_LEVEL: 'warn' };
  const apis: Service[] = [];
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.stop('SIGKILL')));
  });

  it('admits exactly N requests per minute in total across both replicas', async () => {
    assertBuilt();
    const limited = { ...env, RATE_LIMIT_PER_MINUTE: '30', RATE_LIMIT_AUTH_PER_MINUTE: '100000' };
    const [a, b] = await Promise.all([startService('api', limited), startService('api', limited)]);
    apis.push(a, b);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        json(`http://127.0.0.1:${(i % 2 ? a : b).port}`, 'POST', '/api/auth/forgot-password', { email: uniqueEmail() }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const limitedOut = results.filter((r) => r.status === 429);
    expect([ok.length, limitedOut.length]).toEqual([30, 30]);
    for (const r of limitedOut) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    const first = ok[0].headers;
    expect(first.get('x-ratelimit-limit')).toBe('30');
    expect(Number(first.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
    expect(Number(first.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    await Promise.all([a.stop(), b.stop()]);
    apis.length = 0;
  });

  it('SIGTERM: readiness 503 at once, in-flight and late requests still answered, exit 0', async () => {
    const api = await startService('api', { ...env, SHUTDOWN_DRAIN_MS: '1500' });
    apis.push(api);
    const base = `http://127.0.0.1:${api.port}`;
    const email = uniqueEmail('drain');
    await json(base, 'POST', '/api/auth/register', { email, password: 'password 12345' });
    const token = (await json(base, 'POST', '/api/auth/login', { email, password: 'password 12345' })).body.access_token as string;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const get = (path: string) =>
      new Promise<number>((resolve) => {
        const req = http.get(`${base}${path}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
      });

    // a steady load like a load balancer's, which stops sending once readiness says so
    const answers: number[] = [];
    let routing = true;
    const load = (async () => {
      while (routing) {
        const batch = await Promise.all(Array.from({ length: 8 }, () => get('/api/auth/me')));
        answers.push(...batch);
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const exited = api.stop('SIGTERM');
    let ready = 200;
    const t0 = Date.now();
    while (ready === 200 && Date.now() - t0 < 1_000) ready = (await json(base, 'GET', '/health/readiness')).status;
    expect(ready).toBe(503);
    await new Promise((r) => setTimeout(r, 500)); // still within the drain delay
    routing = false;
    await load;
    expect(await exited).toBe(0);
    agent.destroy();
    expect(answers.length).toBeGreaterThan(20);
    // every request got an HTTP answer, and while draining they were still served
    expect(answers.filter((s) => s !== 200)).toEqual([]);
  });
});
