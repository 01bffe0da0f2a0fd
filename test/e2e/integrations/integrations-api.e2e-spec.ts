import type { Socket } from 'socket.io-client';
import { ACTIVITY_ENV } from '../../helpers/activity';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { connectSocket, record, waitUntil } from '../../helpers/sockets';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';
import { DropboxFake } from '../../fakes/dropbox-fake';
import { GithubFake } from '../../fakes/github-fake';

/**
 * The integrations API around the connectors, in-process against the GitHub and Dropbox
 * fakes: the catalogue lists every action with its params schema, workflows are checked
 * against it when stored (422 naming step and field), POST /api/integrations/{id}/test
 * makes the provider's cheapest authenticated call and records the outcome, and a refusal
 * marks the integration `needs_attention` and tells the owner's sockets.
 */

const GITHUB_TOKEN = 'ghp_integrationsApiTestToken0001';
const DROPBOX_TOKEN = 'sl.integrationsApiTestToken0002';

describe('integrations API: catalogue actions, step checks, connection tests, health', () => {
  let t: TestApp;
  let github: GithubFake;
  let dropbox: DropboxFake;
  let port: number;
  let user: TestUser;
  let connectors: {
    id: string;
    service_type: string;
    actions: { name: string; description: string; params_schema: Record<string, unknown> }[];
  }[];

  beforeAll(async () => {
    github = await GithubFake.start({
      token: GITHUB_TOKEN,
      repos: [{ owner: 'octo', name: 'repo', workflows: [{ file: 'floyo-checks.yml', name: 'Checks', inputs: [] }] }],
    });
    dropbox = await DropboxFake.start({ token: DROPBOX_TOKEN });
    t = await createTestApp({
      ...ACTIVITY_ENV,
      WORKFLOW_HTTP_ALLOWLIST: '127.0.0.1',
      INTEGRATION_DROPBOX_API_URL: dropbox.apiUrl,
      INTEGRATION_DROPBOX_CONTENT_URL: dropbox.contentUrl,
    });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
    user = await registerAndLogin(t);
    connectors = (await t.http().get('/api/integrations/connectors').set(bearer(user.accessToken)).expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
    await github.close();
    await dropbox.close();
  });

  const connectorId = (type: string) => connectors.find((c) => c.service_type === type)!.id;
  const createIntegration = async (type: string, config: Record<string, unknown>, u = user) =>
    (
      await t
        .http()
        .post('/api/integrations')
        .set(bearer(u.accessToken))
        .send({ connector_id: connectorId(type), name: `${type} test`, config })
        .expect(201)
    ).body as { id: string; status: string; last_error: string | null; last_sync_at: string | null };
  const testConnection = async (id: string) =>
    (await t.http().post(`/api/integrations/${id}/test`).set(bearer(user.accessToken)).expect(200)).body as {
      ok: boolean;
      message: string;
      integration: { status: string; last_error: string | null; last_sync_at: string | null; config: Record<string, unknown> };
    };

  it('lists every connector with its actions and their params schemas', () => {
    const actions = Object.fromEntries(connectors.map((c) => [c.service_type, c.actions.map((a) => a.name).sort()]));
    expect(actions).toEqual({
      github: ['create_issue', 'dispatch_workflow', 'repository_dispatch'],
      slack: ['post_message'],
      googledrive: ['create_folder', 'upload_file'],
      dropbox: ['create_shared_link', 'upload_file'],
      s3: ['presign_get', 'put_object'],
      email: ['send_email'],
    });
    for (const c of connectors) {
      for (const a of c.actions) {
        expect(a.description.length).toBeGreaterThan(10);
        expect(a.params_schema).toMatchObject({ type: 'object', additionalProperties: false });
      }
    }
    const upload = connectors.find((c) => c.service_type === 'dropbox')!.actions.find((a) => a.name === 'upload_file')!;
    expect(upload.params_schema).toMatchObject({ required: ['file'], properties: { file: { type: 'object' } } });
  });

  it('checks integration steps when a workflow is stored: integration, action and params, naming the step and field', async () => {
    const gh = await createIntegration('github', { access_token: GITHUB_TOKEN, repository: 'octo/repo', api_url: github.url });
    const create = (steps: unknown) =>
      t.http().post('/api/workflows').set(bearer(user.accessToken)).send({ name: 'checked', steps, is_active: false });

    const unknownAction = await create([{ id: 'gh', type: 'integration', integration_id: gh.id, action: 'delete_repo', params: {} }]);
    expect(unknownAction.status).toBe(422);
    expect(unknownAction.body.detail).toEqual([
      {
        loc: ['body', 'steps', 0, 'action'],
        msg: 'steps[0] "gh": action "delete_repo" is not supported for github integrations (supported: create_issue, dispatch_workflow, repository_dispatch)',
        type: 'value_error',
      },
    ]);

    const badParams = await create([
      { id: 'note', type: 'log', message: 'x' },
      { id: 'gh', type: 'integration', integration_id: gh.id, action: 'create_issue', params: { body: 'no title', labels: 'bug' } },
    ]);
    expect(badParams.status).toBe(422);
    expect(badParams.body.detail).toEqual(
      expect.arrayContaining([
        { loc: ['body', 'steps', 1, 'params', 'title'], msg: 'steps[1] "gh": params.title: Field required', type: 'missing' },
        expect.objectContaining({ loc: ['body', 'steps', 1, 'params', 'labels'], type: 'type' }),
      ]),
    );

    // a file source must name exactly one of event_id / latest_upload / text
    const dbx = await createIntegration('dropbox', { access_token: DROPBOX_TOKEN });
    const noSource = await create([{ id: 'up', type: 'integration', integration_id: dbx.id, action: 'upload_file', params: { file: {} } }]);
    expect(noSource.status).toBe(422);
    expect(noSource.body.detail).toEqual([
      {
        loc: ['body', 'steps', 0, 'params', 'file'],
        msg: 'steps[0] "up": params.file: needs exactly one of: event_id, latest_upload, text',
        type: 'oneOf',
      },
    ]);
    const twoSources = await create([
      {
        id: 'up',
        type: 'integration',
        integration_id: dbx.id,
        action: 'upload_file',
        params: { file: { text: 'a', latest_upload: '*.csv' } },
      },
    ]);
    expect(twoSources.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'steps', 0, 'params', 'file'], type: 'oneOf' })]);

    // templated values are judged when the step runs, not when it is stored
    const templated = await create([
      {
        id: 'up',
        type: 'integration',
        integration_id: dbx.id,
        action: 'upload_file',
        params: { file: { event_id: '{{trigger.event_id}}' } },
      },
      { id: 'gh', type: 'integration', integration_id: gh.id, action: 'create_issue', params: { title: 'Report {{trigger.name}}' } },
    ]);
    expect(templated.status).toBe(201);

    // another user's integration reads as not found; so does an unknown id
    const stranger = await registerAndLogin(t);
    const stolen = await t
      .http()
      .post('/api/workflows')
      .set(bearer(stranger.accessToken))
      .send({
        name: 'x',
        steps: [{ id: 'gh', type: 'integration', integration_id: gh.id, action: 'create_issue', params: { title: 't' } }],
      });
    expect(stolen.status).toBe(422);
    expect(stolen.body.detail).toEqual([
      { loc: ['body', 'steps', 0, 'integration_id'], msg: `steps[0] "gh": integration ${gh.id} not found`, type: 'value_error' },
    ]);

    // updates are checked the same way
    const update = await t
      .http()
      .put(`/api/workflows/${templated.body.id}`)
      .set(bearer(user.accessToken))
      .send({ steps: [{ id: 'gh', type: 'integration', integration_id: gh.id, action: 'create_issue', params: {} }] });
    expect(update.status).toBe(422);
    expect(update.body.detail[0]).toMatchObject({ loc: ['body', 'steps', 0, 'params', 'title'], type: 'missing' });
  });

  it('tests the connection with the cheapest authenticated call and records last_sync_at', async () => {
    const gh = await createIntegration('github', { access_token: GITHUB_TOKEN, repository: 'octo/repo', api_url: github.url });
    expect(gh).toMatchObject({ status: 'active', last_error: null, last_sync_at: null });
    github.reset();
    const result = await testConnection(gh.id);
    expect(result).toMatchObject({ ok: true, integration: { status: 'active', last_error: null } });
    expect(result.message).toMatch(/^GitHub: authenticated as octocat; repository octo\/repo is accessible/);
    expect(Date.parse(result.integration.last_sync_at!)).toBeGreaterThan(Date.now() - 10_000);
    // read-only calls, nothing created
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /user', 'GET /repos/octo/repo']);
    expect(github.requests[0].headers.authorization).toBe(`Bearer ${GITHUB_TOKEN}`);

    const dbx = await createIntegration('dropbox', { access_token: DROPBOX_TOKEN });
    const ok = await testConnection(dbx.id);
    expect(ok.ok).toBe(true);
    expect(dropbox.requestsTo('/2/users/get_current_account')).toHaveLength(1);

    // Slack: no call that does not post; the webhook's shape and host are checked
    const slack = await createIntegration('slack', { webhook_url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX' });
    expect(await testConnection(slack.id)).toMatchObject({ ok: true, message: expect.stringMatching(/no message was posted/) });
    const notSlack = await createIntegration('slack', { webhook_url: 'https://example.com/services/T000/B000/XXXXXXXXXXXXXXXX' });
    expect(await testConnection(notSlack.id)).toMatchObject({ ok: false, integration: { status: 'needs_attention' } });
  });

  it('a refused credential marks the integration needs_attention, tells the owner, and a good test or new config clears it', async () => {
    const socket: Socket = await connectSocket(port, user.accessToken);
    try {
      const updates = record<{ id: string; status: string; last_error: string | null }>(socket, 'integration.updated');
      const gh = await createIntegration('github', {
        access_token: 'ghp_wrongTokenForThisTest0003',
        repository: 'octo/repo',
        api_url: github.url,
      });
      const refused = await testConnection(gh.id);
      expect(refused.ok).toBe(false);
      expect(refused.message).toMatch(/Bad credentials/);
      expect(refused.message).not.toContain('ghp_wrongTokenForThisTest0003');
      expect(refused.integration).toMatchObject({ status: 'needs_attention', last_error: expect.stringMatching(/Bad credentials/) });
      await waitUntil('the integration.updated event', () => updates.some((u) => u.id === gh.id && u.status === 'needs_attention'));

      // the list shows it too
      const listed = (await t.http().get('/api/integrations').set(bearer(user.accessToken)).expect(200)).body as {
        id: string;
        status: string;
      }[];
      expect(listed.find((i) => i.id === gh.id)!.status).toBe('needs_attention');

      // new credentials: a fresh start; the next test proves them
      const updated = (
        await t
          .http()
          .put(`/api/integrations/${gh.id}`)
          .set(bearer(user.accessToken))
          .send({ config: { access_token: GITHUB_TOKEN } })
          .expect(200)
      ).body;
      expect(updated).toMatchObject({ status: 'active', last_error: null });
      expect((await testConnection(gh.id)).ok).toBe(true);

      // a provider that is down is an error, not a credentials problem
      github.failNext(1, { status: 503, body: { message: 'Service unavailable' } });
      const down = await testConnection(gh.id);
      expect(down).toMatchObject({ ok: false, integration: { status: 'active', last_error: expect.stringMatching(/503/) } });
      await waitUntil('the error to be pushed', () => updates.some((u) => u.id === gh.id && /503/.test(u.last_error ?? '')));
      const [row] = await query<{ last_error: string }>(TEST_DATABASE_URL, 'SELECT last_error FROM user_integrations WHERE id = $1', [
        gh.id,
      ]);
      expect(row.last_error).toMatch(/503/);
    } finally {
      socket.close();
    }
  });

  it('someone without update permission cannot test an integration', async () => {
    const gh = await createIntegration('github', { access_token: GITHUB_TOKEN, repository: 'octo/repo', api_url: github.url });
    const stranger = await registerAndLogin(t);
    const res = await t.http().post(`/api/integrations/${gh.id}/test`).set(bearer(stranger.accessToken));
    expect(res.status).toBe(404);
  });
});
