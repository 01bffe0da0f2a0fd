import type { HttpMethod, HttpResult } from '@/platform/http/outbound/safe-http';
import {
  httpProviderError,
  networkProviderError,
  providerMessage,
  ProviderError,
  retryAfterMs,
  type ActionContext,
  type ConnectorDefinition,
  type TestContext,
} from './connector';

const PROVIDER = 'GitHub';
const API_VERSION = '2022-11-28';
const USER_AGENT = 'Floyo-Workflows/1.0 (+github-connector)';
const TEMPLATE = '\\{\\{[^}]+\\}\\}';
/** A workflow: its file name (ci.yml) or numeric id, or a template rendered when the step runs. */
const WORKFLOW_PATTERN = `^([0-9]+|[A-Za-z0-9_.-]+\\.ya?ml|.*${TEMPLATE}.*)$`;
/** GitHub keeps at most 10 top-level properties of a `client_payload`; Floyo adds `floyo_key`. */
const MAX_CLIENT_PAYLOAD_KEYS = 9;
/** Issues looked through on resume: the newest first, 50 a page, until older than the interrupted attempt. */
const RESUME_PAGE_SIZE = 50;
const RESUME_MAX_PAGES = 5;
/** Clock skew allowed between Floyo and GitHub when looking for what an interrupted attempt did. */
const RESUME_SKEW_MS = 60_000;
/** GitHub asks to wait at least a minute after a secondary rate limit that names no time. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

interface Repo {
  owner: string;
  name: string;
  /** "owner/name", for messages. */
  full: string;
}

type Ctx = Pick<ActionContext, 'config' | 'signal' | 'transport'>;

/** What a 404 means for this call: the repository (default) or something in it (a workflow). */
type NotFound = (repo: Repo) => string;

const repoNotFound: NotFound = (repo) =>
  `repository ${repo.full} was not found, or the access token cannot see it (check the repository name and the token's access)`;

function repository(config: Record<string, unknown>): Repo {
  const value = typeof config.repository === 'string' ? config.repository.trim() : '';
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value);
  if (!match) throw new ProviderError(PROVIDER, 'fail', `repository must be "owner/name", not "${value}"`);
  const name = match[2].replace(/\.git$/, '');
  return { owner: match[1], name, full: `${match[1]}/${name}` };
}

function baseUrl(ctx: Ctx): string {
  const own = typeof ctx.config.api_url === 'string' && ctx.config.api_url.trim() ? ctx.config.api_url.trim() : undefined;
  return (own ?? ctx.transport.endpoints.githubApiUrl).replace(/\/+$/, '');
}

