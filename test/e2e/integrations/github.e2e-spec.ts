import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ProviderError, type ActionContext, type ProviderTransport } from '@/domains/integrations/connectors/connector';
import { OwnerFiles } from '@/domains/integrations/connectors/files';
import { github, issueMarker } from '@/domains/integrations/connectors/github';
import { SafeHttpClient } from '@/platform/http/outbound/safe-http';
import { SsrfPolicy } from '@/platform/http/outbound/ssrf-policy';
import { GithubFake, type RecordedRequest } from '../../fakes/github-fake';
import { expectProviderError as expectFrom, rejection } from '../../helpers/provider-errors';

/**
 * The GitHub connector against a fake that speaks GitHub's REST API: the exact requests
 * GitHub receives, what the actions return, how refusals map to ProviderErrors, and the
 * reconciliation of a step resumed after its worker died.
 */
const TOKEN = 'ghp_FAKEtoken0123456789abcdefSECRETxyz';
const KEY = 'exec-7f3a:step-2';

let fake: GithubFake;
let http: SafeHttpClient;
let transport: ProviderTransport;

beforeAll(async () => {
  fake = await GithubFake.start({
    token: TOKEN,
    repos: [
      { owner: 'octo', name: 'repo', defaultBranch: 'trunk', branches: ['trunk', 'release'] },
      { owner: 'octo', name: 'readonly', push: false },
    ],
  });
  http = new SafeHttpClient(new SsrfPolicy(['127.0.0.1']), 1024 * 1024);
  transport = {
    http,
    timeoutMs: 5_000,
    endpoints: {
      githubApiUrl: fake.url,
      dropboxApiUrl: 'https://api.dropboxapi.com',
      dropboxContentUrl: 'https://content.dropboxapi.com',
      googleDriveUrl: 'https://www.googleapis.com',
      googleOAuthTokenUrl: '',
    },
  };
});

afterAll(async () => {
  await http.close();
  await fake.close();
});

beforeEach(() => fake.reset());

function ctx(params: Record<string, unknown>, overrides: Partial<ActionContext> = {}, config: Record<string, unknown> = {}): ActionContext {
  return {
    config: { access_token: TOKEN, repository: 'octo/repo', ...config },
    params,
    idempotencyKey: KEY,
    resumed: false,
    signal: new AbortController().signal,
    transport,
    files: new OwnerFiles(null as never, 'user-1', 'GitHub'),
    ...overrides,
  };
}

const run = (action: string, c: ActionContext) => github.actions[action].run(c) as Promise<Record<string, unknown>>;

const failure = async (promise: Promise<unknown>): Promise<ProviderError> =>
  expectFrom(await rejection(promise), 'GitHub', { secrets: [TOKEN] });

const json = (r: RecordedRequest) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

