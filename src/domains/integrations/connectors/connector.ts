import type { Readable } from 'node:stream';
import type { HttpCall, HttpResult, SafeHttpClient } from '@/platform/http/outbound/safe-http';
import type { RecordingHttpClient } from './recording-http';
import type { JsonSchema } from '../config-schema';
import type { ConnectorType } from '../connector-types';

/** A file an action sends: opened from storage (an upload) or made from text; `open()` may be called again. */
export interface ActionFile {
  name: string;
  contentType: string;
  /** Bytes, when known before reading. */
  size: number | null;
  open(): Promise<Readable>;
}

/** What the `file` parameter of an action names (see files.ts). */
export type FileRef =
  { event_id: string; name?: string } | { latest_upload: string; name?: string } | { text: string; name?: string; content_type?: string };

/** Opens the files an action's parameters name, as the workflow's owner. */
export interface FileOpener {
  open(ref: FileRef): Promise<ActionFile>;
}

/** The outbound side every connector uses: one SSRF policy for HTTP, SDK agents and raw hosts (SMTP). */
export interface ProviderTransport {
  /**
   * SSRF-guarded HTTP (`call`), node:http(s) agents for SDKs (`agents()`, e.g. the AWS SDK's
   * NodeHttpHandler) and host resolution for other protocols (`resolveHost`, e.g. SMTP).
   */
  http: ProviderHttp;
  /** Per-request timeout for provider calls. */
  timeoutMs: number;
  /** Provider base URLs of this deployment (INTEGRATION_*_URL); an integration's own (`api_url`, `endpoint`) wins. */
  endpoints: ProviderEndpoints;
  /**
   * Dry run: nothing leaves the process. `http` is then this same recorder (each call is
   * recorded and answered with a synthetic 200, see recording-http.ts); connectors that do
   * not speak HTTP through `http` (the AWS SDK, SMTP) record what they would send here
   * instead of connecting.
   */
  dryRun?: RecordingHttpClient;
}

/** The outbound client of a transport: the SSRF-guarded client, or in a dry run the recorder. */
export type ProviderHttp = Pick<SafeHttpClient, 'call' | 'agents' | 'resolveHost'>;

interface ProviderEndpoints {
  githubApiUrl: string;
  dropboxApiUrl: string;
  dropboxContentUrl: string;
  googleDriveUrl: string;
  /** Token endpoint of OAuth-client credentials (a service account's key names its own `token_uri`). */
  googleOAuthTokenUrl: string;
}

export interface ActionContext {
  /** The integration's config with its secrets decrypted: never log it, never return it. */
  config: Record<string, unknown>;
  /** The step's parameters, rendered and validated against the action's schema. */
  params: Record<string, unknown>;
  /**
   * Stable for one step of one execution, across retries and worker takeovers: the
   * provider's idempotency key, or a marker the action can find again.
   */
  idempotencyKey: string;
  /**
   * An earlier attempt of this step was interrupted (the worker died mid-step): the action
   * may already have happened at the provider. Look before acting again where the
   * provider lets you.
   */
  resumed: boolean;
  /** When the interrupted attempt started (ISO), with `resumed`. */
  resumedFrom?: string;
  signal: AbortSignal;
  transport: ProviderTransport;
  files: FileOpener;
}

export interface TestContext {
  config: Record<string, unknown>;
  signal: AbortSignal;
  transport: ProviderTransport;
}

export interface ActionDefinition {
  description: string;
  /** JSON Schema of `params` (draft-07): listed by GET /api/integrations/connectors, checked at workflow create/update. */
  params: JsonSchema;
  /**
   * Checks that need the integration's config (a recipient when the config has none, …);
   * messages name the parameter. Templated values (`{{…}}`) are not judged.
   */
  check?(params: Record<string, unknown>, config: Record<string, unknown>): { field: string; msg: string }[];
  /** Runs the action; provider refusals are ProviderErrors. Returns the step's output (no secrets). */
  run(ctx: ActionContext): Promise<unknown>;
}

