import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { RULES } from '../../../src/domains/suggestions/engine/catalogue';
import { type FixtureEvent, generateActivity } from '../../fixtures/activity-generator';
import { ACTIVITY_ENV, addEvents } from '../../helpers/activity';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createScratchDatabase, query } from '../../helpers/databases';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { type LocalS3, startLocalS3 } from '../../helpers/s3';
import { TcpProxy } from '../../helpers/tcp-proxy';
import { connectSocket, record, waitUntil } from '../../helpers/sockets';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { waitFor } from '../../helpers/wait';
import { DropboxFake } from '../../fakes/dropbox-fake';
import { GithubFake } from '../../fakes/github-fake';
import { GoogleFake } from '../../fakes/google-fake';
import { attachmentsOf, SmtpFake } from '../../fakes/smtp-fake';

/**
 * Every rule of the suggestion catalogue, end to end: the routine planted in a user's
 * activity (the synthetic generator), generate, apply (a draft workflow whose integration
 * step is valid for the user's integration), activate, execute in a real worker, and the
 * fake provider — speaking the provider's real protocol — received exactly the expected
 * write once, even though the worker running the step was SIGKILLed while the provider was
 * answering it: a second worker takes the execution over, sees the step was interrupted
 * and finds the effect at the provider instead of repeating it. The files come from the
 * user's uploads (POST /api/events/upload): the backend does not have the user's disk.
 */

const PREFIX = `floyo-test-drafts-${randomUUID().slice(0, 6)}:`;
const GITHUB_TOKEN = 'ghp_suggestionDraftsToken00001';
const DROPBOX_TOKEN = 'sl.suggestionDraftsToken00002';
const SMTP_USER = 'floyo-mailer';
const SMTP_PASSWORD = 'smtp-secret-password-0003';
const SERVICE_ACCOUNT = 'floyo-drafts@floyo-test.iam.gserviceaccount.com';

type Rule = (typeof RULES)[number]['id'];
interface Workflow {
  id: string;
  steps: { id: string; type: string; integration_id?: string; action?: string; params?: Record<string, unknown> }[];
  schedule_config: unknown;
  description: string;
}
interface Execution {
  status: string;
  error_message: string | null;
  execution_log: { step_id: string; status: string; output?: Record<string, unknown> }[];
}

/** The fixture's events without the steps of `drop` (tool:operation): lets the rules a longer one supersedes fire. */
const without = (events: FixtureEvent[], ...drop: string[]) => events.filter((e) => !drop.includes(`${e.tool}:${e.operation}`));