function expectGithubHeaders(r: RecordedRequest): void {
  expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(r.headers.accept).toBe('application/vnd.github+json');
  expect(r.headers['x-github-api-version']).toBe('2022-11-28');
  expect(r.headers['user-agent']).toMatch(/^Floyo-Workflows\//);
}

describe('GitHub connector: parameter schemas', () => {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
  addFormats(ajv);

  /** Every property, at any depth, has a description. */
  function undescribed(schema: Record<string, unknown>, at = ''): string[] {
    const out: string[] = [];
    for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
      if (typeof prop.description !== 'string' || !prop.description) out.push(`${at}${name}`);
      if (prop.type === 'object') out.push(...undescribed(prop, `${at}${name}.`));
    }
    return out;
  }

  it('declares closed draft-07 schemas with a description on every property', () => {
    expect(Object.keys(github.actions).sort()).toEqual(['create_issue', 'dispatch_workflow', 'repository_dispatch']);
    for (const [name, action] of Object.entries(github.actions)) {
      expect(action.params.type).toBe('object');
      expect(action.params.additionalProperties).toBe(false);
      expect(undescribed(action.params)).toEqual([]);
      expect(() => ajv.compile(action.params)).not.toThrow();
      expect(action.description.length).toBeGreaterThan(10);
      expect(name).toMatch(/^[a-z_]+$/);
    }
  });

  it('validates params: required fields, limits, unknown fields, template-tolerant workflow names', () => {
    const issue = ajv.compile(github.actions.create_issue.params);
    expect(issue({ title: 'Broken build', labels: ['bug'], assignees: ['octocat'] })).toBe(true);
    expect(issue({})).toBe(false);
    expect(issue({ title: 'x'.repeat(257) })).toBe(false);
    expect(issue({ title: 'x', color: 'red' })).toBe(false);
    expect(issue({ title: 'x', assignees: Array.from({ length: 11 }, (_, i) => `u${i}`) })).toBe(false);

    const dispatch = ajv.compile(github.actions.dispatch_workflow.params);
    expect(dispatch({ workflow: 'ci.yml' })).toBe(true);
    expect(dispatch({ workflow: 'deploy.yaml', ref: 'main', inputs: { environment: 'prod' } })).toBe(true);
    expect(dispatch({ workflow: '161335' })).toBe(true);
    expect(dispatch({ workflow: '{{trigger.workflow}}' })).toBe(true);
    expect(dispatch({ workflow: '../../etc/passwd' })).toBe(false);
    expect(dispatch({ workflow: 'ci.yml', inputs: { n: 1 } })).toBe(false);
    expect(dispatch({ workflow: 'ci.yml', inputs: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) })).toBe(false);

    const repoDispatch = ajv.compile(github.actions.repository_dispatch.params);
    expect(repoDispatch({ event_type: 'deploy', client_payload: { env: 'prod' } })).toBe(true);
    expect(repoDispatch({ event_type: 'x'.repeat(101) })).toBe(false);
    // GitHub keeps 10 top-level properties; floyo_key takes one
    expect(repoDispatch({ event_type: 'd', client_payload: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])) })).toBe(
      false,
    );
  });
});

