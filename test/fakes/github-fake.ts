import { RecordingFake, type FakeResponse, type RecordedRequest } from './fake-server';

export type { HeldResponse, RecordedRequest, ScriptedResponse } from './fake-server';

const DOCS = 'https://docs.github.com/rest';

export interface FakeIssue {
  id: number;
  node_id: string;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: { name: string }[];
  assignees: { login: string }[];
  user: { login: string };
  html_url: string;
  url: string;
  created_at: string;
  updated_at: string;
  pull_request?: { url: string };
}

export interface FakeRun {
  id: number;
  name: string;
  workflow_id: number;
  event: string;
  head_branch: string;
  status: string;
  created_at: string;
  html_url: string;
  /** What started it (dispatch inputs or client_payload), for assertions; GitHub does not list it. */
  trigger: unknown;
}

export interface FakeWorkflow {
  id: number;
  /** File name under .github/workflows. */
  file: string;
  name: string;
  /** Declared workflow_dispatch inputs; others are refused with 422 as GitHub does. */
  inputs: string[];
}

export interface FakeRepo {
  owner: string;
  name: string;
  defaultBranch: string;
  branches: string[];
  push: boolean;
  workflows: FakeWorkflow[];
  issues: FakeIssue[];
  runs: FakeRun[];
  /** Repository dispatches received (event_type, client_payload). */
  dispatches: { event_type: string; client_payload: unknown }[];
}

export interface GithubFakeOptions {
  token: string;
  login?: string;
  repos?: {
    owner: string;
    name: string;
    defaultBranch?: string;
    branches?: string[];
    push?: boolean;
    workflows?: Omit<FakeWorkflow, 'id'>[];
  }[];
}

/**
 * GitHub's REST API as documented (X-GitHub-Api-Version 2022-11-28), for one token: GET /user,
 * GET /repos/{o}/{r}, issues (create, list), workflow_dispatch and repository_dispatch
 * (204), workflow runs (per workflow and per repository, `event` and `created` filters),
 * with GitHub's error bodies (401 Bad credentials, 404 Not Found, 422 Validation Failed)
 * and its rate-limit headers on every answer.
 */
export class GithubFake extends RecordingFake {
  readonly repos = new Map<string, FakeRepo>();
  readonly login: string;
  private readonly token: string;
  private nextId = 1000;
  private rateRemaining = 4999;

  private constructor(options: GithubFakeOptions) {
    super();
    this.token = options.token;
    this.login = options.login ?? 'octocat';
    for (const r of options.repos ?? [{ owner: 'octo', name: 'repo' }]) {
      const workflows = (r.workflows ?? [{ file: 'ci.yml', name: 'CI', inputs: ['environment', 'version'] }]).map((w) => ({
        ...w,
        id: this.nextId++,
      }));
      this.repos.set(`${r.owner}/${r.name}`.toLowerCase(), {
        owner: r.owner,
        name: r.name,
        defaultBranch: r.defaultBranch ?? 'main',
        branches: r.branches ?? [r.defaultBranch ?? 'main', 'develop'],
        push: r.push ?? true,
        workflows,
        issues: [],
        runs: [],
        dispatches: [],
      });
    }
  }

  static async start(options: GithubFakeOptions): Promise<GithubFake> {
    const fake = new GithubFake(options);
    await fake.listen(['api']);
    return fake;
  }

  get url(): string {
    return this.urlOf('api');
  }

  /** Forgets requests, scripts, issues, runs and dispatches (repositories and workflows stay). */
  reset(): void {
    this.clearRequests();
    this.resetScripts();
    for (const repo of this.repos.values()) {
      repo.issues.length = 0;
      repo.runs.length = 0;
      repo.dispatches.length = 0;
    }
  }