export interface ConnectorDefinition {
  type: ConnectorType;
  /** Provider name for messages: "GitHub". */
  provider: string;
  actions: Record<string, ActionDefinition>;
  /** The provider's cheapest authenticated call; resolves with what it proved ("authenticated as octocat"). */
  test(ctx: TestContext): Promise<string>;
  /**
   * Dry runs: the synthetic answer to a recorded request where the action needs more than
   * the default (200 with `{}`) to go on — a session id, a token, a default branch.
   */
  dryRunAnswer?(request: RecordedHttpRequest): Partial<Pick<HttpResult, 'status' | 'headers' | 'body'>> | undefined;
}

/** An HTTP request a dry run would have sent, as it would have been sent (secrets masked later). */
export interface RecordedHttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON as the value sent, text as it is, bytes as `{bytes, sha256}`. */
  body?: unknown;
  /** Set when the answer the action went on with was synthetic beyond a plain 200 (a read, a session id). */
  note?: string;
}

/**
 * How a provider refused:
 * - `auth`: the credentials are wrong or lack a permission (401/403) — the integration needs attention;
 * - `retry`: try again later (429, 5xx, a dropped connection), after `retryAfterMs` when the provider said;
 * - `fail`: this request is wrong (other 4xx) — retrying will not help.
 */
export type ProviderErrorKind = 'auth' | 'retry' | 'fail';

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: ProviderErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** `Retry-After` (seconds or an HTTP date) in milliseconds, or undefined. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The provider's own words from an error body: `message`, `error_summary`, `error.message`, `error_description`, or text. */
export function providerMessage(body: unknown): string {
  if (typeof body === 'string') return body.trim().slice(0, 500) || 'no details';
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const error = b.error as Record<string, unknown> | string | undefined;
    const candidates = [
      b.message,
      b.error_summary,
      typeof error === 'object' ? error?.message : undefined,
      b.error_description,
      typeof error === 'string' ? error : undefined,
    ];
    const found = candidates.find((c) => typeof c === 'string' && c.trim());
    if (found) return (found as string).slice(0, 500);
    return JSON.stringify(body).slice(0, 500);
  }
  return 'no details';
}

/**
 * The ProviderError for an HTTP answer of 400 or more: 401/403 → auth, 429/5xx → retry
 * (honouring Retry-After), other 4xx → fail; the message carries the provider's words.
 */
export function httpProviderError(provider: string, res: HttpResult, what: string): ProviderError {
  const detail = providerMessage(res.body);
  const message = `${provider} ${what}: HTTP ${res.status}: ${detail}`;
  if (res.status === 401 || res.status === 403) return new ProviderError(provider, 'auth', message, undefined, res.status);
  if (res.status === 429 || res.status >= 500) {
    return new ProviderError(provider, 'retry', message, retryAfterMs(res.headers['retry-after']), res.status);
  }
  return new ProviderError(provider, 'fail', message, undefined, res.status);
}

/**
 * A failure before any answer: SSRF refusals and the step's own abort pass through; a
 * refused, reset or timed-out connection is worth a retry.
 */
export function networkProviderError(provider: string, err: unknown, what: string, stepSignal?: AbortSignal): Error {
  const e = err as Error & { code?: string };
  if (e instanceof ProviderError || e?.name === 'SsrfError' || stepSignal?.aborted) return e;
  const reason = e?.name === 'TimeoutError' || e?.name === 'AbortError' ? 'timed out' : (e?.code ?? e?.message ?? 'connection failed');
  return new ProviderError(provider, 'retry', `${provider} ${what}: ${reason}`);
}

/**
 * One HTTP call to a provider through the SSRF-guarded client: an answer of 400 or more
 * becomes the ProviderError of its status, a network failure a retryable one.
 */
export async function callProvider(
  ctx: { transport: ProviderTransport; signal: AbortSignal },
  provider: string,
  what: string,
  call: Omit<HttpCall, 'timeoutMs' | 'signal'> & { timeoutMs?: number },
): Promise<HttpResult> {
  let res: HttpResult;
  try {
    res = await ctx.transport.http.call({ timeoutMs: ctx.transport.timeoutMs, signal: ctx.signal, ...call });
  } catch (err) {
    throw networkProviderError(provider, err, what, ctx.signal);
  }
  if (res.status >= 400) throw httpProviderError(provider, res, what);
  return res;
}
