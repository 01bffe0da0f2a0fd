import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FeatureFlagsService } from '../../../src/domains/feature-flags/feature-flags.service';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createScratchDatabase, query } from '../../helpers/databases';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { waitFor } from '../../helpers/wait';
import { DropboxFake } from '../../fakes/dropbox-fake';
import { GithubFake, type RecordedRequest } from '../../fakes/github-fake';

/**
 * Dry runs in a real worker process (dist/worker.js) against real local servers: a dry run
 * sends nothing, and what it records is exactly what a real run of the same workflow then
 * sends (method, URL, headers — the masked ones aside — and body).
 */
const PREFIX = `floyo-test-dry-${randomUUID().slice(0, 6)}:`;
const GITHUB_TOKEN = 'ghp_dryRunSecretToken000000001';
const DROPBOX_TOKEN = 'sl.dryRunSecretToken0000000002';
const HOOK_SECRET = 'hook-secret-value-0003';
const MASK = '••••';
/** What the connection adds, not the request: never recorded by a dry run. */
const TRANSPORT_HEADERS = ['host', 'connection', 'content-length', 'transfer-encoding'];

interface Step {
  step_id: string;
  status: string;
  output?: Record<string, unknown>;
  error?: string;
}
interface Execution {
  id: string;
  status: string;
  dry_run: boolean;
  error_message: string | null;
  execution_log: Step[];
}
interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