  repo(fullName: string): FakeRepo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`fake has no repository ${fullName}`);
    return repo;
  }

  /** Adds an issue (or a pull request) as if created earlier; `created_at` defaults to now. */
  addIssue(fullName: string, issue: { title: string; body?: string | null; created_at?: string; pull_request?: boolean }): FakeIssue {
    const repo = this.repo(fullName);
    const created = issue.created_at ?? new Date().toISOString();
    const number = repo.issues.length + 1;
    const stored: FakeIssue = {
      id: this.nextId++,
      node_id: `I_${number}`,
      number,
      title: issue.title,
      body: issue.body ?? null,
      state: 'open',
      labels: [],
      assignees: [],
      user: { login: this.login },
      html_url: `https://github.com/${repo.owner}/${repo.name}/${issue.pull_request ? 'pull' : 'issues'}/${number}`,
      url: `${this.url}/repos/${repo.owner}/${repo.name}/issues/${number}`,
      created_at: created,
      updated_at: created,
      ...(issue.pull_request ? { pull_request: { url: `${this.url}/repos/${repo.owner}/${repo.name}/pulls/${number}` } } : {}),
    };
    repo.issues.push(stored);
    return stored;
  }

  /** Adds a workflow run as if started earlier. */
  addRun(fullName: string, run: { event: string; workflow?: string; created_at?: string; head_branch?: string }): FakeRun {
    const repo = this.repo(fullName);
    const workflow = repo.workflows.find((w) => w.file === (run.workflow ?? repo.workflows[0]?.file)) ?? repo.workflows[0];
    const stored: FakeRun = {
      id: this.nextId++,
      name: workflow?.name ?? 'workflow',
      workflow_id: workflow?.id ?? 0,
      event: run.event,
      head_branch: run.head_branch ?? repo.defaultBranch,
      status: 'queued',
      created_at: run.created_at ?? new Date().toISOString(),
      html_url: '',
      trigger: null,
    };
    stored.html_url = `https://github.com/${repo.owner}/${repo.name}/actions/runs/${stored.id}`;
    repo.runs.push(stored);
    return stored;
  }

  protected handle(req: RecordedRequest): FakeResponse {
    const auth = req.headers.authorization ?? '';
    const presented = /^(?:Bearer|token) (.+)$/i.exec(auth)?.[1];
    if (!presented) return this.answer(401, { message: 'Requires authentication', documentation_url: DOCS });
    if (presented !== this.token) return this.answer(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    this.rateRemaining = Math.max(0, this.rateRemaining - 1);

    if (req.method === 'GET' && req.path === '/user') {
      return this.answer(200, {
        login: this.login,
        id: 1,
        type: 'User',
        name: 'The Octocat',
        html_url: `https://github.com/${this.login}`,
      });
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(req.path);
    if (!m) return this.notFound();
    const repo = this.repos.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`.toLowerCase());
    if (!repo) return this.notFound();
    const rest = m[3] ?? '';
    const write = req.method !== 'GET';
    if (write && !repo.push)
      return this.answer(403, { message: 'Resource not accessible by personal access token', documentation_url: DOCS, status: '403' });

    if (req.method === 'GET' && rest === '') return this.answer(200, this.repoJson(repo));
    if (rest === '/issues' && req.method === 'POST') return this.createIssue(repo, req);
    if (rest === '/issues' && req.method === 'GET') return this.listIssues(repo, req);
    if (rest === '/dispatches' && req.method === 'POST') return this.repositoryDispatch(repo, req);
    if (rest === '/actions/runs' && req.method === 'GET') return this.listRuns(req, repo.runs);
    const wf = /^\/actions\/workflows\/([^/]+)\/(dispatches|runs)$/.exec(rest);
    if (wf) {
      const id = decodeURIComponent(wf[1]);
      const workflow = repo.workflows.find((w) => w.file === id || String(w.id) === id);
      if (!workflow) return this.notFound();
      if (wf[2] === 'dispatches' && req.method === 'POST') return this.workflowDispatch(repo, workflow, req);
      if (wf[2] === 'runs' && req.method === 'GET')
        return this.listRuns(
          req,
          repo.runs.filter((r) => r.workflow_id === workflow.id),
        );
    }
    return this.notFound();
  }

  private answer(status: number, body?: unknown, headers: Record<string, string> = {}): FakeResponse {
    return {
      status,
      body,
      headers: {
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(this.rateRemaining),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-used': String(5000 - this.rateRemaining),
        'x-ratelimit-resource': 'core',
        ...headers,
      },
    };
  }

  private notFound(): FakeResponse {
    return this.answer(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  }

  private invalid(errors: unknown[], message = 'Validation Failed'): FakeResponse {
    return this.answer(422, { message, errors, documentation_url: DOCS, status: '422' });
  }

  private json(req: RecordedRequest): Record<string, unknown> | null {
    try {
      const parsed: unknown = JSON.parse(req.body.toString('utf8'));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  private repoJson(repo: FakeRepo): Record<string, unknown> {
    return {
      id: 1296269,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: { login: repo.owner },
      private: true,
      default_branch: repo.defaultBranch,
      html_url: `https://github.com/${repo.owner}/${repo.name}`,
      permissions: { admin: false, maintain: false, push: repo.push, triage: repo.push, pull: true },
    };
  }

  private createIssue(repo: FakeRepo, req: RecordedRequest): FakeResponse {
    const body = this.json(req);
    if (!body) return this.answer(400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' });
    if (typeof body.title !== 'string' || !body.title) return this.invalid([{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
    if (body.title.length > 256)
      return this.invalid([
        { resource: 'Issue', code: 'custom', field: 'title', message: 'title is too long (maximum is 256 characters)' },
      ]);
    const issue = this.addIssue(`${repo.owner}/${repo.name}`, {
      title: body.title,
      body: typeof body.body === 'string' ? body.body : null,
    });
    if (Array.isArray(body.labels)) issue.labels = body.labels.map((name) => ({ name: String(name) }));
    if (Array.isArray(body.assignees)) issue.assignees = body.assignees.map((login) => ({ login: String(login) }));
    return this.answer(201, issue, { location: issue.url });
  }

  private listIssues(repo: FakeRepo, req: RecordedRequest): FakeResponse {
    const state = req.query.get('state') ?? 'open';
    const direction = req.query.get('direction') ?? 'desc';
    const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30));
    const page = Math.max(1, Number(req.query.get('page') ?? 1));
    const sorted = repo.issues
      .filter((i) => state === 'all' || i.state === state)
      .sort((a, b) => (a.created_at === b.created_at ? a.number - b.number : a.created_at < b.created_at ? -1 : 1));
    if (direction === 'desc') sorted.reverse();
    const items = sorted.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < sorted.length) {
      const next = new URLSearchParams(req.query);
      next.set('page', String(page + 1));
      headers.link = `<${this.url}${req.path}?${next.toString()}>; rel="next"`;
    }
    return this.answer(200, items, headers);
  }

  private workflowDispatch(repo: FakeRepo, workflow: FakeWorkflow, req: RecordedRequest): FakeResponse {
    const body = this.json(req);
    if (!body) return this.answer(400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' });
    if (typeof body.ref !== 'string' || !body.ref) return this.invalid([], 'Invalid request.\n\n"ref" wasn\'t supplied.');
    const branch = body.ref.replace(/^refs\/(heads|tags)\//, '');
    if (!repo.branches.includes(branch)) return this.invalid([], `No ref found for: ${body.ref}`);
    const inputs = body.inputs === undefined ? {} : body.inputs;
    if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs))
      return this.invalid([], "Invalid request.\n\nFor 'properties/inputs', is not an object.");
    const unexpected = Object.keys(inputs).filter((k) => !workflow.inputs.includes(k));
    if (unexpected.length) return this.invalid([], `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    const run = this.addRun(`${repo.owner}/${repo.name}`, { event: 'workflow_dispatch', workflow: workflow.file, head_branch: branch });
    run.trigger = inputs;
    return this.answer(204);
  }

  private repositoryDispatch(repo: FakeRepo, req: RecordedRequest): FakeResponse {
    const body = this.json(req);
    if (!body) return this.answer(400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' });
    if (typeof body.event_type !== 'string' || !body.event_type)
      return this.invalid([], 'Invalid request.\n\n"event_type" wasn\'t supplied.');
    if (body.event_type.length > 100) return this.invalid([], 'Invalid request.\n\nevent_type is too long (maximum is 100 characters)');
    const payload = body.client_payload ?? {};
    if (typeof payload !== 'object' || Array.isArray(payload))
      return this.invalid([], "Invalid request.\n\nFor 'properties/client_payload', is not an object.");
    if (Object.keys(payload as object).length > 10)
      return this.invalid([], 'Invalid request.\n\nNo more than 10 properties are allowed; N were supplied.');
    repo.dispatches.push({ event_type: body.event_type, client_payload: payload });
    const run = this.addRun(`${repo.owner}/${repo.name}`, { event: 'repository_dispatch' });
    run.trigger = payload;
    return this.answer(204);
  }

  private listRuns(req: RecordedRequest, runs: FakeRun[]): FakeResponse {
    const event = req.query.get('event');
    const created = req.query.get('created');
    const filtered = runs
      .filter((r) => !event || r.event === event)
      .filter((r) => !created || createdMatches(created, r.created_at))
      .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.id - a.id));
    const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30));
    const workflowRuns = filtered.slice(0, perPage).map(({ trigger: _trigger, ...run }) => run);
    return this.answer(200, { total_count: filtered.length, workflow_runs: workflowRuns });
  }
}

/** GitHub's date qualifiers of `created`: >=, >, <=, <, a..b, or one date. */
function createdMatches(filter: string, createdAt: string): boolean {
  const at = Date.parse(createdAt);
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range) return at >= Date.parse(range[1]) && at <= Date.parse(range[2]);
  const m = /^(>=|<=|>|<)?(.+)$/.exec(filter);
  if (!m) return false;
  const bound = Date.parse(m[2]);
  if (Number.isNaN(bound)) return false;
  switch (m[1]) {
    case '>=':
      return at >= bound;
    case '>':
      return at > bound;
    case '<=':
      return at <= bound;
    case '<':
      return at < bound;
    default:
      return createdAt.startsWith(m[2]);
  }
}