describe('GitHub connector: create_issue', () => {
  it('sends one POST /repos/octo/repo/issues with the documented headers and body, and returns number, html_url and id', async () => {
    const out = await run(
      'create_issue',
      ctx({ title: 'Nightly export failed', body: 'See the log.', labels: ['bug', 'ops'], assignees: ['octocat'] }),
    );

    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/repos/octo/repo/issues');
    expectGithubHeaders(req);
    expect(req.headers['content-type']).toBe('application/json');
    expect(json(req)).toEqual({
      title: 'Nightly export failed',
      body: `See the log.\n\n<!-- floyo:${KEY} -->`,
      labels: ['bug', 'ops'],
      assignees: ['octocat'],
    });
    const [issue] = fake.repo('octo/repo').issues;
    expect(out).toEqual({ number: issue.number, html_url: issue.html_url, id: issue.id });
    expect(out.html_url).toBe('https://github.com/octo/repo/issues/1');
  });

  it('puts only the hidden marker in the body when none is given', async () => {
    await run('create_issue', ctx({ title: 'No body' }));
    expect(json(fake.requests[0])).toEqual({ title: 'No body', body: issueMarker(KEY) });
    expect(issueMarker(KEY)).toBe(`<!-- floyo:${KEY} -->`);
  });

  it('on resume, returns the issue an interrupted attempt created (not a pull request carrying the marker) without creating another', async () => {
    const startedAt = new Date(Date.now() - 5_000).toISOString();
    const earlier = fake.addIssue('octo/repo', { title: 'Nightly export failed', body: `text\n\n${issueMarker(KEY)}` });
    fake.addIssue('octo/repo', { title: 'a PR quoting it', body: `quoted: ${issueMarker(KEY)}`, pull_request: true });
    fake.addIssue('octo/repo', { title: 'someone else', body: issueMarker('other-step') });

    const out = await run('create_issue', ctx({ title: 'Nightly export failed' }, { resumed: true, resumedFrom: startedAt }));

    expect(out).toEqual({ number: earlier.number, html_url: earlier.html_url, id: earlier.id, reconciled: true });
    expect(fake.requestsTo('/repos/octo/repo/issues', 'POST')).toHaveLength(0);
    const [list] = fake.requestsTo('/repos/octo/repo/issues', 'GET');
    expectGithubHeaders(list);
    expect(Object.fromEntries(list.query)).toEqual({ state: 'all', sort: 'created', direction: 'desc', per_page: '50' });
    expect(fake.repo('octo/repo').issues).toHaveLength(3);
  });

  it('on resume, pages back while issues are newer than the interrupted attempt', async () => {
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    const ours = fake.addIssue('octo/repo', {
      title: 'ours',
      body: issueMarker(KEY),
      created_at: new Date(Date.now() - 50_000).toISOString(),
    });
    for (let i = 0; i < 55; i++)
      fake.addIssue('octo/repo', { title: `busy ${i}`, body: 'x', created_at: new Date(Date.now() - 40_000 + i * 10).toISOString() });

    const out = await run('create_issue', ctx({ title: 'ours' }, { resumed: true, resumedFrom: startedAt }));

    expect(out.number).toBe(ours.number);
    const lists = fake.requestsTo('/repos/octo/repo/issues', 'GET');
    expect(lists.map((r) => r.query.get('page'))).toEqual([null, '2']);
    expect(fake.requestsTo('/repos/octo/repo/issues', 'POST')).toHaveLength(0);
  });

  it('on resume with nothing at GitHub yet, creates the issue once', async () => {
    fake.addIssue('octo/repo', { title: 'old', body: 'unrelated', created_at: '2020-01-01T00:00:00Z' });
    const out = await run('create_issue', ctx({ title: 'Fresh' }, { resumed: true, resumedFrom: new Date().toISOString() }));
    expect(fake.requestsTo('/repos/octo/repo/issues', 'GET')).toHaveLength(1);
    expect(fake.requestsTo('/repos/octo/repo/issues', 'POST')).toHaveLength(1);
    expect(out).toEqual({ number: 2, html_url: 'https://github.com/octo/repo/issues/2', id: expect.any(Number) });
  });

  it('an attempt cut off after GitHub created the issue (client gone before the answer) is found on resume: one issue in all', async () => {
    const startedAt = new Date().toISOString();
    const hold = fake.holdNext((r) => r.method === 'POST' && r.path === '/repos/octo/repo/issues');
    const abort = new AbortController();
    const first = run('create_issue', ctx({ title: 'Crash test' }, { signal: abort.signal }));
    await hold.arrived;
    expect(fake.repo('octo/repo').issues).toHaveLength(1); // committed at the provider
    abort.abort();
    await expect(first).rejects.toMatchObject({ name: expect.stringMatching(/Abort/) });
    await hold.clientGone;
    hold.release();

    const out = await run('create_issue', ctx({ title: 'Crash test' }, { resumed: true, resumedFrom: startedAt }));
    expect(out).toMatchObject({ number: 1, reconciled: true });
    expect(fake.requestsTo('/repos/octo/repo/issues', 'POST')).toHaveLength(1);
    expect(fake.repo('octo/repo').issues).toHaveLength(1);
  });

  it('401 Bad credentials → auth, with GitHub’s message and without the token', async () => {
    const e = await failure(run('create_issue', ctx({ title: 'x' }, {}, { access_token: 'ghp_wrong_token_value' })));
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(401);
    expect(e.message).toBe('GitHub create_issue: HTTP 401: Bad credentials');
    expect(e.message).not.toContain('ghp_wrong_token_value');
  });

  it('429 with Retry-After → retry after that long; nothing was created', async () => {
    fake.failNext(1, { status: 429, headers: { 'retry-after': '7' }, body: { message: 'You have exceeded a secondary rate limit.' } });
    const e = await failure(run('create_issue', ctx({ title: 'x' })));
    expect(e.kind).toBe('retry');
    expect(e.retryAfterMs).toBe(7_000);
    expect(e.message).toContain('secondary rate limit');
    expect(fake.repo('octo/repo').issues).toHaveLength(0);
  });

  it('403 with x-ratelimit-remaining: 0 → retry when x-ratelimit-reset says', async () => {
    const reset = Math.floor(Date.now() / 1000) + 120;
    fake.failNext(1, {
      status: 403,
      headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest' },
    });
    const e = await failure(run('create_issue', ctx({ title: 'x' })));
    expect(e.kind).toBe('retry');
    expect(e.status).toBe(403);
    expect(e.retryAfterMs).toBeGreaterThan(110_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(120_000);
    expect(e.message).toContain('API rate limit exceeded');
  });

  it('403 that is not a rate limit (a read-only token) → auth', async () => {
    const e = await failure(run('create_issue', ctx({ title: 'x' }, {}, { repository: 'octo/readonly' })));
    expect(e.kind).toBe('auth');
    expect(e.message).toBe('GitHub create_issue: HTTP 403: Resource not accessible by personal access token');
  });

  it('503 → retry', async () => {
    fake.failNext(1, { status: 503, body: 'upstream unavailable' });
    const e = await failure(run('create_issue', ctx({ title: 'x' })));
    expect(e.kind).toBe('retry');
    expect(e.status).toBe(503);
    expect(e.retryAfterMs).toBeUndefined();
  });

  it('422 Validation Failed → fail with GitHub’s message and its errors', async () => {
    const e = await failure(run('create_issue', ctx({ title: '' })));
    expect(e.kind).toBe('fail');
    expect(e.status).toBe(422);
    expect(e.message).toBe('GitHub create_issue: HTTP 422: Validation Failed (Issue title missing_field)');
  });

  it('404 → fail naming the repository', async () => {
    const e = await failure(run('create_issue', ctx({ title: 'x' }, {}, { repository: 'octo/missing' })));
    expect(e.kind).toBe('fail');
    expect(e.status).toBe(404);
    expect(e.message).toContain('repository octo/missing was not found, or the access token cannot see it');
  });
});

describe('GitHub connector: dispatch_workflow', () => {
  it('POSTs {ref, inputs} to the workflow’s dispatches (204) and returns dispatched, workflow, ref', async () => {
    const out = await run(
      'dispatch_workflow',
      ctx({ workflow: 'ci.yml', ref: 'release', inputs: { environment: 'prod', version: '1.2.3' } }),
    );

    expect(out).toEqual({ dispatched: true, workflow: 'ci.yml', ref: 'release' });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/repos/octo/repo/actions/workflows/ci.yml/dispatches');
    expectGithubHeaders(req);
    expect(json(req)).toEqual({ ref: 'release', inputs: { environment: 'prod', version: '1.2.3' } });
    const runs = fake.repo('octo/repo').runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      event: 'workflow_dispatch',
      head_branch: 'release',
      trigger: { environment: 'prod', version: '1.2.3' },
    });
  });

  it('takes the integration’s default_branch as the ref without asking GitHub', async () => {
    const out = await run('dispatch_workflow', ctx({ workflow: 'ci.yml' }, {}, { default_branch: 'release' }));
    expect(out.ref).toBe('release');
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/octo/repo/actions/workflows/ci.yml/dispatches']);
    expect(json(fake.requests[0])).toEqual({ ref: 'release' });
  });

  it('else the repository’s default branch (GET /repos/octo/repo)', async () => {
    const out = await run('dispatch_workflow', ctx({ workflow: 'ci.yml' }));
    expect(out.ref).toBe('trunk');
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/octo/repo',
      'POST /repos/octo/repo/actions/workflows/ci.yml/dispatches',
    ]);
    expect(json(fake.requests[1])).toEqual({ ref: 'trunk' });
  });

  it('on resume, a run created since the interrupted attempt means the dispatch happened: no second one', async () => {
    const resumedFrom = new Date(Date.now() - 30_000).toISOString();
    const earlier = fake.addRun('octo/repo', {
      event: 'workflow_dispatch',
      workflow: 'ci.yml',
      created_at: new Date(Date.now() - 20_000).toISOString(),
    });

    const out = await run('dispatch_workflow', ctx({ workflow: 'ci.yml', ref: 'trunk' }, { resumed: true, resumedFrom }));

    expect(out).toMatchObject({ dispatched: true, reconciled: true, run_id: earlier.id, workflow: 'ci.yml' });
    expect(fake.requestsTo(/\/dispatches$/, 'POST')).toHaveLength(0);
    const [list] = fake.requests;
    expect(list.path).toBe('/repos/octo/repo/actions/workflows/ci.yml/runs');
    expectGithubHeaders(list);
    expect(list.query.get('event')).toBe('workflow_dispatch');
    expect(list.query.get('created')).toBe(`>=${new Date(Date.parse(resumedFrom) - 60_000).toISOString()}`);
  });

  it('on resume, runs older than the interrupted attempt do not count: dispatches once', async () => {
    fake.addRun('octo/repo', {
      event: 'workflow_dispatch',
      workflow: 'ci.yml',
      created_at: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const out = await run(
      'dispatch_workflow',
      ctx({ workflow: 'ci.yml', ref: 'trunk' }, { resumed: true, resumedFrom: new Date().toISOString() }),
    );
    expect(out).toEqual({ dispatched: true, workflow: 'ci.yml', ref: 'trunk' });
    expect(fake.requestsTo('/repos/octo/repo/actions/workflows/ci.yml/dispatches', 'POST')).toHaveLength(1);
  });

  it('a dispatch cut off before its 204 is not repeated on resume', async () => {
    const startedAt = new Date().toISOString();
    const hold = fake.holdNext('/repos/octo/repo/actions/workflows/ci.yml/dispatches');
    const abort = new AbortController();
    const first = run('dispatch_workflow', ctx({ workflow: 'ci.yml', ref: 'trunk' }, { signal: abort.signal }));
    await hold.arrived;
    abort.abort();
    await expect(first).rejects.toBeDefined();
    hold.release();

    const out = await run('dispatch_workflow', ctx({ workflow: 'ci.yml', ref: 'trunk' }, { resumed: true, resumedFrom: startedAt }));
    expect(out.reconciled).toBe(true);
    expect(fake.requestsTo('/repos/octo/repo/actions/workflows/ci.yml/dispatches', 'POST')).toHaveLength(1);
    expect(fake.repo('octo/repo').runs).toHaveLength(1);
  });

  it('an unknown workflow → fail naming it and the repository', async () => {
    const e = await failure(run('dispatch_workflow', ctx({ workflow: 'nope.yml', ref: 'trunk' })));
    expect(e.kind).toBe('fail');
    expect(e.message).toContain('workflow nope.yml was not found in octo/repo');
  });

  it('inputs the workflow does not declare → fail with GitHub’s message', async () => {
    const e = await failure(run('dispatch_workflow', ctx({ workflow: 'ci.yml', ref: 'trunk', inputs: { colour: 'red' } })));
    expect(e.kind).toBe('fail');
    expect(e.status).toBe(422);
    expect(e.message).toBe('GitHub dispatch_workflow: HTTP 422: Unexpected inputs provided: ["colour"]');
    expect(fake.repo('octo/repo').runs).toHaveLength(0);
  });

  it('502 → retry; 429 with Retry-After → retry after it', async () => {
    fake.failNext(1, { status: 502, body: { message: 'Server Error' } });
    const e = await failure(run('dispatch_workflow', ctx({ workflow: 'ci.yml', ref: 'trunk' })));
    expect(e.kind).toBe('retry');
    fake.failNext(1, { status: 429, headers: { 'retry-after': '3' }, body: { message: 'slow down' } });
    const e2 = await failure(run('dispatch_workflow', ctx({ workflow: 'ci.yml', ref: 'trunk' })));
    expect(e2).toMatchObject({ kind: 'retry', retryAfterMs: 3_000, status: 429 });
    expect(fake.repo('octo/repo').runs).toHaveLength(0);
  });
});