describe('workflow dry runs (real worker, local servers, fake providers)', () => {
  let t: TestApp;
  let user: TestUser;
  let db: { url: string; drop: () => Promise<void> };
  let github: GithubFake;
  let dropbox: DropboxFake;
  let hook: http.Server;
  let hookUrl = '';
  const hookRequests: { method: string; url: string; headers: Record<string, string>; body: string }[] = [];
  const workers: Service[] = [];

  beforeAll(async () => {
    assertBuilt();
    // its own database: this suite's workers (ticker, recovery sweep) see this suite's executions only
    db = await createScratchDatabase('dryrun');
    github = await GithubFake.start({ token: GITHUB_TOKEN, repos: [{ owner: 'ana', name: 'reports' }] });
    dropbox = await DropboxFake.start({ token: DROPBOX_TOKEN });
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hookRequests.push({ method: req.method!, url: req.url!, headers: req.headers as Record<string, string>, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    const env = {
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: PREFIX,
      WORKFLOW_HTTP_ALLOWLIST: '127.0.0.1',
      WORKFLOW_TICK_INTERVAL_MS: '1000',
      QUEUE_LOCK_DURATION_MS: '4000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      INTEGRATION_DROPBOX_API_URL: dropbox.apiUrl,
      INTEGRATION_DROPBOX_CONTENT_URL: dropbox.contentUrl,
    };
    t = await createTestApp(env);
    user = await registerAndLogin(t);
    workers.push(await startService('worker', env));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await t?.close();
    await Promise.all([github?.close(), dropbox?.close(), hook && new Promise((r) => hook.close(r))]);
    await db?.drop();
  });

  const api = () => t.http();
  const createWorkflow = async (body: Record<string, unknown>) =>
    (await api().post('/api/workflows').set(bearer(user.accessToken)).send(body).expect(201)).body as { id: string };
  const execute = async (id: string, body: Record<string, unknown>, key?: string) => {
    const req = api().post(`/api/workflows/${id}/execute`).set(bearer(user.accessToken));
    if (key) req.set('Idempotency-Key', key);
    return (await req.send(body).expect(200)).body as { execution_id: string; status: string; dry_run?: boolean };
  };
  const get = async (workflowId: string, executionId: string) =>
    (await api().get(`/api/workflows/${workflowId}/executions/${executionId}`).set(bearer(user.accessToken)).expect(200)).body as Execution;
  const finished = (workflowId: string, executionId: string) =>
    waitFor(`execution ${executionId} to finish`, async () => {
      const e = await get(workflowId, executionId);
      return ['completed', 'failed', 'cancelled'].includes(e.status) && e;
    });
  const connectorId = async (type: string) =>
    (
      (await api().get('/api/integrations/connectors').set(bearer(user.accessToken)).expect(200)).body as {
        id: string;
        service_type: string;
      }[]
    ).find((c) => c.service_type === type)!.id;
  const integration = async (type: string, config: Record<string, unknown>) =>
    (
      await api()
        .post('/api/integrations')
        .set(bearer(user.accessToken))
        .send({ connector_id: await connectorId(type), name: `${type} dry`, config })
        .expect(201)
    ).body as { id: string };

  /** The recorded request equals the received one: method, URL, every header (the masked ones by name only), body. */
  function expectSameRequest(
    recorded: Recorded,
    received: { method: string; url: string; headers: Record<string, string> },
    body: unknown,
  ) {
    expect(recorded.method).toBe(received.method);
    expect(recorded.url).toBe(received.url);
    const sent = Object.fromEntries(Object.entries(received.headers).filter(([name]) => !TRANSPORT_HEADERS.includes(name)));
    expect(Object.keys(recorded.headers).sort()).toEqual(Object.keys(sent).sort());
    for (const [name, value] of Object.entries(recorded.headers)) {
      if (value !== MASK) expect([name, value]).toEqual([name, sent[name]]);
    }
    expect(recorded.body).toEqual(body);
  }
  const fakeUrl = (base: string, r: RecordedRequest) => `${base}${r.path}${[...r.query].length ? `?${r.query.toString()}` : ''}`;

  it('an http step records the exact request and sends nothing; a real run then sends that request', async () => {
    const w = await createWorkflow({
      name: 'http dry',
      steps: [
        {
          id: 'call',
          type: 'http',
          method: 'POST',
          url: `${hookUrl}?who={{trigger.who}}`,
          headers: { Authorization: `Bearer ${HOOK_SECRET}`, 'X-Trace': 'dry-{{trigger.who}}', 'X-Signature': HOOK_SECRET },
          body: { hello: '{{trigger.who}}', n: 3 },
        },
        { id: 'note', type: 'log', message: 'said {{steps.call.output.request.body.hello}}' },
      ],
    });
    const dry = await execute(w.id, { dry_run: true, trigger: { who: 'ana' } });
    expect(dry).toEqual({ execution_id: expect.any(String), status: 'pending', dry_run: true });
    const done = await finished(w.id, dry.execution_id);
    expect([done.status, done.error_message]).toEqual(['completed', null]);
    expect(done.dry_run).toBe(true);
    expect(hookRequests).toHaveLength(0);
    const output = done.execution_log.find((s) => s.step_id === 'call')!.output as { dry_run: boolean; request: Recorded };
    expect(output.dry_run).toBe(true);
    expect(output.request.headers.authorization).toBe(MASK);
    expect(output.request.headers['x-signature']).toBe(MASK);
    expect(JSON.stringify(done)).not.toContain(HOOK_SECRET);
    // the log step behaves as usual, with the dry run's output in its context
    expect(done.execution_log.find((s) => s.step_id === 'note')!.output).toEqual({ level: 'info', message: 'said ana' });

    const real = await execute(w.id, { trigger: { who: 'ana' } });
    expect(real.dry_run).toBeUndefined();
    expect((await finished(w.id, real.execution_id)).status).toBe('completed');
    expect(hookRequests).toHaveLength(1);
    const received = hookRequests[0];
    expectSameRequest(output.request, { ...received, url: `http://${received.headers.host}${received.url}` }, JSON.parse(received.body));
    expect(received.headers.authorization).toBe(`Bearer ${HOOK_SECRET}`);

    // listed and fetched as a dry run; the real one is not
    const list = (await api().get(`/api/workflows/${w.id}/executions`).set(bearer(user.accessToken)).expect(200)).body as Execution[];
    expect(Object.fromEntries(list.map((e) => [e.id, e.dry_run]))).toEqual({ [dry.execution_id]: true, [real.execution_id]: false });
  });

  it('a delay of 60 s completes at once, notify pushes nothing; an inactive workflow may be dry-run but not run', async () => {
    const w = await createWorkflow({
      name: 'delay dry',
      steps: [
        { id: 'wait', type: 'delay', ms: 60_000 },
        { id: 'tell', type: 'notify', message: 'waited for {{trigger.who}}' },
      ],
    });
    await api().post(`/api/workflows/${w.id}/deactivate`).set(bearer(user.accessToken)).expect(200);
    await api().post(`/api/workflows/${w.id}/execute`).set(bearer(user.accessToken)).send({}).expect(409);
    const started = Date.now();
    const dry = await execute(w.id, { dry_run: true, trigger: { who: 'bo' } });
    const done = await finished(w.id, dry.execution_id);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(done.status).toBe('completed');
    expect(done.execution_log.map((s) => [s.step_id, s.output])).toEqual([
      ['wait', { dry_run: true, would_wait_ms: 60_000 }],
      [
        'tell',
        {
          dry_run: true,
          would_deliver_to: 'user',
          notification: { message: 'waited for bo', workflow_id: w.id, execution_id: dry.execution_id },
        },
      ],
    ]);
  });

  it('idempotency: a dry run never answers with the real run of the same key, nor the other way round', async () => {
    const w = await createWorkflow({ name: 'idem dry', steps: [{ id: 'note', type: 'log', message: 'hi' }] });
    const key = `k-${randomUUID()}`;
    const real = await execute(w.id, {}, key);
    const dry = await execute(w.id, { dry_run: true }, key);
    expect(dry.execution_id).not.toBe(real.execution_id);
    expect((await execute(w.id, { dry_run: true }, key)).execution_id).toBe(dry.execution_id);
    expect((await execute(w.id, {}, key)).execution_id).toBe(real.execution_id);
    expect((await finished(w.id, dry.execution_id)).dry_run).toBe(true);
    expect((await finished(w.id, real.execution_id)).dry_run).toBe(false);
  });

  it('GitHub integration steps: the fake receives nothing, the recorded requests are what a real run sends, no secret in the log', async () => {
    const gh = await integration('github', { access_token: GITHUB_TOKEN, repository: 'ana/reports', api_url: github.url });
    const w = await createWorkflow({
      name: 'github dry',
      steps: [
        {
          id: 'issue',
          type: 'integration',
          integration_id: gh.id,
          action: 'create_issue',
          params: { title: 'Report for {{trigger.who}}', body: 'token-free body', labels: ['floyo'] },
        },
        {
          id: 'dispatch',
          type: 'integration',
          integration_id: gh.id,
          action: 'repository_dispatch',
          params: { event_type: 'report', client_payload: { who: '{{trigger.who}}' } },
        },
      ],
    });
    github.reset();
    const dry = await execute(w.id, { dry_run: true, trigger: { who: 'cy' } });
    const done = await finished(w.id, dry.execution_id);
    expect([done.status, done.error_message]).toEqual(['completed', null]);
    expect(github.requests).toHaveLength(0);
    expect(JSON.stringify(done)).not.toContain(GITHUB_TOKEN);
    const recorded = (id: string) => {
      const output = done.execution_log.find((s) => s.step_id === id && s.status === 'completed')!.output as {
        dry_run: boolean;
        requests: Recorded[];
      };
      expect(output.dry_run).toBe(true);
      expect(output.requests).toHaveLength(1);
      expect(output.requests[0].headers.authorization).toBe(MASK);
      return output.requests[0];
    };
    const issue = recorded('issue');
    const dispatch = recorded('dispatch');
    // the integration's health is not touched by a dry run
    const [row] = await query<{ last_sync_at: Date | null }>(db.url, 'SELECT last_sync_at FROM user_integrations WHERE id = $1', [gh.id]);
    expect(row.last_sync_at).toBeNull();

    // the same workflow, for real (the step keys differ per execution: floyo markers and keys aside, the same requests)
    const real = await execute(w.id, { trigger: { who: 'cy' } });
    const realDone = await finished(w.id, real.execution_id);
    expect([realDone.status, realDone.error_message]).toEqual(['completed', null]);
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/ana/reports/issues',
      'POST /repos/ana/reports/dispatches',
    ]);
    const key = (executionId: string, step: string) => createHash('sha256').update(`${executionId}:${step}`).digest('hex').slice(0, 32);
    const [issueSent, dispatchSent] = github.requests;
    expect(issueSent.headers.authorization).toBe(`Bearer ${GITHUB_TOKEN}`);
    const sameKeys = (r: RecordedRequest, step: string) =>
      JSON.parse(r.body.toString('utf8').split(key(real.execution_id, step)).join(key(dry.execution_id, step))) as unknown;
    expectSameRequest(issue, { ...issueSent, url: fakeUrl(github.url, issueSent) }, sameKeys(issueSent, 'issue'));
    expectSameRequest(dispatch, { ...dispatchSent, url: fakeUrl(github.url, dispatchSent) }, sameKeys(dispatchSent, 'dispatch'));
  });

  it('a Dropbox upload: bytes recorded as {bytes, sha256}, the content request equals the real one', async () => {
    const box = await integration('dropbox', { access_token: DROPBOX_TOKEN, folder_path: '/Reports' });
    const text = 'a,b\n1,2\n';
    const w = await createWorkflow({
      name: 'dropbox dry',
      steps: [
        {
          id: 'up',
          type: 'integration',
          integration_id: box.id,
          action: 'upload_file',
          params: { file: { text, name: 'q.csv', content_type: 'text/csv' } },
        },
      ],
    });
    dropbox.clearRequests();
    const dry = await execute(w.id, { dry_run: true });
    const done = await finished(w.id, dry.execution_id);
    expect([done.status, done.error_message]).toEqual(['completed', null]);
    expect(dropbox.requests).toHaveLength(0);
    expect(JSON.stringify(done)).not.toContain(DROPBOX_TOKEN);
    const [recorded] = (done.execution_log.find((s) => s.status === 'completed')!.output as { requests: Recorded[] }).requests;
    expect(recorded.body).toEqual({ bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') });

    const real = await execute(w.id, {});
    expect((await finished(w.id, real.execution_id)).status).toBe('completed');
    const uploads = dropbox.requestsTo('/2/files/upload', 'POST');
    expect(uploads).toHaveLength(1);
    const sent = uploads[0];
    expectSameRequest(
      recorded,
      { ...sent, url: fakeUrl(dropbox.contentUrl, sent) },
      {
        bytes: sent.body.length,
        sha256: createHash('sha256').update(sent.body).digest('hex'),
      },
    );
  });

  it('the kill switch refuses a dry run in the API and cancels a queued one in the worker', async () => {
    const w = await createWorkflow({ name: 'killed dry', steps: [{ id: 'call', type: 'http', method: 'GET', url: hookUrl }] });
    const flags = t.app.get(FeatureFlagsService);
    await query(db.url, "UPDATE feature_flags SET enabled = false WHERE name = 'enable_workflow_execution'");
    await flags.invalidate('enable_workflow_execution');
    try {
      const refused = await api().post(`/api/workflows/${w.id}/execute`).set(bearer(user.accessToken)).send({ dry_run: true });
      expect(refused.status).toBe(503);
      expect(refused.body.detail).toMatch(/temporarily disabled/);
      // a dry run recorded before the switch flipped whose job was lost: the sweep hands it to the worker, which cancels it
      const [queued] = await query<{ id: string }>(
        db.url,
        `INSERT INTO workflow_executions (workflow_id, status, trigger_type, dry_run, created_at)
         VALUES ($1, 'pending', 'manual', true, now() - interval '1 minute') RETURNING id`,
        [w.id],
      );
      const cancelled = await finished(w.id, queued.id);
      expect([cancelled.status, cancelled.dry_run]).toEqual(['cancelled', true]);
      expect(cancelled.error_message).toMatch(/enable_workflow_execution/);
      expect(hookRequests.filter((r) => r.method === 'GET')).toHaveLength(0);
    } finally {
      await query(db.url, "UPDATE feature_flags SET enabled = true WHERE name = 'enable_workflow_execution'");
      await flags.invalidate('enable_workflow_execution');
    }
  });
});
