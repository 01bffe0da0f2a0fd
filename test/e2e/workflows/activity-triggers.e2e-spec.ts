import { randomUUID } from 'node:crypto';
import { EventBus } from '../../../src/platform/event-bus/event-bus';
import { FeatureFlagsService } from '../../../src/domains/feature-flags';
import { generateActivity } from '../../fixtures/activity-generator';
import { ACTIVITY_ENV, addEvents, type EventInput } from '../../helpers/activity';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createScratchDatabase, query } from '../../helpers/databases';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { waitFor } from '../../helpers/wait';

/**
 * Activity triggers with a real worker process and its own database: an ingested event
 * that matches an active workflow's trigger starts exactly one run with the event as
 * `{{trigger.*}}`; batches start one run per matching event; the same event twice starts
 * one; other users' events never start anything; bursts are capped per minute and the cap
 * says so in the run's log; the kill switch stops matching.
 */

const PREFIX = `floyo-test-triggers-${randomUUID().slice(0, 6)}:`;

interface Execution {
  id: string;
  status: string;
  trigger_type: string;
  trigger_data: Record<string, unknown> | null;
  execution_log: { step_id: string; status: string; output?: Record<string, unknown> }[];
}

describe('activity triggers (real worker)', () => {
  let t: TestApp;
  let db: { url: string; drop: () => Promise<void> };
  let worker: Service;
  let env: Record<string, string>;

  beforeAll(async () => {
    assertBuilt();
    db = await createScratchDatabase('triggers');
    env = {
      ...ACTIVITY_ENV,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: PREFIX,
      QUEUE_LOCK_DURATION_MS: '4000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
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
  const createWorkflow = async (
    u: TestUser,
    trigger: Record<string, unknown>,
    message = 'got {{trigger.file_name}} ({{trigger.event_type}})',
  ) =>
    (
      await http()
        .post('/api/workflows')
        .set(bearer(u.accessToken))
        .send({ name: `on activity ${randomUUID().slice(0, 6)}`, trigger, steps: [{ id: 'note', type: 'log', message }] })
        .expect(201)
    ).body as { id: string; trigger: Record<string, unknown> };
  const runsOf = (workflowId: string) =>
    query<{ id: string; status: string; trigger_type: string; idempotency_key: string }>(
      db.url,
      'SELECT id, status, trigger_type, idempotency_key FROM workflow_executions WHERE workflow_id = $1 ORDER BY created_at',
      [workflowId],
    );
  const execution = async (u: TestUser, workflowId: string, id: string) =>
    (await http().get(`/api/workflows/${workflowId}/executions/${id}`).set(bearer(u.accessToken)).expect(200)).body as Execution;
  const csv = (n: number): EventInput => ({
    event_type: 'file_created',
    file_path: `/home/ana/reports/out/kpi-${n}.csv`,
    tool: 'python',
    operation: 'created',
  });
  const noise = (n: number): EventInput => ({ event_type: 'file_opened', file_path: `/home/ana/notes/n-${n}.md`, tool: 'typora' });

  it('validates the trigger when the workflow is stored, naming the field', async () => {
    const u = await registerAndLogin(t);
    const res = await http()
      .post('/api/workflows')
      .set(bearer(u.accessToken))
      .send({ name: 'x', trigger: { type: 'activity', match: { path: '*.csv' }, max_runs_per_minute: 0 }, steps: [] });
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual([
      'body.trigger.match.path',
      'body.trigger.max_runs_per_minute',
    ]);
    const w = await createWorkflow(u, { type: 'activity', match: { file_path: '/home/*/reports/out/*.csv' } });
    expect(w.trigger).toEqual({
      type: 'activity',
      match: { file_path: '/home/*/reports/out/*.csv' },
      max_runs_per_minute: 10,
      include_members: false,
    });
  });

  it('one matching event starts exactly one run with the event as {{trigger.*}}, within 2 s', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u, { type: 'activity', match: { event_type: 'file_created', file_path: '/home/*/reports/out/*.csv' } });
    const started = Date.now();
    const event = (await http().post('/api/events').set(bearer(u.accessToken)).send(csv(1)).expect(201)).body as { id: string };
    const done = await waitFor(
      'the triggered run',
      async () => {
        const [run] = await runsOf(w.id);
        return run?.status === 'completed' && run;
      },
      10_000,
      50,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await runsOf(w.id)).toHaveLength(1);
    const e = await execution(u, w.id, done.id);
    expect(e.trigger_type).toBe('activity');
    expect(e.trigger_data).toMatchObject({
      type: 'activity',
      event_id: event.id,
      event_type: 'file_created',
      file_path: '/home/ana/reports/out/kpi-1.csv',
      file_name: 'kpi-1.csv',
      extension: '.csv',
      tool: 'python',
      operation: 'created',
    });
    expect(e.execution_log.map((s) => [s.step_id, s.status, s.output?.message])).toEqual([
      ['note', 'completed', 'got kpi-1.csv (file_created)'],
    ]);
    // a non-matching event starts nothing
    await http().post('/api/events').set(bearer(u.accessToken)).send(noise(1)).expect(201);
    await http()
      .post('/api/events')
      .set(bearer(u.accessToken))
      .send({ ...csv(2), event_type: 'file_modified' })
      .expect(201);
    expect(await runsOf(w.id)).toHaveLength(1);
  });

  it('a batch of 1,000 events with 10 matches starts exactly 10 runs, one per event', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u, { type: 'activity', match: { file_path: '/home/*/reports/out/*.csv' }, max_runs_per_minute: 100 });
    const events = Array.from({ length: 1_000 }, (_, i) => (i % 100 === 7 ? csv(i) : noise(i)));
    const created = await addEvents(t, u, events);
    const matchedIds = created.filter((_, i) => i % 100 === 7).map((e) => `activity:${e.id}`);
    const runs = await waitFor('ten runs', async () => {
      const r = await runsOf(w.id);
      return r.length >= 10 && r.every((x) => x.status === 'completed') && r;
    });
    expect(runs.map((r) => r.idempotency_key).sort()).toEqual([...matchedIds].sort());
  });

  it('the same event delivered twice starts one run; another user’s matching event starts none', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u, { type: 'activity', match: { tool: 'python' } });
    const [event] = await addEvents(t, u, [csv(1)]);
    await waitFor('the run', async () => (await runsOf(w.id)).length === 1);
    // the listener runs again for the same event (a retried delivery)
    const bus = t.app.get(EventBus);
    const again = {
      id: event.id,
      ...csv(1),
      file_path: csv(1).file_path!,
      tool: 'python',
      operation: 'created',
      timestamp: new Date().toISOString(),
    };
    await bus.publish('activity.ingested', { userId: u.id, events: [again, again], patterns: [], earliest: null });
    expect(await runsOf(w.id)).toHaveLength(1);

    const stranger = await registerAndLogin(t);
    await addEvents(t, stranger, [csv(5), csv(6)]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await runsOf(w.id)).toHaveLength(1);
  });

  it('a burst beyond max_runs_per_minute is capped, and the run says how many were coalesced', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u, { type: 'activity', match: { event_type: 'file_created' }, max_runs_per_minute: 10 });
    await addEvents(
      t,
      u,
      Array.from({ length: 50 }, (_, i) => csv(i)),
    );
    const runs = await waitFor('the capped runs', async () => {
      const r = await runsOf(w.id);
      return r.length === 10 && r.every((x) => x.status === 'completed') && r;
    });
    expect(runs).toHaveLength(10);
    const logs = await query<{ coalesced: number | null; notes: number }>(
      db.url,
      `SELECT (trigger_data->>'coalesced_events')::int AS coalesced,
              (SELECT count(*)::int FROM jsonb_array_elements(execution_log) x WHERE x->>'status' = 'coalesced') AS notes
         FROM workflow_executions WHERE workflow_id = $1`,
      [w.id],
    );
    expect(logs.reduce((n, r) => n + (r.coalesced ?? 0), 0)).toBe(40);
    expect(logs.filter((r) => r.notes > 0)).toHaveLength(1);
  });

  it('the kill switch stops matching', async () => {
    const u = await registerAndLogin(t);
    const w = await createWorkflow(u, { type: 'activity', match: { tool: 'python' } });
    const flags = t.app.get(FeatureFlagsService);
    await query(db.url, "UPDATE feature_flags SET enabled = false WHERE name = 'enable_workflow_execution'");
    await flags.invalidate('enable_workflow_execution');
    try {
      await addEvents(t, u, [csv(1)]);
      await new Promise((r) => setTimeout(r, 500));
      expect(await runsOf(w.id)).toHaveLength(0);
    } finally {
      await query(db.url, "UPDATE feature_flags SET enabled = true WHERE name = 'enable_workflow_execution'");
      await flags.invalidate('enable_workflow_execution');
    }
  });

  it('closes the loop: a planted routine, its suggestion applied, the next matching event runs it', async () => {
    const u = await registerAndLogin(t);
    await http()
      .put('/api/config')
      .set(bearer(u.accessToken))
      .send({ suggestions_config: { max_suggestions: 20, use_actual_file_paths: true } })
      .expect(200);
    await addEvents(t, u, generateActivity().events);
    await http().post('/api/suggestions/generate').set(bearer(u.accessToken)).expect(200);
    const [suggestion] = await query<{ id: string }>(
      db.url,
      "SELECT id FROM suggestions WHERE user_id = $1 AND rule_id = 'outputs-sync-dropbox'",
      [u.id],
    );
    const draft = (await http().post(`/api/suggestions/${suggestion.id}/workflow`).set(bearer(u.accessToken)).expect(201)).body as {
      id: string;
      is_active: boolean;
      trigger: Record<string, unknown>;
      schedule_config: unknown;
    };
    // python runs → a CSV is created → upload: the CSV's creation starts the automation
    expect(draft).toMatchObject({
      is_active: true,
      schedule_config: null,
      trigger: { type: 'activity', match: { operation: 'created', file_path: '**/*.csv' } },
    });
    expect(await runsOf(draft.id)).toHaveLength(0); // the routine's past events start nothing
    const started = Date.now();
    const event = (await http().post('/api/events').set(bearer(u.accessToken)).send(csv(99)).expect(201)).body as { id: string };
    const [run] = await waitFor(
      'the run of the next CSV',
      async () => {
        const runs = await runsOf(draft.id);
        return runs.length > 0 && runs[0].status === 'completed' && runs;
      },
      10_000,
      50,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await runsOf(draft.id)).toHaveLength(1);
    expect((await execution(u, draft.id, run.id)).trigger_data).toMatchObject({ event_id: event.id, file_name: 'kpi-99.csv' });
  });
});