describe('GitHub connector: repository_dispatch', () => {
  it('POSTs event_type and client_payload with floyo_key (204) and returns dispatched', async () => {
    const out = await run('repository_dispatch', ctx({ event_type: 'deploy', client_payload: { env: 'prod', build: 42 } }));

    expect(out).toEqual({ dispatched: true, event_type: 'deploy' });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/repos/octo/repo/dispatches');
    expectGithubHeaders(req);
    expect(json(req)).toEqual({ event_type: 'deploy', client_payload: { env: 'prod', build: 42, floyo_key: KEY } });
    expect(fake.repo('octo/repo').dispatches).toEqual([
      { event_type: 'deploy', client_payload: { env: 'prod', build: 42, floyo_key: KEY } },
    ]);
  });

  it('sends client_payload {floyo_key} when none is given', async () => {
    await run('repository_dispatch', ctx({ event_type: 'ping' }));
    expect(json(fake.requests[0])).toEqual({ event_type: 'ping', client_payload: { floyo_key: KEY } });
  });

  it('on resume, a repository_dispatch run since the interrupted attempt means no second dispatch', async () => {
    const resumedFrom = new Date(Date.now() - 10_000).toISOString();
    const earlier = fake.addRun('octo/repo', { event: 'repository_dispatch', created_at: new Date().toISOString() });
    fake.addRun('octo/repo', { event: 'push', created_at: new Date().toISOString() });

    const out = await run('repository_dispatch', ctx({ event_type: 'deploy' }, { resumed: true, resumedFrom }));

    expect(out).toEqual({ dispatched: true, reconciled: true, run_id: earlier.id, event_type: 'deploy' });
    expect(fake.requestsTo('/repos/octo/repo/dispatches')).toHaveLength(0);
    const [list] = fake.requests;
    expect(list.path).toBe('/repos/octo/repo/actions/runs');
    expect(list.query.get('event')).toBe('repository_dispatch');
    expect(list.query.get('created')).toBe(`>=${new Date(Date.parse(resumedFrom) - 60_000).toISOString()}`);
  });

  it('on resume with no run since, dispatches once', async () => {
    await run('repository_dispatch', ctx({ event_type: 'deploy' }, { resumed: true, resumedFrom: new Date().toISOString() }));
    expect(fake.requestsTo('/repos/octo/repo/dispatches', 'POST')).toHaveLength(1);
  });

  it('401 → auth; 404 → fail naming the repository', async () => {
    const e = await failure(run('repository_dispatch', ctx({ event_type: 'x' }, {}, { access_token: 'nope' })));
    expect(e).toMatchObject({ kind: 'auth', message: 'GitHub repository_dispatch: HTTP 401: Bad credentials' });
    const e2 = await failure(run('repository_dispatch', ctx({ event_type: 'x' }, {}, { repository: 'ghost/town' })));
    expect(e2.kind).toBe('fail');
    expect(e2.message).toContain('repository ghost/town was not found');
  });
});

