import { createHmac, randomUUID } from 'node:crypto';
import { FeatureFlagsService } from '../../../src/domains/feature-flags';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createScratchDatabase, query } from '../../helpers/databases';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { sleep, waitFor } from '../../helpers/wait';

/**
 * Signed inbound webhooks with a real worker process and their own database: a webhook
 * trigger gives the workflow a URL and a secret shown once; a delivery signed with it
 * (HMAC-SHA256 over "<timestamp>.<raw body>") starts one run with the body as
 * {{trigger.body}}; every refusal — bad or missing signature, stale timestamp, replay, old
 * secret after a rotation, too large, unknown hook, over the per-hook limit, inactive
 * workflow — starts nothing.
 */

const PREFIX = `floyo-test-webhooks-${randomUUID().slice(0, 6)}:`;
const PER_MINUTE = 10;

interface Hook {
  id: string;
  url: string;
  secret?: string;
}
interface WorkflowBody {
  id: string;
  trigger: Record<string, unknown> | null;
  hook?: Hook | null;
}
interface Execution {
  id: string;
  status: string;
  trigger_type: string;
  trigger_data: Record<string, unknown> | null;
  execution_log: { step_id: string; status: string; output?: Record<string, unknown> }[];
}

const sign = (secret: string, timestamp: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
const nowSeconds = () => String(Math.floor(Date.now() / 1000));

describe('webhook triggers (real worker)', () => {
  let t: TestApp;
  let db: { url: string; drop: () => Promise<void> };
  let worker: Service;

  beforeAll(async () => {
    assertBuilt();
    db = await createScratchDatabase('webhooks');
    const env = {
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: PREFIX,
      QUEUE_LOCK_DURATION_MS: '4000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      WORKFLOW_WEBHOOK_MAX_PER_MINUTE: String(PER_MINUTE),
      WORKFLOW_WEBHOOK_MAX_BODY_BYTES: String(4 * 1024),
    };
    t = await createTestApp(env);
    worker = await startService('worker', env);
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await t?.close();
    await db?.drop();
  });

  const http = () => t.http();
  const createWorkflow = async (u: TestUser, extra: Record<string, unknown> = {}) =>
    (
      await http()
        .post('/api/workflows')
        .set(bearer(u.accessToken))
        .send({
          name: `on webhook ${randomUUID().slice(0, 6)}`,
          trigger: { type: 'webhook' },
          steps: [{ id: 'note', type: 'log', message: 'got {{trigger.body.name}}' }],
          ...extra,
        })
        .expect(201)
    ).body as WorkflowBody;
  const runsOf = (workflowId: string) =>
    query<{ id: string; status: string; trigger_type: string; idempotency_key: string | null }>(
      db.url,
      'SELECT id, status, trigger_type, idempotency_key FROM workflow_executions WHERE workflow_id = $1 ORDER BY created_at',
      [workflowId],
    );
  const execution = async (u: TestUser, workflowId: string, id: string) =>
    (await http().get(`/api/workflows/${workflowId}/executions/${id}`).set(bearer(u.accessToken)).expect(200)).body as Execution;
  /** POSTs `body` (exact bytes) to the hook, signed with `secret` unless headers say otherwise. */
  const deliver = (hookId: string, secret: string, body: string, headers: Record<string, string | undefined> = {}) => {
    const timestamp = headers['X-Floyo-Timestamp'] ?? nowSeconds();
    const all: Record<string, string | undefined> = {
      'Content-Type': 'application/json',
      'X-Floyo-Timestamp': timestamp,
      'X-Floyo-Signature': sign(secret, timestamp, body),
      ...headers,
    };
    let req = http().post(`/api/hooks/${hookId}`);
    for (const [k, v] of Object.entries(all)) if (v !== undefined) req = req.set(k, v);
    return req.send(body);
  };
  /** Fixed one-minute windows: keep a test's burst inside one. */
  const awayFromMinuteBoundary = async () => {
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await sleep(60_000 - intoMinute + 200);
  };

  it('issues the URL and secret once: in the create answer, never on GET or in the list', async () => {
    const u = await registerAndLogin(t);
    const bad = await http()
      .post('/api/workflows')
      .set(bearer(u.accessToken))
      .send({ name: 'x', trigger: { type: 'webhook', secret: 'mine', max_runs_per_minute: 0 }, steps: [] });
    expect(bad.status).toBe(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual([
      'body.trigger.secret',
      'body.trigger.max_runs_per_minute',
    ]);

    const w = await createWorkflow(u);
    expect(w.trigger).toEqual({ type: 'webhook' });
    expect(w.hook).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      url: `/api/hooks/${w.hook!.id}`,
      secret: expect.stringMatching(/^whsec_/),
    });
    const got = (await http().get(`/api/workflows/${w.id}`).set(bearer(u.accessToken)).expect(200)).body as WorkflowBody;
    expect(got.hook).toEqual({ id: w.hook!.id, url: w.hook!.url });
    const list = (await http().get('/api/workflows').set(bearer(u.accessToken)).expect(200)).body as { items: WorkflowBody[] };
    expect(list.items.find((x) => x.id === w.id)?.hook).toEqual({ id: w.hook!.id, url: w.hook!.url });
    expect(JSON.stringify(list)).not.toContain(w.hook!.secret);
    // at rest only encrypted
    const [row] = await query<{ secret: unknown }>(db.url, 'SELECT secret FROM workflow_hooks WHERE id = $1', [w.hook!.id]);
    expect(JSON.stringify(row.secret)).not.toContain(w.hook!.secret!.slice(6));
    // the trigger of a workflow without one: no hook
    const plain = (await http().post('/api/workflows').set(bearer(u.accessToken)).send({ name: 'plain', steps: [] }).expect(201))
      .body as WorkflowBody;
    expect(plain.hook).toBeNull();
  });

  it('a signed delivery answers 202 and runs once with the body as {{trigger.body}}', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u);
    const body = JSON.stringify({ name: 'ana', items: [1, 2] });
    const res = await deliver(w.hook!.id, w.hook!.secret!, body).expect(202);
    expect(res.body).toEqual({ execution_id: expect.any(String), status: 'pending' });
    await waitFor('the webhook run', async () => (await runsOf(w.id))[0]?.status === 'completed');
    expect(await runsOf(w.id)).toHaveLength(1);
    const e = await execution(u, w.id, res.body.execution_id);
    expect(e.trigger_type).toBe('webhook');
    expect(e.trigger_data).toEqual({
      type: 'webhook',
      hook_id: w.hook!.id,
      body: { name: 'ana', items: [1, 2] },
      received_at: expect.any(String),
    });
    expect(e.execution_log.map((s) => [s.step_id, s.status, s.output?.message])).toEqual([['note', 'completed', 'got ana']]);
    // an array body too
    await deliver(w.hook!.id, w.hook!.secret!, '[{"name":"x"}]').expect(202);
    expect(await runsOf(w.id)).toHaveLength(2);
  });

  it('refuses bad and missing signatures, stale timestamps, replays and non-JSON — and runs nothing', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u);
    const { id, secret } = w.hook as Required<Hook>;
    const body = '{"name":"eve"}';

    const wrong = await deliver(id, 'whsec_wrong', body).expect(401);
    expect(wrong.body.detail).toMatch(/does not match/);
    const missingSig = await deliver(id, secret, body, { 'X-Floyo-Signature': undefined }).expect(401);
    expect(missingSig.body.detail).toMatch(/X-Floyo-Signature is missing/);
    const missingTs = await http().post(`/api/hooks/${id}`).set('Content-Type', 'application/json').send(body).expect(401);
    expect(missingTs.body.detail).toMatch(/X-Floyo-Timestamp is missing/);
    const old = String(Math.floor(Date.now() / 1000) - 301);
    const stale = await deliver(id, secret, body, { 'X-Floyo-Timestamp': old, 'X-Floyo-Signature': sign(secret, old, body) }).expect(401);
    expect(stale.body.detail).toMatch(/outside the 5-minute window/);
    // the signed bytes, changed by one character
    const ts = nowSeconds();
    await deliver(id, secret, '{"name":"eva"}', { 'X-Floyo-Timestamp': ts, 'X-Floyo-Signature': sign(secret, ts, body) }).expect(401);
    await http().post(`/api/hooks/${id}`).set('Content-Type', 'text/plain').send('hello').expect(415);
    const notJson = await deliver(id, secret, '{"name":').expect(422);
    expect(notJson.body.detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' });
    await deliver(id, secret, '"just a string"').expect(422);
    expect(await runsOf(w.id)).toHaveLength(0);

    // a good delivery once; the very same request again is a replay
    const replayTs = nowSeconds();
    const headers = { 'X-Floyo-Timestamp': replayTs, 'X-Floyo-Signature': sign(secret, replayTs, body) };
    await deliver(id, secret, body, headers).expect(202);
    const replay = await deliver(id, secret, body, headers).expect(409);
    expect(replay.body.detail).toMatch(/replayed/);
    await sleep(300);
    expect(await runsOf(w.id)).toHaveLength(1);
  });

  it('rotating the secret refuses the old one and accepts the new one', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u);
    const old = w.hook!.secret!;
    const rotated = (await http().post(`/api/workflows/${w.id}/hook/rotate`).set(bearer(u.accessToken)).expect(200)).body as Hook;
    expect(rotated).toEqual({ id: w.hook!.id, url: w.hook!.url, secret: expect.stringMatching(/^whsec_/) });
    expect(rotated.secret).not.toBe(old);
    await deliver(w.hook!.id, old, '{"name":"old"}').expect(401);
    expect(await runsOf(w.id)).toHaveLength(0);
    await deliver(w.hook!.id, rotated.secret!, '{"name":"new"}').expect(202);
    expect(await runsOf(w.id)).toHaveLength(1);
    // a workflow without a webhook trigger has nothing to rotate
    const plain = (await http().post('/api/workflows').set(bearer(u.accessToken)).send({ name: 'p', steps: [] }).expect(201))
      .body as WorkflowBody;
    await http().post(`/api/workflows/${plain.id}/hook/rotate`).set(bearer(u.accessToken)).expect(404);
    // someone else may not rotate it
    const stranger = await registerAndLogin(t);
    const denied = await http().post(`/api/workflows/${w.id}/hook/rotate`).set(bearer(stranger.accessToken));
    expect([403, 404]).toContain(denied.status);
  });

  it('refuses an oversized body (413) and an unknown hook (404), running nothing', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u);
    const big = JSON.stringify({ name: 'x'.repeat(5 * 1024) });
    const res = await deliver(w.hook!.id, w.hook!.secret!, big).expect(413);
    expect(res.body.detail).toMatch(/at most 4096/);
    const unknown = await deliver('AAAAAAAAAAAAAAAAAAAAAA', w.hook!.secret!, '{"name":"x"}').expect(404);
    expect(unknown.body.detail).toBe('Unknown webhook');
    expect(await runsOf(w.id)).toHaveLength(0);
  });

  it('limits each hook per minute: 429 with Retry-After past the limit (and a lower limit of the trigger)', async () => {
    await awayFromMinuteBoundary();
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u);
    for (let i = 0; i < PER_MINUTE; i++) await deliver(w.hook!.id, w.hook!.secret!, `{"name":"n${i}"}`).expect(202);
    const limited = await deliver(w.hook!.id, w.hook!.secret!, '{"name":"over"}').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(await runsOf(w.id)).toHaveLength(PER_MINUTE);
    // another hook has its own budget, and its trigger may set a lower one
    const low = await createWorkflow(u, { trigger: { type: 'webhook', max_runs_per_minute: 2 } });
    await deliver(low.hook!.id, low.hook!.secret!, '{"name":"a"}').expect(202);
    await deliver(low.hook!.id, low.hook!.secret!, '{"name":"b"}').expect(202);
    await deliver(low.hook!.id, low.hook!.secret!, '{"name":"c"}').expect(429);
    expect(await runsOf(low.id)).toHaveLength(2);
  });

  it('the same Idempotency-Key twice starts one run', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u);
    const first = await deliver(w.hook!.id, w.hook!.secret!, '{"name":"one"}', { 'Idempotency-Key': 'delivery-1' }).expect(202);
    await sleep(1_100); // a retry, signed again
    const again = await deliver(w.hook!.id, w.hook!.secret!, '{"name":"one"}', { 'Idempotency-Key': 'delivery-1' }).expect(202);
    expect(again.body.execution_id).toBe(first.body.execution_id);
    const runs = await runsOf(w.id);
    expect(runs.map((r) => r.idempotency_key)).toEqual(['webhook:delivery-1']);
  });

  it('an inactive workflow (409) and the kill switch (503) start nothing; removing the trigger removes the hook', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u, { is_active: false });
    const inactive = await deliver(w.hook!.id, w.hook!.secret!, '{"name":"x"}').expect(409);
    expect(inactive.body.detail).toMatch(/not active/);
    await http().post(`/api/workflows/${w.id}/activate`).set(bearer(u.accessToken)).expect(200);

    const flags = t.app.get(FeatureFlagsService);
    await query(db.url, "UPDATE feature_flags SET enabled = false WHERE name = 'enable_workflow_execution'");
    await flags.invalidate('enable_workflow_execution');
    try {
      await deliver(w.hook!.id, w.hook!.secret!, '{"name":"x"}').expect(503);
    } finally {
      await query(db.url, "UPDATE feature_flags SET enabled = true WHERE name = 'enable_workflow_execution'");
      await flags.invalidate('enable_workflow_execution');
    }
    expect(await runsOf(w.id)).toHaveLength(0);

    // changing the trigger away from webhook deletes the hook: its URL is gone
    const updated = (await http().put(`/api/workflows/${w.id}`).set(bearer(u.accessToken)).send({ trigger: null }).expect(200))
      .body as WorkflowBody;
    expect(updated.hook).toBeNull();
    await deliver(w.hook!.id, w.hook!.secret!, '{"name":"x"}').expect(404);
    // and back to webhook issues a new hook with a new secret (shown in that answer)
    const back = (
      await http()
        .put(`/api/workflows/${w.id}`)
        .set(bearer(u.accessToken))
        .send({ trigger: { type: 'webhook' } })
        .expect(200)
    ).body as WorkflowBody;
    expect(back.hook).toEqual({ id: expect.any(String), url: expect.any(String), secret: expect.stringMatching(/^whsec_/) });
    expect(back.hook!.id).not.toBe(w.hook!.id);
    await deliver(back.hook!.id, back.hook!.secret!, '{"name":"x"}').expect(202);
    expect(await runsOf(w.id)).toHaveLength(1);
  });
});
