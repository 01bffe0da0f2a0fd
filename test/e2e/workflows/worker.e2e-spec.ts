import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { FeatureFlagsService } from '../../../src/domains/feature-flags/feature-flags.service';
import { IntegrationSecrets } from '../../../src/domains/integrations/integration-secrets';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { sleep, waitFor } from '../../helpers/wait';
import { TEST_DATABASE_URL } from '../../setup/test-env';

/**
 * The API (in-process) and real dist/worker.js processes sharing one Redis namespace:
 * executions run through Bull, schedules fire exactly once with two tickers racing, a
 * killed worker's execution is taken over, and SIGTERM lets a running execution finish.
 */
const PREFIX = `floyo-test-wf-${randomUUID().slice(0, 6)}:`;
const WORKER_ENV = {
  REDIS_KEY_PREFIX: PREFIX,
  WORKFLOW_HTTP_ALLOWLIST: '127.0.0.1',
  WORKFLOW_TICK_INTERVAL_MS: '1000',
  QUEUE_LOCK_DURATION_MS: '4000',
  QUEUE_STALLED_INTERVAL_MS: '1000',
  SHUTDOWN_GRACE_MS: '20000',
};

describe('workflow worker (real processes)', () => {
  let t: TestApp;
  let user: TestUser;
  let hookHits = 0;
  const hookBodies: string[] = [];
  let hook: http.Server;
  let hookUrl = '';
  const workers: Service[] = [];

  beforeAll(async () => {
    assertBuilt();
    hook = http.createServer((req, res) => {
      hookHits++;
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hookBodies.push(body);
        // `?ms=` answers that much later: a step that keeps its worker busy (a delay step parks instead)
        const ms = Number(new URL(req.url!, 'http://x').searchParams.get('ms') ?? 0);
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: true, n: hookHits }));
        }, ms);
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    t = await createTestApp({ REDIS_KEY_PREFIX: PREFIX, WORKFLOW_TICK_INTERVAL_MS: '1000' });
    user = await registerAndLogin(t);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await t.close();
    await new Promise((r) => hook.close(r));
  });

  const createWorkflow = async (body: Record<string, unknown>) =>
    (await t.http().post('/api/workflows').set(bearer(user.accessToken)).send(body).expect(201)).body as { id: string };
  const execute = async (id: string) =>
    (await t.http().post(`/api/workflows/${id}/execute`).set(bearer(user.accessToken)).expect(200)).body as { execution_id: string };
  const execution = async (workflowId: string, executionId: string) =>
    (await t.http().get(`/api/workflows/${workflowId}/executions/${executionId}`).set(bearer(user.accessToken)).expect(200)).body as {
      status: string;
      execution_log: { step_id: string; status: string }[];
      error_message: string | null;
    };
  const terminal = (s: string) => ['completed', 'failed', 'cancelled'].includes(s);

  it('boots, checks its job catalogue, and runs an execution end to end', async () => {
    workers.push(await startService('worker', WORKER_ENV));
    await waitFor('the job catalogue line', async () => /processing .*workflows\/execute/.test(workers[0].output()));
    const w = await createWorkflow({
      name: 'e2e',
      steps: [
        { id: 'call', type: 'http', method: 'POST', url: hookUrl, body: { hello: '{{trigger.who}}' } },
        { id: 'wait', type: 'delay', ms: 10 },
        { id: 'tell', type: 'notify', message: 'hook said {{steps.call.output.body.n}}' },
      ],
    });
    const { execution_id } = await execute(w.id);
    const done = await waitFor('execution to finish', async () => {
      const e = await execution(w.id, execution_id);
      return terminal(e.status) && e;
    });
    expect(done.status).toBe('completed');
    expect(done.execution_log.map((s) => [s.step_id, s.status])).toEqual([
      ['call', 'completed'],
      ['wait', 'completed'],
      ['tell', 'completed'],
    ]);
    const [row] = await query<{ attempts: number; started_at: Date; completed_at: Date }>(
      TEST_DATABASE_URL,
      'SELECT attempts, started_at, completed_at FROM workflow_executions WHERE id = $1',
      [execution_id],
    );
    expect(row.attempts).toBe(1);
    expect(row.completed_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
  });

  it('runs a workflow stored in the legacy shape: free-form named steps of type "log"', async () => {
    const w = await createWorkflow({
      name: 'legacy',
      steps: {
        '1': { type: 'log', message: 'Starting {{trigger.job}}' },
        '2': { type: 'delay', ms: 1 },
        '3': { type: 'log', message: 'done', level: 'warn' },
      },
    });
    const { execution_id } = (
      await t
        .http()
        .post(`/api/workflows/${w.id}/execute`)
        .set(bearer(user.accessToken))
        .send({ trigger: { job: 'nightly report' } })
        .expect(200)
    ).body;
    const done = await waitFor('the legacy workflow', async () => {
      const e = await execution(w.id, execution_id);
      return terminal(e.status) && e;
    });
    expect(done.status).toBe('completed');
    expect(done.execution_log.map((s) => [s.step_id, s.status, (s as { output?: unknown }).output])).toEqual([
      ['1', 'completed', { level: 'info', message: 'Starting nightly report' }],
      ['2', 'completed', { waited_ms: 1 }],
      ['3', 'completed', { level: 'warn', message: 'done' }],
    ]);
    // any other unknown type is still a 422 naming the step
    const bad = await t
      .http()
      .post('/api/workflows')
      .set(bearer(user.accessToken))
      .send({ name: 'x', steps: { '1': { type: 'shell', cmd: 'ls' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({
      loc: ['body', 'steps', '1', 'type'],
      msg: expect.stringMatching(/^steps\[0\] "1": type must be one of .*log/),
    });
  });

  it('runs a Slack post_message integration step with the decrypted webhook, for the owner only', async () => {
    // The fixture bypasses the connector schema (it requires https://) to point the webhook
    // at the local test server; the secret is sealed exactly as the API seals it.
    const slack = (await query<{ id: string }>(TEST_DATABASE_URL, "SELECT id FROM integration_connectors WHERE service_type = 'slack'"))[0];
    const [row] = await query<{ id: string }>(
      TEST_DATABASE_URL,
      `INSERT INTO user_integrations (user_id, connector_id, name, config) VALUES ($1, $2, 'team chat', '{"channel":"#ops"}') RETURNING id`,
      [user.id, slack.id],
    );
    const sealed = t.app.get(IntegrationSecrets).seal(row.id, { webhook_url: hookUrl });
    await query(TEST_DATABASE_URL, 'UPDATE user_integrations SET encrypted_secrets = $2 WHERE id = $1', [row.id, JSON.stringify(sealed)]);
    expect(JSON.stringify(sealed)).not.toContain('127.0.0.1');

    const w = await createWorkflow({
      name: 'slack',
      steps: [
        {
          id: 'post',
          type: 'integration',
          integration_id: row.id,
          action: 'post_message',
          params: { text: 'deploy of {{trigger.app}} done' },
        },
      ],
    });
    const before = hookBodies.length;
    const { execution_id } = (
      await t
        .http()
        .post(`/api/workflows/${w.id}/execute`)
        .set(bearer(user.accessToken))
        .send({ trigger: { app: 'floyo' } })
        .expect(200)
    ).body;
    const done = await waitFor('the Slack step', async () => {
      const e = await execution(w.id, execution_id);
      return terminal(e.status) && e;
    });
    expect(done.status).toBe('completed');
    expect(JSON.parse(hookBodies[before])).toEqual({ text: 'deploy of floyo done', channel: '#ops' });

    // someone else's integration id reads as not found: refused when the workflow is stored
    const stranger = await registerAndLogin(t);
    const steal = await t
      .http()
      .post('/api/workflows')
      .set(bearer(stranger.accessToken))
      .send({
        name: 'steal',
        steps: [{ id: 'post', type: 'integration', integration_id: row.id, action: 'post_message', params: { text: 'x' } }],
      });
    expect(steal.status).toBe(422);
    expect(steal.body.detail).toEqual([
      {
        loc: ['body', 'steps', 0, 'integration_id'],
        msg: `steps[0] "post": integration ${row.id} not found`,
        type: 'value_error',
      },
    ]);
    // … and at run time, should a stored step name one (stored before, or by hand)
    const theirs = (
      await t
        .http()
        .post('/api/workflows')
        .set(bearer(stranger.accessToken))
        .send({ name: 'steal', steps: [{ id: 'note', type: 'log', message: 'x' }] })
        .expect(201)
    ).body;
    await query(TEST_DATABASE_URL, 'UPDATE workflows SET steps = $2 WHERE id = $1', [
      theirs.id,
      JSON.stringify([
        {
          id: 'post',
          type: 'integration',
          integration_id: row.id,
          action: 'post_message',
          params: { text: 'x' },
          retries: 0,
          continue_on_error: false,
        },
      ]),
    ]);
    const stolen = (await t.http().post(`/api/workflows/${theirs.id}/execute`).set(bearer(stranger.accessToken)).expect(200)).body;
    const failed = await waitFor('the refused step', async () => {
      const e = (
        await t.http().get(`/api/workflows/${theirs.id}/executions/${stolen.execution_id}`).set(bearer(stranger.accessToken)).expect(200)
      ).body;
      return terminal(e.status) && e;
    });
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toMatch(/not found/);
    expect(hookBodies.length).toBe(before + 1);
  });

  it('the kill switch cancels queued runs in the worker and refuses new ones in the API', async () => {
    const w = await createWorkflow({ name: 'killed', steps: [{ type: 'delay', ms: 0 }] });
    const flags = t.app.get(FeatureFlagsService);
    await query(TEST_DATABASE_URL, "UPDATE feature_flags SET enabled = false WHERE name = 'enable_workflow_execution'");
    await flags.invalidate('enable_workflow_execution');
    try {
      const refused = await t.http().post(`/api/workflows/${w.id}/execute`).set(bearer(user.accessToken));
      expect(refused.status).toBe(503);
      expect(refused.body.detail).toMatch(/temporarily disabled/);
      // a run recorded before the switch flipped, whose job was lost: the recovery sweep
      // hands it to a worker, which cancels it
      const [queued] = await query<{ id: string }>(
        TEST_DATABASE_URL,
        `INSERT INTO workflow_executions (workflow_id, status, trigger_type, created_at)
         VALUES ($1, 'pending', 'manual', now() - interval '1 minute') RETURNING id`,
        [w.id],
      );
      const cancelled = await waitFor(
        'the recovery sweep to hand it to the worker, which cancels it',
        async () => {
          const e = await execution(w.id, queued.id);
          return terminal(e.status) && e;
        },
        60_000,
      );
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.error_message).toMatch(/enable_workflow_execution/);
    } finally {
      await query(TEST_DATABASE_URL, "UPDATE feature_flags SET enabled = true WHERE name = 'enable_workflow_execution'");
      await flags.invalidate('enable_workflow_execution');
    }
  });

  it('fires every due schedule exactly once with two racing tickers', async () => {
    workers.push(await startService('worker', WORKER_ENV));
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(
        (
          await createWorkflow({
            name: `sched-${i}`,
            steps: [{ type: 'delay', ms: 0 }],
            schedule_config: { type: 'cron', cron: '* * * * *' },
          })
        ).id,
      );
    }
    // Due times forced into the past: two minutes ago, then (advanced) one minute ago.
    // (Natural every-minute runs may add executions for later minutes; each is checked too.)
    const force = async (offsetSeconds: number) =>
      (
        await query<{ due: Date }>(
          TEST_DATABASE_URL,
          `UPDATE workflows SET next_run_at = date_trunc('minute', now()) - make_interval(secs => $2) WHERE id = ANY($1) RETURNING next_run_at AS due`,
          [ids, offsetSeconds],
        )
      )[0].due;
    const countAt = async (due: Date) =>
      (
        await query<{ n: number }>(
          TEST_DATABASE_URL,
          `SELECT count(*)::int AS n FROM workflow_executions WHERE workflow_id = ANY($1) AND scheduled_for = $2`,
          [ids, due],
        )
      )[0].n;

    const first = await force(120);
    await waitFor('20 executions for the first due time', async () => (await countAt(first)) >= 20);
    const second = await force(60);
    await waitFor('20 executions for the advanced due time', async () => (await countAt(second)) >= 20);
    await sleep(2_500); // several more ticks from both workers: no duplicate may appear
    expect([await countAt(first), await countAt(second)]).toEqual([20, 20]);

    const perDue = await query<{ workflow_id: string; scheduled_for: Date; n: number }>(
      TEST_DATABASE_URL,
      `SELECT workflow_id, scheduled_for, count(*)::int AS n FROM workflow_executions
        WHERE workflow_id = ANY($1) GROUP BY 1, 2`,
      [ids],
    );
    expect(perDue.length).toBeGreaterThanOrEqual(40);
    for (const r of perDue) expect(r.n).toBe(1);
    // the schedules moved on to a future due time (missed runs coalesced, not replayed)
    const next = await query<{ future: boolean }>(
      TEST_DATABASE_URL,
      'SELECT next_run_at > now() AS future FROM workflows WHERE id = ANY($1)',
      [ids],
    );
    expect(next.every((r) => r.future)).toBe(true);
    await waitFor('all scheduled executions to finish', async () => {
      const rows = await query<{ n: number }>(
        TEST_DATABASE_URL,
        `SELECT count(*)::int AS n FROM workflow_executions WHERE workflow_id = ANY($1) AND status <> 'completed'`,
        [ids],
      );
      return rows[0].n === 0;
    });
    // deactivating stops the schedule at once
    await t.http().post(`/api/workflows/${ids[0]}/deactivate`).set(bearer(user.accessToken)).expect(200);
    await query(TEST_DATABASE_URL, `UPDATE workflows SET next_run_at = now() - interval '1 minute' WHERE id = $1`, [ids[0]]);
    const before = (
      await query<{ n: number }>(TEST_DATABASE_URL, 'SELECT count(*)::int AS n FROM workflow_executions WHERE workflow_id = $1', [ids[0]])
    )[0].n;
    await sleep(2_000);
    const after = (
      await query<{ n: number }>(TEST_DATABASE_URL, 'SELECT count(*)::int AS n FROM workflow_executions WHERE workflow_id = $1', [ids[0]])
    )[0].n;
    expect(after).toBe(before);
  });

  it('finishes an execution whose worker was killed mid-step, in exactly one terminal state', async () => {
    // Only worker A runs when the execution starts, so A holds it; B joins, then A is killed.
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    const a = await startService('worker', WORKER_ENV);
    workers.push(a);
    // The step must outlast B's boot (up to ~5 s on a loaded 2-core CI machine), so A is
    // still inside it when killed; 3 s was not always enough.
    const w = await createWorkflow({
      name: 'crash',
      steps: [
        { id: 'long', type: 'http', method: 'GET', url: `${hookUrl}?ms=8000`, timeout_ms: 20_000 },
        { id: 'after', type: 'delay', ms: 0 },
      ],
    });
    const { execution_id } = await execute(w.id);
    await waitFor('the execution to start on A', async () => (await execution(w.id, execution_id)).status === 'running');
    workers.push(await startService('worker', WORKER_ENV));
    await a.stop('SIGKILL');
    workers.splice(workers.indexOf(a), 1);
    const done = await waitFor(
      'the execution to end on B',
      async () => {
        const e = await execution(w.id, execution_id);
        return terminal(e.status) && e;
      },
      45_000,
    );
    expect(done.status).toBe('completed');
    const [after] = await query<{ status: string; attempts: number }>(
      TEST_DATABASE_URL,
      'SELECT status, attempts FROM workflow_executions WHERE id = $1',
      [execution_id],
    );
    // claimed twice: by A, then taken over by B
    expect(after).toEqual({ status: 'completed', attempts: 2 });
    expect(done.execution_log.map((s) => [s.step_id, s.status])).toEqual([
      ['long', 'completed'],
      ['after', 'completed'],
    ]);
  });

  it('on SIGTERM lets the running execution finish, then exits 0', async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    const worker = await startService('worker', WORKER_ENV);
    workers.push(worker);
    const w = await createWorkflow({ name: 'graceful', steps: [{ id: 'long', type: 'http', method: 'GET', url: `${hookUrl}?ms=2500` }] });
    const { execution_id } = await execute(w.id);
    await waitFor('the execution to start', async () => (await execution(w.id, execution_id)).status === 'running');
    const code = await worker.stop('SIGTERM');
    expect(code).toBe(0);
    const e = await execution(w.id, execution_id);
    expect(e.status).toBe('completed');
  });
});