describe('suggestion drafts run end to end (real worker, fake providers, a worker killed mid-step)', () => {
  let t: TestApp;
  let github: GithubFake;
  let dropbox: DropboxFake;
  let google: GoogleFake;
  let googleProxy: TcpProxy;
  let smtp: SmtpFake;
  let s3: LocalS3;
  let s3Proxy: TcpProxy;
  let env: Record<string, string>;
  let connectors: { id: string; service_type: string }[];
  // its own database: the workers' schedule ticker and recovery sweep see this suite's executions only
  let db: { url: string; drop: () => Promise<void> };
  const workers: Service[] = [];
  const fixture = generateActivity();
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    assertBuilt();
    db = await createScratchDatabase('drafts');
    github = await GithubFake.start({
      token: GITHUB_TOKEN,
      repos: [{ owner: 'ana', name: 'analysis', workflows: [{ file: 'floyo-checks.yml', name: 'Floyo checks', inputs: [] }] }],
    });
    dropbox = await DropboxFake.start({ token: DROPBOX_TOKEN });
    google = await new GoogleFake({ serviceAccounts: { [SERVICE_ACCOUNT]: keys.publicKey } }).start();
    googleProxy = await TcpProxy.forUrl(google.base, 80).start();
    smtp = await new SmtpFake({ users: { [SMTP_USER]: SMTP_PASSWORD } }).start();
    s3 = await startLocalS3('floyo-drafts');
    s3Proxy = await TcpProxy.forUrl(s3.env.S3_ENDPOINT, 80).start();
    env = {
      ...ACTIVITY_ENV,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: PREFIX,
      WORKFLOW_HTTP_ALLOWLIST: '127.0.0.1',
      WORKFLOW_TICK_INTERVAL_MS: '1000',
      QUEUE_LOCK_DURATION_MS: '4000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      INTEGRATION_DROPBOX_API_URL: dropbox.apiUrl,
      INTEGRATION_DROPBOX_CONTENT_URL: dropbox.contentUrl,
      INTEGRATION_GOOGLE_DRIVE_URL: base(googleProxy.url(google.base)),
      // the worker trusts the SMTP fake's test CA as an operator trusts a private CA
      NODE_EXTRA_CA_CERTS: join(__dirname, '..', '..', 'fixtures', 'smtp-tls', 'ca.pem'),
    };
    t = await createTestApp(env);
    await t.app.listen(0, '127.0.0.1');
    const admin = await registerAndLogin(t);
    connectors = (await t.http().get('/api/integrations/connectors').set(bearer(admin.accessToken)).expect(200)).body;
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await t?.close();
    await Promise.all([github?.close(), dropbox?.close(), google?.close(), smtp?.close(), s3?.stop()]);
    await Promise.all([googleProxy?.stop(), s3Proxy?.stop()]);
    await db?.drop();
  });

  const base = (url: string) => url.replace(/\/$/, '');
  const http = () => t.http();
  const execution = async (u: TestUser, workflowId: string, executionId: string) =>
    (await http().get(`/api/workflows/${workflowId}/executions/${executionId}`).set(bearer(u.accessToken)).expect(200)).body as Execution;

  /** A user whose activity holds the routine; the suggestion of `rule`, applied, with `config` connected and `upload` uploaded. */
  async function draft(
    rule: Rule,
    events: FixtureEvent[],
    integration: { type: string; config: Record<string, unknown> } | null,
    upload?: { name: string; bytes: Buffer; contentType: string },
  ): Promise<{ user: TestUser; workflow: Workflow; uploadEventId?: string }> {
    const user = await registerAndLogin(t);
    await http()
      .put('/api/config')
      .set(bearer(user.accessToken))
      .send({ suggestions_config: { max_suggestions: 20, use_actual_file_paths: true } })
      .expect(200);
    await addEvents(t, user, events);
    const created = (await http().post('/api/suggestions/generate').set(bearer(user.accessToken)).expect(200)).body as { id: string }[];
    const rules = await query<{ id: string; rule_id: string }>(db.url, 'SELECT id, rule_id FROM suggestions WHERE user_id = $1', [user.id]);
    const suggestion = rules.find((r) => r.rule_id === rule);
    expect([rule, suggestion ? 'suggested' : `not suggested (got ${rules.map((r) => r.rule_id).join(', ')})`]).toEqual([rule, 'suggested']);
    expect(created.map((s) => s.id)).toContain(suggestion!.id);
    if (integration) {
      const connectorId = connectors.find((c) => c.service_type === integration.type)!.id;
      await http()
        .post('/api/integrations')
        .set(bearer(user.accessToken))
        .send({ connector_id: connectorId, name: integration.type, config: integration.config })
        .expect(201);
    }
    let uploadEventId: string | undefined;
    if (upload) {
      const res = await http()
        .post('/api/events/upload')
        .set(bearer(user.accessToken))
        .attach('file', upload.bytes, { filename: upload.name, contentType: upload.contentType })
        .expect(201);
      uploadEventId = res.body.event_id;
    }
    const workflow = (await http().post(`/api/suggestions/${suggestion!.id}/workflow`).set(bearer(user.accessToken)).expect(201))
      .body as Workflow;
    await http().post(`/api/workflows/${workflow.id}/activate`).set(bearer(user.accessToken)).expect(200);
    return { user, workflow, uploadEventId };
  }

  /**
   * Executes on worker A; when `committed` resolves (the provider took the write, its answer
   * not yet delivered) worker B starts and A is SIGKILLed; `afterKill` lets the provider
   * answer again; B finishes the execution.
   */
  async function runThroughCrash(
    user: TestUser,
    workflow: Workflow,
    committed: () => Promise<unknown>,
    afterKill: () => void | Promise<void>,
  ): Promise<Execution> {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    const a = await startService('worker', env);
    workers.push(a);
    const { execution_id } = (await http().post(`/api/workflows/${workflow.id}/execute`).set(bearer(user.accessToken)).expect(200)).body;
    await committed();
    workers.push(await startService('worker', env));
    await a.stop('SIGKILL');
    workers.splice(workers.indexOf(a), 1);
    await afterKill();
    const done = await waitFor(
      'the execution to end on the second worker',
      async () => {
        const e = await execution(user, workflow.id, execution_id);
        return ['completed', 'failed', 'cancelled'].includes(e.status) && e;
      },
      60_000,
    );
    expect([done.status, done.error_message]).toEqual(['completed', null]);
    // the interrupted step was taken over: started on A, resumed and completed on B
    const integrationLog = done.execution_log.filter((s) => s.step_id === 'integration').map((s) => s.status);
    expect(integrationLog).toEqual(['started', 'started', 'completed']);
    const [row] = await query<{ attempts: number }>(db.url, 'SELECT attempts FROM workflow_executions WHERE id = $1', [execution_id]);
    expect(row.attempts).toBe(2);
    return done;
  }

  const integrationStep = (w: Workflow) => w.steps.find((s) => s.type === 'integration');

  it('covers every rule of the catalogue', () => {
    // the cases below, one per rule: a rule added to the catalogue needs its case here
    expect(RULES.map((r) => r.id).sort()).toEqual(
      [
        'converted-pdf-drive',
        'converted-pdf-email',
        'docs-share-drive',
        'outputs-archive-s3',
        'outputs-sync-dropbox',
        'push-ci-github',
        'routine-schedule',
      ].sort(),
    );
  });

  it('outputs-sync-dropbox: the newest CSV upload goes to Dropbox once', async () => {
    const csv = Buffer.from('day,value\n2026-10-26,42\n');
    const { user, workflow } = await draft(
      'outputs-sync-dropbox',
      fixture.events,
      { type: 'dropbox', config: { access_token: DROPBOX_TOKEN, folder_path: '/Floyo/outputs' } },
      { name: 'results-21.csv', bytes: csv, contentType: 'text/csv' },
    );
    expect(integrationStep(workflow)).toMatchObject({ action: 'upload_file', params: { file: { latest_upload: '*.csv' } } });
    dropbox.clearRequests();
    const held = dropbox.holdNext('/2/files/upload');
    await runThroughCrash(
      user,
      workflow,
      () => held.arrived,
      () => held.release(),
    );
    const uploads = dropbox.requestsTo('/2/files/upload');
    expect(uploads).toHaveLength(1);
    expect(JSON.parse(uploads[0].headers['dropbox-api-arg'])).toMatchObject({ path: '/Floyo/outputs/results-21.csv' });
    expect(uploads[0].body.equals(csv)).toBe(true);
    expect(dropbox.requestsTo('/2/files/get_metadata')).toHaveLength(1); // the takeover looked before acting
  });

  it('outputs-archive-s3: a dated copy of the newest CSV lands in the bucket once', async () => {
    const csv = Buffer.from('day,value\n2026-10-26,7\n');
    const { user, workflow } = await draft(
      'outputs-archive-s3',
      without(fixture.events, 'dropbox:upload'),
      {
        type: 's3',
        config: {
          access_key_id: 'S3RVER',
          secret_access_key: 'S3RVER',
          bucket_name: 'floyo-drafts',
          region: 'us-east-1',
          endpoint: base(s3Proxy.url(s3.env.S3_ENDPOINT)),
          force_path_style: true,
        },
      },
      { name: 'results-9.csv', bytes: csv, contentType: 'text/csv' },
    );
    expect(integrationStep(workflow)).toMatchObject({
      action: 'put_object',
      params: { file: { latest_upload: '*.csv' }, key_prefix: 'outputs/', dated: true },
    });
    // answers from the bucket arrive 2 s late; once the object is stored they are held back
    // altogether, so the worker still waits for the PUT's answer when it is killed
    s3Proxy.latency(2_000);
    await runThroughCrash(
      user,
      workflow,
      async () => {
        await waitFor('the object in the bucket', async () => (await s3.keys('outputs/')).length > 0, 30_000, 50);
        s3Proxy.stall();
      },
      () => {
        s3Proxy.latency(0);
        s3Proxy.resume();
      },
    );
    const stored = await s3.keys('outputs/');
    expect(stored).toEqual([expect.stringMatching(/^outputs\/\d{4}-\d{2}-\d{2}\/results-9\.csv$/)]);
  });

  it('converted-pdf-email: the newest PDF is mailed to the user once, over STARTTLS with AUTH', async () => {
    const pdf = Buffer.from('%PDF-1.7\n% floyo test\n');
    const { user, workflow } = await draft(
      'converted-pdf-email',
      fixture.events,
      {
        type: 'email',
        config: {
          smtp_host: '127.0.0.1',
          smtp_port: smtp.port,
          username: SMTP_USER,
          password: SMTP_PASSWORD,
          from_email: 'floyo@example.com',
          use_tls: true,
        },
      },
      { name: 'proposal-v4.pdf', bytes: pdf, contentType: 'application/pdf' },
    );
    // no recipients in the integration: the draft mails the user
    expect(integrationStep(workflow)).toMatchObject({
      action: 'send_email',
      params: { to: [user.email], attachment: { latest_upload: '*.pdf' } },
    });
    const before = smtp.messages.length;
    const held = smtp.holdData();
    await runThroughCrash(
      user,
      workflow,
      () => held.arrived,
      // the connection died before the server acknowledged DATA: the server drops the message
      () => held.fail(421, 'connection lost before the acknowledgement'),
    );
    const received = smtp.messages.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0].envelope.to).toEqual([user.email]);
    expect(received[0].secure).toBe(true);
    const [attachment] = attachmentsOf(received[0].parsed);
    expect(attachment.filename).toBe('proposal-v4.pdf');
    expect(attachment.body.equals(pdf)).toBe(true);
  });

  it.each([
    ['converted-pdf-drive', without(fixture.events, 'outlook:attach'), 'proposal-v5.pdf', 'application/pdf', 'Floyo PDF exports'],
    ['docs-share-drive', fixture.events, 'meeting-12.md', 'text/markdown', 'Floyo Documents'],
  ] as const)('%s: the newest upload goes to a Drive subfolder once', async (rule, events, name, contentType, subfolder) => {
    const bytes = Buffer.from(`# ${name}\n`);
    const folderId = google.addFolder(`Floyo ${rule}`);
    const credentials = {
      type: 'service_account',
      project_id: 'floyo-test',
      private_key_id: 'k1',
      private_key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: SERVICE_ACCOUNT,
      client_id: '1234567890',
      // the token endpoint checks the JWT's audience against its own address: not through the proxy
      token_uri: google.tokenUri,
    };
    const { user, workflow } = await draft(
      rule,
      events,
      { type: 'googledrive', config: { credentials_json: credentials, folder_id: folderId } },
      { name, bytes, contentType },
    );
    expect(integrationStep(workflow)).toMatchObject({ action: 'upload_file', params: { subfolder } });
    googleProxy.latency(2_000);
    await runThroughCrash(
      user,
      workflow,
      async () => {
        await waitFor('the file in Drive', async () => google.filesNamed(name).length > 0, 45_000, 50);
        googleProxy.stall();
      },
      () => {
        googleProxy.latency(0);
        googleProxy.resume();
      },
    );
    const files = google.filesNamed(name);
    expect(files).toHaveLength(1);
    expect(Buffer.from(files[0].content).equals(bytes)).toBe(true);
    const [folder] = [...google.files.values()].filter((f) => f.name === subfolder && f.parents.includes(folderId));
    expect(files[0].parents).toEqual([folder.id]);
  });

  it('push-ci-github: the checks workflow is dispatched once', async () => {
    const { user, workflow } = await draft('push-ci-github', fixture.events, {
      type: 'github',
      config: { access_token: GITHUB_TOKEN, repository: 'ana/analysis', api_url: github.url },
    });
    expect(integrationStep(workflow)).toMatchObject({ action: 'dispatch_workflow', params: { workflow: 'floyo-checks.yml' } });
    github.clearRequests();
    const held = github.holdNext((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));
    await runThroughCrash(
      user,
      workflow,
      () => held.arrived,
      () => held.release(),
    );
    const dispatches = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0].path).toBe('/repos/ana/analysis/actions/workflows/floyo-checks.yml/dispatches');
    expect(JSON.parse(dispatches[0].body.toString())).toEqual({ ref: 'main' });
    expect(github.repo('ana/analysis').runs).toHaveLength(1);
  });

  it('routine-schedule: a scheduled notify workflow that runs', async () => {
    const { user, workflow } = await draft('routine-schedule', fixture.events, null);
    expect(workflow.schedule_config).toMatchObject({ type: 'cron', cron: '0 8 * * 1-5' });
    expect(workflow.steps.map((s) => s.type)).toEqual(['notify']);
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    workers.push(await startService('worker', env));
    const { execution_id } = (await http().post(`/api/workflows/${workflow.id}/execute`).set(bearer(user.accessToken)).expect(200)).body;
    const done = await waitFor('the execution', async () => {
      const e = await execution(user, workflow.id, execution_id);
      return e.status === 'completed' && e;
    });
    expect(done.execution_log.map((s) => [s.step_id, s.status])).toEqual([['notify', 'completed']]);
  });

  it('without the integration, the draft notifies and says what to connect; connecting it later is one edit', async () => {
    const { workflow } = await draft('outputs-sync-dropbox', fixture.events, null);
    expect(workflow.steps.map((s) => s.type)).toEqual(['notify']);
    expect(workflow.description).toContain('Connect a Dropbox integration, then add its "upload_file" step here.');
  });

  it('in a run, a 429 is retried after its Retry-After; a refused token fails the step, marks the integration and tells the owner', async () => {
    const user = await registerAndLogin(t);
    const port = (t.app.getHttpServer().address() as { port: number }).port;
    const socket = await connectSocket(port, user.accessToken);
    try {
      const updates = record<{ id: string; status: string; last_error: string | null }>(socket, 'integration.updated');
      const connectorId = connectors.find((c) => c.service_type === 'dropbox')!.id;
      const integration = (
        await http()
          .post('/api/integrations')
          .set(bearer(user.accessToken))
          .send({ connector_id: connectorId, name: 'dropbox', config: { access_token: DROPBOX_TOKEN, folder_path: '/retries' } })
          .expect(201)
      ).body as { id: string };
      const workflow = (
        await http()
          .post('/api/workflows')
          .set(bearer(user.accessToken))
          .send({
            name: 'notes to dropbox',
            steps: [
              {
                id: 'integration',
                type: 'integration',
                integration_id: integration.id,
                action: 'upload_file',
                params: { file: { text: 'note {{trigger.n}}', name: 'note-{{trigger.n}}.txt' } },
              },
            ],
          })
          .expect(201)
      ).body as Workflow;
      await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
      workers.push(await startService('worker', env));
      const run = async (n: number) => {
        const { execution_id } = (
          await http().post(`/api/workflows/${workflow.id}/execute`).set(bearer(user.accessToken)).send({ trigger: { n } }).expect(200)
        ).body;
        return waitFor('the run', async () => {
          const e = await execution(user, workflow.id, execution_id);
          return ['completed', 'failed'].includes(e.status) && e;
        });
      };

      dropbox.clearRequests();
      dropbox.failNext(
        1,
        { status: 429, headers: { 'retry-after': '1' }, body: { error_summary: 'too_many_requests/' } },
        '/2/files/upload',
      );
      const retried = await run(1);
      expect(retried.status).toBe('completed');
      const attempts = dropbox.requestsTo('/2/files/upload');
      expect(attempts).toHaveLength(2);
      // the second attempt waited the second Dropbox asked for
      const step = retried.execution_log.find((e) => e.status === 'completed') as unknown as { started_at: string; finished_at: string };
      expect(Date.parse(step.finished_at) - Date.parse(step.started_at)).toBeGreaterThanOrEqual(1_000);
      expect(attempts[1].body.toString()).toBe('note 1');

      dropbox.failNext(
        1,
        { status: 401, body: { error_summary: 'expired_access_token/', error: { '.tag': 'expired_access_token' } } },
        '/2/files/upload',
      );
      const refused = await run(2);
      expect(refused.status).toBe('failed');
      expect(refused.error_message).toMatch(/expired_access_token/);
      expect(refused.error_message).toMatch(/needs attention/);
      expect(refused.error_message).not.toContain(DROPBOX_TOKEN);
      const shown = (await http().get(`/api/integrations/${integration.id}`).set(bearer(user.accessToken)).expect(200)).body;
      expect(shown).toMatchObject({ status: 'needs_attention', last_error: expect.stringMatching(/expired_access_token/) });
      await waitUntil('integration.updated on the owner socket', () =>
        updates.some((u) => u.id === integration.id && u.status === 'needs_attention'),
      );

      // the next successful run makes it active again
      expect((await run(3)).status).toBe('completed');
      await waitUntil('integration.updated: active again', () => updates.some((u) => u.id === integration.id && u.status === 'active'));
    } finally {
      socket.close();
    }
  });
});