describe('GitHub connector: test()', () => {
  const test = (config: Record<string, unknown>) =>
    github.test({ config: { access_token: TOKEN, repository: 'octo/repo', ...config }, signal: new AbortController().signal, transport });

  it('GET /user then GET /repos/octo/repo; says who and whether it can push', async () => {
    await expect(test({})).resolves.toBe('authenticated as octocat; repository octo/repo is accessible (push: yes)');
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /user', 'GET /repos/octo/repo']);
    for (const r of fake.requests) expectGithubHeaders(r);
    await expect(test({ repository: 'octo/readonly' })).resolves.toBe(
      'authenticated as octocat; repository octo/readonly is accessible (push: no)',
    );
  });

  it('a wrong token → auth (Bad credentials), without the token', async () => {
    const e = await failure(test({ access_token: 'ghp_revoked_0000000000' }));
    expect(e.kind).toBe('auth');
    expect(e.message).toBe('GitHub test: HTTP 401: Bad credentials');
  });

  it('a repository the token cannot see → fail naming it', async () => {
    const e = await failure(test({ repository: 'octo/secret' }));
    expect(e.kind).toBe('fail');
    expect(e.message).toContain('repository octo/secret was not found, or the access token cannot see it');
  });

  it('the integration’s api_url (a trailing slash trimmed) wins over the deployment’s', async () => {
    const ghes = { ...transport, endpoints: { ...transport.endpoints, githubApiUrl: 'http://127.0.0.1:9' } };
    await expect(
      github.test({
        config: { access_token: TOKEN, repository: 'octo/repo', api_url: `${fake.url}/` },
        signal: new AbortController().signal,
        transport: ghes,
      }),
    ).resolves.toContain('authenticated as octocat');
  });
});

describe('GitHub connector: the outbound guard', () => {
  it('refuses an api_url on a private address (not allowlisted) with an SsrfError, before any request', async () => {
    const strict = new SafeHttpClient(new SsrfPolicy([]), 1024 * 1024);
    try {
      const c = ctx({ title: 'x' }, { transport: { ...transport, http: strict } }, { api_url: 'http://10.0.0.1' });
      await expect(run('create_issue', c)).rejects.toMatchObject({ name: 'SsrfError' });
      await expect(github.test({ config: c.config, signal: c.signal, transport: c.transport })).rejects.toMatchObject({
        name: 'SsrfError',
      });
      const e = await run('create_issue', c).catch((err: Error) => err);
      expect((e as Error).message).toContain('10.0.0.1');
      expect((e as Error).message).not.toContain(TOKEN);
    } finally {
      await strict.close();
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('a refused connection → retry', async () => {
    const e = await failure(run('create_issue', ctx({ title: 'x' }, {}, { api_url: 'http://127.0.0.1:9' })));
    expect(e.kind).toBe('retry');
    expect(e.message).toMatch(/^GitHub create_issue: /);
  });
});
