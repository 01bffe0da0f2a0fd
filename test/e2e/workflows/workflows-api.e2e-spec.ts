import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

const steps = [
  { id: 'fetch', type: 'http', method: 'GET', url: 'https://example.com/items' },
  { id: 'tell', type: 'notify', message: 'fetched {{steps.fetch.output.status}}' },
];

describe('workflows API', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    [alice, bob] = await Promise.all([registerAndLogin(t), registerAndLogin(t)]);
  });
  afterAll(() => t.close());

  const create = (user: TestUser, body: Record<string, unknown>) =>
    t.http().post('/api/workflows').set(bearer(user.accessToken)).send(body);

  it('creates a workflow with version 1 and normalised steps', async () => {
    const res = await create(alice, { name: 'Nightly', description: 'd', steps }).expect(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      name: 'Nightly',
      version: 1,
      is_active: true,
      organization_id: null,
      schedule_config: null,
      next_run_at: null,
    });
    expect(res.body.steps[0]).toMatchObject({ id: 'fetch', retries: 0, continue_on_error: false, timeout_ms: 10_000 });
    const versions = await t.http().get(`/api/workflows/${res.body.id}/versions`).set(bearer(alice.accessToken)).expect(200);
    expect(versions.body).toEqual([expect.objectContaining({ version_number: 1, name: 'Nightly', change_summary: 'Created' })]);
  });

  it('accepts the legacy object form of steps', async () => {
    const res = await create(alice, {
      name: 'Legacy',
      steps: { first: { type: 'delay', ms: 0 }, second: { type: 'notify', message: 'x' } },
    }).expect(201);
    expect(res.body.steps.map((s: { id: string }) => s.id)).toEqual(['first', 'second']);
  });

  it('names the failing step in validation errors', async () => {
    const res = await create(alice, {
      name: 'Bad',
      steps: [
        { type: 'delay', ms: 0 },
        { id: 'call', type: 'http', method: 'GET', url: 'not a url' },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { loc: ['body', 'steps', 1, 'url'], msg: expect.stringMatching(/^steps\[1\] "call": url/), type: 'value_error' },
    ]);
    const noSteps = await create(alice, { name: 'None' });
    expect(noSteps.status).toBe(422);
    expect(noSteps.body.detail[0].loc).toEqual(['body', 'steps']);
  });

  it('validates schedules with the parser message and computes next_run_at', async () => {
    const bad = await create(alice, { name: 'S', steps, schedule_config: { type: 'cron', cron: '99 * * * *' } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({
      loc: ['body', 'schedule_config', 'cron'],
      msg: expect.stringMatching(/^invalid cron expression/),
    });
    const short = await create(alice, { name: 'S', steps, schedule_config: { type: 'interval', interval: 30 } });
    expect(short.status).toBe(422);
    const ok = await create(alice, {
      name: 'S',
      steps,
      schedule_config: { type: 'cron', cron: '*/5 * * * *', timezone: 'Europe/Berlin' },
    }).expect(201);
    const next = new Date(ok.body.next_run_at);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(next.getUTCMinutes() % 5).toBe(0);
  });

  it('records a version per content change and rolls back as a new version', async () => {
    const w = (await create(alice, { name: 'v1', steps }).expect(201)).body;
    await t.http().put(`/api/workflows/${w.id}`).set(bearer(alice.accessToken)).send({ name: 'v2', change_summary: 'rename' }).expect(200);
    const v3 = await t
      .http()
      .put(`/api/workflows/${w.id}`)
      .set(bearer(alice.accessToken))
      .send({ steps: [{ id: 'only', type: 'delay', ms: 5 }] })
      .expect(200);
    expect(v3.body.version).toBe(3);
    // no content change: no new version
    const same = await t.http().put(`/api/workflows/${w.id}`).set(bearer(alice.accessToken)).send({ name: 'v2' }).expect(200);
    expect(same.body.version).toBe(3);

    const rb = await t
      .http()
      .post(`/api/workflows/${w.id}/rollback`)
      .query({ version_number: 1 })
      .set(bearer(alice.accessToken))
      .expect(200);
    expect(rb.body).toEqual({ message: 'Rolled back to version 1', version: 4 });
    const now = (await t.http().get(`/api/workflows/${w.id}`).set(bearer(alice.accessToken)).expect(200)).body;
    expect(now).toMatchObject({ name: 'v1', version: 4 });
    expect(now.steps.map((s: { id: string }) => s.id)).toEqual(['fetch', 'tell']);

    const versions = (await t.http().get(`/api/workflows/${w.id}/versions`).set(bearer(alice.accessToken)).expect(200)).body;
    expect(versions.map((v: { version_number: number; change_summary: string }) => [v.version_number, v.change_summary])).toEqual([
      [4, 'Rolled back to version 1'],
      [3, 'Updated steps'],
      [2, 'rename'],
      [1, 'Created'],
    ]);
    // body form of version_number, and an unknown version
    await t.http().post(`/api/workflows/${w.id}/rollback`).send({ version_number: 2 }).set(bearer(alice.accessToken)).expect(200);
    await t.http().post(`/api/workflows/${w.id}/rollback`).send({ version_number: 99 }).set(bearer(alice.accessToken)).expect(404);
    await t.http().post(`/api/workflows/${w.id}/rollback`).send({ version_number: 'one' }).set(bearer(alice.accessToken)).expect(422);
  });

  it('activation starts and stops the schedule at once', async () => {
    const w = (await create(alice, { name: 'sched', steps, schedule_config: { type: 'interval', interval: 3600 } }).expect(201)).body;
    expect(w.next_run_at).not.toBeNull();
    const off = await t.http().post(`/api/workflows/${w.id}/deactivate`).set(bearer(alice.accessToken)).expect(200);
    expect(off.body).toMatchObject({ is_active: false, next_run_at: null });
    await t.http().post(`/api/workflows/${w.id}/execute`).set(bearer(alice.accessToken)).expect(409);
    const on = await t.http().post(`/api/workflows/${w.id}/activate`).set(bearer(alice.accessToken)).expect(200);
    expect(on.body.is_active).toBe(true);
    expect(on.body.next_run_at).not.toBeNull();
  });

  it('lists personal workflows, paginated', async () => {
    const carol = await registerAndLogin(t);
    for (let i = 0; i < 3; i++) await create(carol, { name: `w${i}`, steps }).expect(201);
    const first = await t.http().get('/api/workflows').query({ limit: 2 }).set(bearer(carol.accessToken)).expect(200);
    expect(first.body).toMatchObject({ total: 3, skip: 0, limit: 2, has_more: true });
    expect(first.body.items.map((w: { name: string }) => w.name)).toEqual(['w2', 'w1']);
    const last = await t.http().get('/api/workflows').query({ skip: 2, limit: 2 }).set(bearer(carol.accessToken)).expect(200);
    expect(last.body).toMatchObject({ total: 3, has_more: false });
    await t.http().get('/api/workflows').query({ limit: 101 }).set(bearer(carol.accessToken)).expect(422);
  });

  it('execute answers pending at once, honours Idempotency-Key, and lists executions newest first', async () => {
    const w = (await create(alice, { name: 'run', steps: [{ type: 'delay', ms: 0 }] }).expect(201)).body;
    const a = await t
      .http()
      .post(`/api/workflows/${w.id}/execute`)
      .set(bearer(alice.accessToken))
      .set('Idempotency-Key', 'k-1')
      .expect(200);
    expect(a.body).toEqual({ execution_id: expect.any(String), status: 'pending' });
    const again = await t
      .http()
      .post(`/api/workflows/${w.id}/execute`)
      .set(bearer(alice.accessToken))
      .set('Idempotency-Key', 'k-1')
      .expect(200);
    expect(again.body.execution_id).toBe(a.body.execution_id);
    const b = await t
      .http()
      .post(`/api/workflows/${w.id}/execute`)
      .set(bearer(alice.accessToken))
      .send({ trigger: { x: 1 } })
      .expect(200);
    expect(b.body.execution_id).not.toBe(a.body.execution_id);
    await t.http().post(`/api/workflows/${w.id}/execute`).set(bearer(alice.accessToken)).set('Idempotency-Key', 'has spaces').expect(422);

    const list = await t.http().get(`/api/workflows/${w.id}/executions`).set(bearer(alice.accessToken)).expect(200);
    expect(list.body.map((e: { id: string }) => e.id)).toEqual([b.body.execution_id, a.body.execution_id]);
    expect(list.body[0]).toMatchObject({ workflow_id: w.id, status: 'pending', trigger_type: 'manual' });
    const paged = await t
      .http()
      .get(`/api/workflows/${w.id}/executions`)
      .query({ limit: 1, offset: 1 })
      .set(bearer(alice.accessToken))
      .expect(200);
    expect(paged.body.map((e: { id: string }) => e.id)).toEqual([a.body.execution_id]);
    const one = await t.http().get(`/api/workflows/${w.id}/executions/${a.body.execution_id}`).set(bearer(alice.accessToken)).expect(200);
    expect(one.body).toMatchObject({ id: a.body.execution_id, execution_log: [] });
    await t.http().get(`/api/workflows/${w.id}/executions/not-a-uuid`).set(bearer(alice.accessToken)).expect(404);

    const audit = await query(TEST_DATABASE_URL, "SELECT action FROM audit_logs WHERE resource_id = $1 AND action = 'execute'", [w.id]);
    expect(audit).toHaveLength(2);
  });

  it('hides another user’s workflow behind 404 on every route', async () => {
    const w = (await create(alice, { name: 'private', steps }).expect(201)).body;
    const run = (await t.http().post(`/api/workflows/${w.id}/execute`).set(bearer(alice.accessToken)).expect(200)).body;
    const bobs = (await create(bob, { name: 'mine', steps }).expect(201)).body;
    const as = bearer(bob.accessToken);
    const routes: [string, string][] = [
      ['get', `/api/workflows/${w.id}/executions/${run.execution_id}`],
      // an execution of someone else's workflow under one's own workflow id
      ['get', `/api/workflows/${bobs.id}/executions/${run.execution_id}`],
      ['get', `/api/workflows/${w.id}`],
      ['put', `/api/workflows/${w.id}`],
      ['delete', `/api/workflows/${w.id}`],
      ['get', `/api/workflows/${w.id}/versions`],
      ['post', `/api/workflows/${w.id}/rollback?version_number=1`],
      ['post', `/api/workflows/${w.id}/activate`],
      ['post', `/api/workflows/${w.id}/deactivate`],
      ['post', `/api/workflows/${w.id}/execute`],
      ['get', `/api/workflows/${w.id}/executions`],
    ];
    for (const [method, path] of routes) {
      const agent = t.http() as unknown as Record<string, (p: string) => ReturnType<ReturnType<TestApp['http']>['get']>>;
      const res = await agent[method](path).set(as).send({ name: 'hijack' });
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    const list = await t.http().get('/api/workflows').set(as).expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(w.id);
    await t.http().get('/api/workflows/not-a-uuid').set(as).expect(404);
    // still intact for the owner
    await t
      .http()
      .get(`/api/workflows/${w.id}`)
      .set(bearer(alice.accessToken))
      .expect(200)
      .expect((r) => expect(r.body.name).toBe('private'));
  });

  it('deletes a workflow with its versions and executions', async () => {
    const w = (await create(alice, { name: 'gone', steps }).expect(201)).body;
    await t.http().post(`/api/workflows/${w.id}/execute`).set(bearer(alice.accessToken)).expect(200);
    const res = await t.http().delete(`/api/workflows/${w.id}`).set(bearer(alice.accessToken)).expect(200);
    expect(res.body).toEqual({ message: 'Workflow deleted' });
    await t.http().get(`/api/workflows/${w.id}`).set(bearer(alice.accessToken)).expect(404);
    expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM workflow_executions WHERE workflow_id = $1', [w.id])).toHaveLength(0);
  });
});
