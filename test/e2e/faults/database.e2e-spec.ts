import { json, steadyLoad } from '../../helpers/load';
import { query } from '../../helpers/databases';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { TcpProxy } from '../../helpers/tcp-proxy';
import { uniqueEmail } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

/**
 * PostgreSQL failing under a real API process (dist/main.js), through a TCP proxy the
 * test controls: requests fail fast with 503 while it is gone (breaker), never hang,
 * never 500; the service recovers by itself; no acknowledged write is lost or doubled.
 */
const TIMEOUTS = { DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '1000', HEALTH_CHECK_TIMEOUT_MS: '500' };
const BREAKER = { DB_BREAKER_WINDOW_MS: '2000', DB_BREAKER_COOLDOWN_MS: '1000', DB_BREAKER_MIN_RPS: '2', DB_BREAKER_FAILURE_RATIO: '0.5' };
const DB_TIMEOUT_MS = 2_000; // connect timeout + statement/query timeout

describe('database faults (real API process)', () => {
  let proxy: TcpProxy;
  let api: Service;
  let base: string;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    assertBuilt();
    proxy = await TcpProxy.forUrl(TEST_DATABASE_URL, 5432).start();
    api = await startService('api', {
      DATABASE_URL: proxy.url(TEST_DATABASE_URL),
      DB_POOL_SIZE: '10',
      LOG_LEVEL: 'warn',
      ...TIMEOUTS,
      ...BREAKER,
    });
    base = `http://127.0.0.1:${api.port}`;
    const email = uniqueEmail('fault');
    userId = (await json(base, 'POST', '/api/auth/register', { email, password: 'password 12345' })).body.id as string;
    token = (await json(base, 'POST', '/api/auth/login', { email, password: 'password 12345' })).body.access_token as string;
  });
  /** Polls a read until it succeeds (10 s at most) and returns the last status. */
  async function statusOnceRecovered(): Promise<number> {
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await json(base, 'GET', '/api/events?limit=5', undefined, token)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    return status;
  }

  afterAll(async () => {
    await api?.stop();
    await proxy?.stop();
  });

  it('a cut under steady load: fast 503s, breaker opens, recovery by itself, no acknowledged write lost or doubled', async () => {
    const CUT_AT = 7_500;
    const RESTORE_AT = 12_500;
    let cut = false;
    let restored = false;
    const breakerSeen: string[] = [];
    const outcomes = await steadyLoad(
      20_000,
      20, // 50 requests/s
      async (seq) => {
        if (seq % 2 === 0) {
          const r = await json(
            base,
            'POST',
            '/api/events',
            { event_type: 'fault_test', file_path: `/f/${seq}.txt`, details: { seq } },
            token,
          );
          return { kind: 'write', status: r.status };
        }
        const r = await json(base, 'GET', '/api/events?limit=5', undefined, token);
        return { kind: 'read', status: r.status };
      },
      (elapsed) => {
        if (!cut && elapsed >= CUT_AT) {
          cut = true;
          proxy.cut();
        }
        if (cut && !restored && elapsed >= RESTORE_AT) {
          restored = true;
          proxy.restore();
        }
        if (cut && !restored && elapsed >= CUT_AT + 2_500 && breakerSeen.length === 0) {
          breakerSeen.push('probe');
          void json(base, 'GET', '/health/readiness').then((r) =>
            breakerSeen.push(String((r.body.checks as Record<string, string>)?.breaker)),
          );
        }
      },
    );
    const start = Math.min(...outcomes.map((o) => o.startedAt));

    // never a hang, a 500 or a dropped connection
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(DB_TIMEOUT_MS + 1_000);
    expect(outcomes.filter((o) => ![200, 201, 503].includes(o.status))).toEqual([]);
    // the outage was real, and fast: most refusals came from the open breaker
    const failures = outcomes.filter((o) => o.status === 503);
    expect(failures.length).toBeGreaterThan(50);
    const fast = failures.filter((o) => o.ms < 50);
    expect(fast.length / failures.length).toBeGreaterThan(0.5);
    expect(breakerSeen).toContain('error');
    // recovery within 5 s of the restore, without a restart
    const afterRestore = outcomes.filter((o) => o.startedAt - start >= RESTORE_AT && o.status !== 503);
    expect(afterRestore.length).toBeGreaterThan(0);
    expect(afterRestore[0].startedAt - start).toBeLessThan(RESTORE_AT + 5_000);
    expect(outcomes.filter((o) => o.startedAt - start > RESTORE_AT + 5_000).every((o) => o.status < 300)).toBe(true);

    // every acknowledged write is stored exactly once; none is stored twice
    const rows = await query<{ seq: number; n: number }>(
      TEST_DATABASE_URL,
      `SELECT (details->>'seq')::int AS seq, count(*)::int AS n FROM events WHERE user_id = $1 AND event_type = 'fault_test' GROUP BY 1`,
      [userId],
    );
    const stored = new Map(rows.map((r) => [r.seq, r.n]));
    for (const w of outcomes.filter((o) => o.kind === 'write')) {
      if (w.status === 201) expect([w.seq, stored.get(w.seq)]).toEqual([w.seq, 1]);
      else expect(stored.get(w.seq) ?? 0).toBeLessThanOrEqual(1);
    }
    // the service itself never stopped answering what needs no database
    expect((await json(base, 'GET', '/health/liveness')).status).toBe(200);
  });

  it('2 s of injected latency: requests time out at the statement timeout with 503, then the pool recovers', async () => {
    // warm the response cache and the last-known principal for this token
    expect((await json(base, 'GET', '/api/events?limit=5', undefined, token)).status).toBe(200);
    proxy.latency(2_000);
    try {
      const started = Date.now();
      const slow = await json(base, 'POST', '/api/events', { event_type: 'slow_db' }, token);
      expect(slow.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(DB_TIMEOUT_MS + 1_000);
      expect(slow.body.detail).toBeDefined();
      // a read already in the response cache is still served (the principal check falls
      // back to the last answer seen while the database does not answer)
      const cached = await json(base, 'GET', '/api/events?limit=5', undefined, token);
      expect(cached.status).toBe(200);
    } finally {
      proxy.latency(0);
    }
    expect(await statusOnceRecovered()).toBe(200);
    const ready = await json(base, 'GET', '/health/readiness');
    expect(ready.status).toBe(200);
    expect(ready.body.details).toMatchObject({ database_pool: { waiting: 0 } });
  });

  it('exposes the breaker and the pool in /metrics', async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^floyo_db_breaker_state 0$/m);
    expect(metrics).toMatch(/^floyo_db_pool_connections\{state="max"\} 10$/m);
    expect(metrics).toMatch(/^floyo_http_request_duration_seconds_count\{method="GET",route="\/api\/events",status="200"\} \d+/m);
    expect(metrics).toMatch(/^floyo_redis_up 1$/m);
  });

  it('a connection dropped while statements are in flight fails those requests, not the process', async () => {
    // answers held back, so reads (principal check, list page) and writes are mid-statement on
    // checked-out connections when every connection is dropped
    proxy.stall();
    const inFlight = [
      ...[3, 4, 6, 7].map((limit) => json(base, 'GET', `/api/events?limit=${limit}`, undefined, token)),
      ...[1, 2, 3].map((n) => json(base, 'POST', '/api/events', { event_type: 'cut_in_flight', details: { n } }, token)),
    ];
    await new Promise((r) => setTimeout(r, 300));
    proxy.cut();
    try {
      const answers = await Promise.all(inFlight);
      for (const a of answers) expect([200, 201, 503]).toContain(a.status);
      expect(answers.some((a) => a.status === 503)).toBe(true);
      expect(api.child.exitCode).toBeNull();
      expect((await json(base, 'GET', '/health/liveness')).status).toBe(200);
    } finally {
      proxy.resume();
      proxy.restore();
    }
    expect(await statusOnceRecovered()).toBe(200);
  });

  it('a session revoked just before an outage is not let in by the outage fallback', async () => {
    const email = (await json(base, 'GET', '/api/auth/me', undefined, token)).body.email as string;
    const second = (await json(base, 'POST', '/api/auth/login', { email, password: 'password 12345' })).body.access_token as string;
    // its principal is now the last answer this process saw for that token
    expect((await json(base, 'GET', '/api/events?limit=5', undefined, second)).status).toBe(200);
    // "log out everywhere else" from the first session revokes the second
    const revoked = await fetch(`${base}/api/auth/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect([revoked.status, await revoked.text()]).toEqual([200, JSON.stringify({ message: 'Revoked 1 session(s)' })]);
    proxy.cut();
    try {
      for (let i = 0; i < 3; i++) expect((await json(base, 'GET', '/api/events?limit=5', undefined, second)).status).toBe(503);
    } finally {
      proxy.restore();
    }
    expect(await statusOnceRecovered()).toBe(200);
    expect((await json(base, 'GET', '/api/events?limit=5', undefined, second)).status).toBe(401);
  });
});