function repoPath(repo: Repo): string {
  return `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
}

/**
 * The ProviderError of a GitHub answer of 400 or more. Rate limits come as 403 or 429:
 * `x-ratelimit-remaining: 0` (wait until `x-ratelimit-reset`, epoch seconds), a
 * `retry-after` (secondary limits), or a 403 whose message names a secondary rate limit
 * (wait a minute) — all retryable. A 404 names the repository (or what the caller says);
 * a 422 carries GitHub's validation errors. Everything else as httpProviderError.
 */
function githubError(res: HttpResult, what: string, repo: Repo | null, notFound: NotFound): ProviderError {
  const message = providerMessage(res.body);
  const prefix = `${PROVIDER} ${what}: HTTP ${res.status}`;
  if (res.status === 403 || res.status === 429) {
    const retryAfter = retryAfterMs(res.headers['retry-after']);
    if (res.headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(res.headers['x-ratelimit-reset']);
      const untilReset = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : undefined;
      return new ProviderError(PROVIDER, 'retry', `${prefix}: rate limit exhausted: ${message}`, retryAfter ?? untilReset, res.status);
    }
    if (retryAfter !== undefined || /secondary rate limit|abuse/i.test(message)) {
      return new ProviderError(PROVIDER, 'retry', `${prefix}: ${message}`, retryAfter ?? SECONDARY_LIMIT_WAIT_MS, res.status);
    }
  }
  if (res.status === 404 && repo) return new ProviderError(PROVIDER, 'fail', `${prefix}: ${notFound(repo)}`, undefined, 404);
  if (res.status === 422 && res.body && typeof res.body === 'object') {
    const errors = (res.body as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length) {
      const details = errors
        .slice(0, 5)
        .map((e) => {
          if (typeof e === 'string') return e;
          const o = (e ?? {}) as Record<string, unknown>;
          return typeof o.message === 'string' ? o.message : [o.resource, o.field, o.code].filter((p) => typeof p === 'string').join(' ');
        })
        .join('; ');
      return new ProviderError(PROVIDER, 'fail', `${prefix}: ${message} (${details})`.slice(0, 800), undefined, 422);
    }
  }
  return httpProviderError(PROVIDER, res, what);
}

/** One GitHub REST call through the SSRF-guarded client; answers of 400 or more become ProviderErrors. */
async function gh(
  ctx: Ctx,
  what: string,
  method: HttpMethod,
  path: string,
  options: { body?: unknown; repo?: Repo; notFound?: NotFound } = {},
): Promise<HttpResult> {
  const token = typeof ctx.config.access_token === 'string' ? ctx.config.access_token : '';
  if (!token) throw new ProviderError(PROVIDER, 'auth', `${PROVIDER} ${what}: the integration has no access_token`);
  let res: HttpResult;
  try {
    res = await ctx.transport.http.call({
      method,
      url: `${baseUrl(ctx)}${path}`,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': API_VERSION,
        'user-agent': USER_AGENT,
      },
      body: options.body,
      timeoutMs: ctx.transport.timeoutMs,
      signal: ctx.signal,
    });
  } catch (err) {
    throw networkProviderError(PROVIDER, err, what, ctx.signal);
  }
  if (res.status >= 400) throw githubError(res, what, options.repo ?? null, options.notFound ?? repoNotFound);
  return res;
}

function asObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** The oldest time (epoch ms) an interrupted attempt's write can carry: when it started, less the skew. */
function resumeCutoff(ctx: ActionContext): number | undefined {
  if (!ctx.resumedFrom) return undefined;
  const at = Date.parse(ctx.resumedFrom);
  return Number.isNaN(at) ? undefined : at - RESUME_SKEW_MS;
}

/** The hidden marker an issue created for this step carries at the end of its body. */
export function issueMarker(idempotencyKey: string): string {
  return `<!-- floyo:${idempotencyKey} -->`;
}

/** The issue an interrupted attempt of this step created, if GitHub has it (pull requests are skipped). */
async function findIssue(ctx: ActionContext, repo: Repo, marker: string): Promise<Record<string, unknown> | null> {
  const cutoff = resumeCutoff(ctx);
  for (let page = 1; page <= RESUME_MAX_PAGES; page++) {
    const query = `state=all&sort=created&direction=desc&per_page=${RESUME_PAGE_SIZE}${page > 1 ? `&page=${page}` : ''}`;
    const res = await gh(ctx, 'create_issue', 'GET', `${repoPath(repo)}/issues?${query}`, { repo });
    const issues = Array.isArray(res.body) ? (res.body as Record<string, unknown>[]) : [];
    const found = issues.find((i) => !i.pull_request && typeof i.body === 'string' && i.body.includes(marker));
    if (found) return found;
    // without a start time only the newest page is searched; with one, older pages until issues predate it
    const oldest = Date.parse(String(issues.at(-1)?.created_at));
    if (cutoff === undefined || issues.length < RESUME_PAGE_SIZE || !(oldest >= cutoff)) return null;
  }
  return null;
}

/** Workflow runs of `event` created since the interrupted attempt started, newest first. */
async function runsSince(
  ctx: ActionContext,
  repo: Repo,
  what: string,
  path: string,
  event: string,
  notFound?: NotFound,
): Promise<Record<string, unknown>[]> {
  // without the attempt's start (never expected with `resumed`), the last ten minutes
  const cutoff = new Date(resumeCutoff(ctx) ?? Date.now() - 10 * RESUME_SKEW_MS).toISOString();
  const query = `event=${event}&created=${encodeURIComponent(`>=${cutoff}`)}&per_page=20`;
  const res = await gh(ctx, what, 'GET', `${path}?${query}`, { repo, notFound });
  const runs = asObject(res.body).workflow_runs;
  return Array.isArray(runs) ? (runs as Record<string, unknown>[]) : [];
}

const stringList = (description: string, maxLength: number, maxItems: number) => ({
  type: 'array',
  maxItems,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength, description: `One of ${description}` },
  description,
});

/**
 * GitHub through its REST API (api.github.com, or a GitHub Enterprise Server's `api_url`)
 * with a personal access token: issues, workflow_dispatch and repository_dispatch in the
 * integration's repository. Writes that GitHub cannot deduplicate are made findable: an
 * issue carries a hidden marker with the step's idempotency key, a dispatch is looked for
 * among the runs created since the interrupted attempt started.
 */
export const github: ConnectorDefinition = {
  type: 'github',
  provider: PROVIDER,
  actions: {
    create_issue: {
      description: "Open an issue in the integration's repository",
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 256, description: 'Issue title' },
          body: { type: 'string', maxLength: 65000, description: 'Issue body (GitHub Markdown)' },
          labels: stringList('Labels to set (names; labels that do not exist are created by GitHub)', 50, 100),
          assignees: stringList('Logins of users to assign (at most 10)', 39, 10),
        },
      },
      async run(ctx) {
        const repo = repository(ctx.config);
        const marker = issueMarker(ctx.idempotencyKey);
        if (ctx.resumed) {
          const existing = await findIssue(ctx, repo, marker);
          if (existing) return { number: existing.number, html_url: existing.html_url, id: existing.id, reconciled: true };
        }
        const text = typeof ctx.params.body === 'string' ? ctx.params.body.trimEnd() : '';
        const body: Record<string, unknown> = { title: ctx.params.title, body: text ? `${text}\n\n${marker}` : marker };
        if (Array.isArray(ctx.params.labels) && ctx.params.labels.length) body.labels = ctx.params.labels;
        if (Array.isArray(ctx.params.assignees) && ctx.params.assignees.length) body.assignees = ctx.params.assignees;
        const res = await gh(ctx, 'create_issue', 'POST', `${repoPath(repo)}/issues`, { body, repo });
        const issue = asObject(res.body);
        return { number: issue.number, html_url: issue.html_url, id: issue.id };
      },
    },

    dispatch_workflow: {
      description: 'Run a GitHub Actions workflow that has a workflow_dispatch trigger',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['workflow'],
        properties: {
          workflow: {
            type: 'string',
            minLength: 1,
            maxLength: 255,
            pattern: WORKFLOW_PATTERN,
            description: 'The workflow file name (ci.yml) or its numeric id',
          },
          ref: {
            type: 'string',
            minLength: 1,
            maxLength: 255,
            description: "Branch or tag to run on (default: the integration's default_branch, else the repository's default branch)",
          },
          inputs: {
            type: 'object',
            maxProperties: 10,
            propertyNames: { minLength: 1, maxLength: 100 },
            additionalProperties: { type: 'string', maxLength: 65535 },
            description: 'Values of the workflow_dispatch inputs the workflow declares (strings, at most 10)',
          },
        },
      },
      async run(ctx) {
        const repo = repository(ctx.config);
        const workflow = String(ctx.params.workflow);
        const workflowPath = `${repoPath(repo)}/actions/workflows/${encodeURIComponent(workflow)}`;
        const notFound: NotFound = (r) => `workflow ${workflow} was not found in ${r.full}, or the access token cannot see the repository`;
        if (ctx.resumed) {
          const runs = await runsSince(ctx, repo, 'dispatch_workflow', `${workflowPath}/runs`, 'workflow_dispatch', notFound);
          if (runs.length) return { dispatched: true, reconciled: true, run_id: runs[0].id, workflow, ref: runs[0].head_branch ?? null };
        }
        let ref = typeof ctx.params.ref === 'string' && ctx.params.ref ? ctx.params.ref : undefined;
        if (!ref && typeof ctx.config.default_branch === 'string' && ctx.config.default_branch) ref = ctx.config.default_branch;
        if (!ref) {
          const res = await gh(ctx, 'dispatch_workflow', 'GET', repoPath(repo), { repo });
          ref = String(asObject(res.body).default_branch ?? '');
          if (!ref)
            throw new ProviderError(
              PROVIDER,
              'fail',
              `${PROVIDER} dispatch_workflow: repository ${repo.full} has no default branch; give a ref`,
            );
        }
        const body: Record<string, unknown> = { ref };
        if (ctx.params.inputs && typeof ctx.params.inputs === 'object') body.inputs = ctx.params.inputs;
        const res = await gh(ctx, 'dispatch_workflow', 'POST', `${workflowPath}/dispatches`, { body, repo, notFound });
        // GitHub answers 204; newer versions answer 200 with the run when asked (return_run_details)
        const runId = asObject(res.body).workflow_run_id;
        return { dispatched: true, workflow, ref, ...(runId !== undefined ? { run_id: runId } : {}) };
      },
    },

    repository_dispatch: {
      description: 'Send a repository_dispatch event (runs the workflows that listen for its event_type)',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['event_type'],
        properties: {
          event_type: {
            type: 'string',
            minLength: 1,
            maxLength: 100,
            description: 'The event type the workflows filter on (on.repository_dispatch.types)',
          },
          client_payload: {
            type: 'object',
            maxProperties: MAX_CLIENT_PAYLOAD_KEYS,
            description: `Data for the workflows (github.event.client_payload), at most ${MAX_CLIENT_PAYLOAD_KEYS} top-level properties; Floyo adds floyo_key, the step's idempotency key`,
          },
        },
      },
      async run(ctx) {
        const repo = repository(ctx.config);
        const eventType = String(ctx.params.event_type);
        if (ctx.resumed) {
          const runs = await runsSince(ctx, repo, 'repository_dispatch', `${repoPath(repo)}/actions/runs`, 'repository_dispatch');
          if (runs.length) return { dispatched: true, reconciled: true, run_id: runs[0].id, event_type: eventType };
        }
        const payload = ctx.params.client_payload && typeof ctx.params.client_payload === 'object' ? ctx.params.client_payload : {};
        const body = { event_type: eventType, client_payload: { ...payload, floyo_key: ctx.idempotencyKey } };
        await gh(ctx, 'repository_dispatch', 'POST', `${repoPath(repo)}/dispatches`, { body, repo });
        return { dispatched: true, event_type: eventType };
      },
    },
  },

  // the default branch lookup of dispatch_workflow without a ref (nothing else reads in a dry run)
  dryRunAnswer: (request) =>
    request.method === 'GET' && /\/repos\/[^/]+\/[^/?]+$/.test(new URL(request.url).pathname)
      ? { body: { default_branch: '(the repository default branch)' } }
      : undefined,

  async test(ctx: TestContext) {
    const repo = repository(ctx.config);
    const user = asObject((await gh(ctx, 'test', 'GET', '/user')).body);
    const found = asObject((await gh(ctx, 'test', 'GET', repoPath(repo), { repo })).body);
    const permissions = asObject(found.permissions);
    const push = typeof permissions.push === 'boolean' ? ` (push: ${permissions.push ? 'yes' : 'no'})` : '';
    return `authenticated as ${String(user.login ?? 'an unnamed user')}; repository ${String(found.full_name ?? repo.full)} is accessible${push}`;
  },
};
