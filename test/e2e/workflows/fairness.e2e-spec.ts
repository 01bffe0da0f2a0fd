import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { waitFor } from '../../helpers/wait';
import { TEST_DATABASE_URL } from '../../setup/test-env';

/**
 * One tenant cannot stall the worker for everyone (a real dist/worker.js, 5 slots): a
 * delay step parks its execution (no slot, no worker), and each owner runs at most
 * WORKFLOW_MAX_RUNNING_PER_OWNER (2) executions at once, the rest waiting their turn in
 * order without blocking anyone else's.
 */
const PREFIX = `floyo-test-fair-${randomUUID().slice(0, 6)}:`;
// The ticker's recovery sweep reads executions of the whole (shared) test database: with a
// tick this rare it never takes another test file's executions into this worker's queue.
const ENV = {
  REDIS_KEY_PREFIX: PREFIX,
  WORKFLOW_HTTP_ALLOWLIST: '127.0.0.1',
  WORKER_CONCURRENCY: '5',
  WORKFLOW_MAX_RUNNING_PER_OWNER: '2',
  WORKFLOW_TICK_INTERVAL_MS: '600000',
};

interface Row {
  id: string;
  status: string;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  attempts: number;
  execution_log: { step_id: string; status: string; output?: { waited_ms?: number } }[];
}

describe('a fair workflow worker (real process)', () => {
  let t: TestApp;
  let worker: Service;
  let slow: http.Server;
  let slowUrl = '';
  const hits: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    // a slow provider: each request takes 800 ms
    slow = http.createServer((req, res) => {
      hits.push(new URL(req.url!, 'http://x').searchParams.get('n') ?? '?');
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 800);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    t = await createTestApp(ENV);
    worker = await startService('worker', ENV);
    await waitFor('the worker', async () => /processing .*workflows\/execute/.test(worker.output()));
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await t.close();
    await new Promise((r) => slow.close(r));
  });

  const workflow = async (u: TestUser, steps: unknown[]) =>
    (
      await t
        .http()
        .post('/api/workflows')
        .set(bearer(u.accessToken))
        .send({ name: `w ${randomUUID().slice(0, 6)}`, steps })
        .expect(201)
    ).body.id as string;
  const execute = async (u: TestUser, id: string, trigger: object = {}) =>
    (await t.http().post(`/api/workflows/${id}/execute`).set(bearer(u.accessToken)).send({ trigger }).expect(200)).body
      .execution_id as string;
  const rows = (ids: string[]) =>
    query<Row>(
      TEST_DATABASE_URL,
      'SELECT id, status, created_at, started_at, completed_at, attempts, execution_log FROM workflow_executions WHERE id = ANY($1) ORDER BY created_at, id',
      [ids],
    );
  const done = (r: Row) => ['completed', 'failed', 'cancelled'].includes(r.status);

  it('delays do not hold worker slots: five 2 × 900 s executions leave another user’s run free to finish at once', async () => {
    const [a, b] = await Promise.all([registerAndLogin(t), registerAndLogin(t)]);
    const sleepy = await workflow(a, [
      { id: 'wait1', type: 'delay', ms: 900_000 },
      { id: 'wait2', type: 'delay', ms: 900_000 },
    ]);
    const parked: string[] = [];
    for (let i = 0; i < 5; i++) parked.push(await execute(a, sleepy));
    await waitFor('all five parked in their first delay', async () => {
      const r = await query<{ n: number }>(
        TEST_DATABASE_URL,
        "SELECT count(*)::int AS n FROM workflow_executions WHERE id = ANY($1) AND status = 'running' AND resume_at IS NOT NULL AND NOT holds_slot",
        [parked],
      );
      return r[0].n === 5;
    });
    const quick = await workflow(b, [{ id: 'call', type: 'http', method: 'GET', url: `${slowUrl}?n=b` }]);
    const started = Date.now();
    const id = await execute(b, quick);
    const [finished] = await waitFor(
      'user B’s execution',
      async () => {
        const r = await rows([id]);
        return done(r[0]) && r;
      },
      10_000,
    );
    expect(finished.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(3_000);
    await query(TEST_DATABASE_URL, "UPDATE workflow_executions SET status = 'cancelled', completed_at = now() WHERE id = ANY($1)", [
      parked,
    ]);
  });

  it('an owner runs at most 2 at once, the rest in order; another user’s run completes meanwhile; none twice', async () => {
    const [a, b] = await Promise.all([registerAndLogin(t), registerAndLogin(t)]);
    const long = await workflow(a, [{ id: 'call', type: 'http', method: 'GET', url: `${slowUrl}?n={{trigger.n}}` }]);
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) ids.push(await execute(a, long, { n: `a${n}` }));
    await new Promise((r) => setTimeout(r, 300));
    const other = await workflow(b, [{ id: 'call', type: 'http', method: 'GET', url: `${slowUrl}?n=b2` }]);
    const started = Date.now();
    const bId = await execute(b, other);
    await waitFor('user B’s execution', async () => done((await rows([bId]))[0]), 10_000);
    expect(Date.now() - started).toBeLessThan(3_000);

    const all = await waitFor(
      'all of A’s executions',
      async () => {
        const r = await rows(ids);
        return r.every(done) && r;
      },
      30_000,
    );
    expect(all.map((r) => r.status)).toEqual(Array(10).fill('completed'));
    // in order: started in creation order, up to the 2 that a freed pair of slots starts at once
    const startRank = [...all].sort((x, y) => x.started_at!.getTime() - y.started_at!.getTime()).map((r) => r.id);
    all.forEach((r, created) => expect(Math.abs(startRank.indexOf(r.id) - created)).toBeLessThan(2));
    // never more than 2 of A's running at once
    for (const r of all) {
      const runningThen = all.filter((o) => o.started_at! <= r.started_at! && o.completed_at! > r.started_at!);
      expect(runningThen.length).toBeLessThanOrEqual(2);
    }
    // none twice: one attempt each, one request each
    expect(all.map((r) => r.attempts)).toEqual(Array(10).fill(1));
    expect(hits.filter((h) => h.startsWith('a')).sort()).toEqual(Array.from({ length: 10 }, (_, n) => `a${n}`).sort());
  });

  it('a parked execution resumes after its delay and finishes, the delay logged as done', async () => {
    const u = await registerAndLogin(t);
    const wf = await workflow(u, [
      { id: 'pause', type: 'delay', ms: 1_500 },
      { id: 'call', type: 'http', method: 'GET', url: `${slowUrl}?n=resumed` },
    ]);
    const id = await execute(u, wf);
    const [row] = await waitFor(
      'the resumed execution',
      async () => {
        const r = await rows([id]);
        return done(r[0]) && r;
      },
      15_000,
    );
    expect(row.status).toBe('completed');
    expect(row.execution_log.map((s) => [s.step_id, s.status])).toEqual([
      ['pause', 'completed'],
      ['call', 'completed'],
    ]);
    expect(row.execution_log[0].output!.waited_ms).toBeGreaterThanOrEqual(1_400);
    expect(row.attempts).toBe(1);
    expect(hits.filter((h) => h === 'resumed')).toHaveLength(1);
  });
});
