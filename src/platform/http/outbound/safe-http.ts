import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { SsrfError, type SsrfPolicy } from './ssrf-policy';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface HttpCall {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /**
   * A string or bytes are sent as they are, a stream is streamed (not replayed: a redirect
   * that would resend it fails), anything else as JSON.
   */
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  truncated: boolean;
}

const MAX_REDIRECTS = 5;
const DROP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade']);
/** Never sent on after a redirect to another origin (scheme, host or port), as browsers and curl do. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export type Resolver = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** node:http(s) agents for SDKs that take one (AWS SDK): every connection passes the same policy. */
export interface GuardedAgents {
  http: http.Agent;
  https: https.Agent;
}

/**
 * Outbound HTTP for workflow steps, guarded against SSRF: the policy is checked on the
 * address actually connected to (inside the socket's DNS lookup, so a hostname cannot
 * resolve to a private address between check and use), on IP literals, and again on
 * every redirect hop (followed by hand, at most 5). A redirect to another origin drops the
 * credential headers for the rest of the chain. Bodies are read up to a bound.
 */
export class SafeHttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly guardedLookup: (hostname: string, options: { all?: boolean }, callback: LookupCallback) => void;
  private nodeAgents: GuardedAgents | null = null;

  constructor(
    private readonly policy: SsrfPolicy,
    private readonly maxResponseBytes: number,
    /** Name resolution (the system resolver; replaceable so tests can simulate DNS answers). */
    resolve: Resolver = systemResolver,
  ) {
    const guardedLookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
      resolve(hostname, (err, addresses) => {
        if (err) return callback(err, []);
        try {
          if (!addresses.length) throw new SsrfError(`"${hostname}" did not resolve`);
          for (const a of addresses) this.policy.assertAllowed(a.address, hostname);
        } catch (e) {
          return callback(e as NodeJS.ErrnoException, []);
        }
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      });
    };
    this.guardedLookup = guardedLookup;
    this.dispatcher = new Agent({ connect: { lookup: guardedLookup as never }, keepAliveTimeout: 10_000, connections: 64 });
  }

  /**
   * Agents for clients that connect through node:http(s): host names are resolved and
   * checked as for `call`, IP literals are checked before connecting.
   */
  agents(): GuardedAgents {
    if (this.nodeAgents) return this.nodeAgents;
    const policy = this.policy;
    const options = { lookup: this.guardedLookup as never, keepAlive: true, maxSockets: 64 };
    const guard = <A extends http.Agent>(agent: A): A => {
      const create = (agent as unknown as { createConnection: (o: { host?: string }, cb?: unknown) => Socket }).createConnection.bind(
        agent,
      );
      (agent as unknown as { createConnection: unknown }).createConnection = (o: { host?: string }, cb?: unknown) => {
        const host = (o.host ?? '').replace(/^\[|\]$/g, '');
        try {
          if (isIP(host)) policy.assertAllowed(host);
        } catch (err) {
          // refused as a connection error (asynchronously), as a refused DNS answer is
          const refused = new Socket();
          process.nextTick(() => refused.destroy(err as Error));
          return refused;
        }
        return create(o, cb);
      };
      return agent;
    };
    this.nodeAgents = { http: guard(new http.Agent(options)), https: guard(new https.Agent(options)) };
    return this.nodeAgents;
  }

  /** The address to connect to for `host` (a name or an IP literal), if the policy allows it. */
  resolveHost(host: string): Promise<string> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (isIP(bare)) {
      this.policy.assertAllowed(bare, host);
      return Promise.resolve(bare);
    }
    return new Promise((resolve, reject) =>
      this.guardedLookup(bare, { all: false }, (err, address) => (err ? reject(err) : resolve(address as string))),
    );
  }

  async call(input: HttpCall): Promise<HttpResult> {
    let url = new URL(input.url);
    let method: HttpMethod = input.method;
    let body = encodeBody(input.body);
    const headers = cleanHeaders(input.headers, body);
    const signal = input.signal
      ? AbortSignal.any([input.signal, AbortSignal.timeout(input.timeoutMs)])
      : AbortSignal.timeout(input.timeoutMs);
    for (let hop = 0; ; hop++) {
      this.assertUrl(url);
      const res = await request(url, {
        method,
        headers,
        body: body?.payload,
        dispatcher: this.dispatcher,
        signal,
        headersTimeout: input.timeoutMs,
        bodyTimeout: input.timeoutMs,
      });
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && typeof location === 'string') {
        await res.body.dump().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (more than ${MAX_REDIRECTS})`);
        const next = new URL(location, url);
        if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
        url = next;
        if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method !== 'GET')) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
        } else if (body?.payload instanceof Readable) {
          throw new Error(`a streamed body cannot follow a ${res.statusCode} redirect`);
        }
        continue;
      }
      const { text, truncated } = await readBounded(res.body, this.maxResponseBytes);
      return {
        status: res.statusCode,
        headers: flattenHeaders(res.headers),
        body: parseBody(text, res.headers['content-type'], truncated),
        truncated,
      };
    }
  }

  private assertUrl(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SsrfError(`only http(s) URLs are allowed, not ${url.protocol}`);
    if (url.username || url.password) throw new SsrfError('credentials in URLs are not allowed');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // IP literals never go through DNS lookup: check them here.
    if (isIP(host)) this.policy.assertAllowed(host, url.hostname);
  }

  close(): Promise<void> {
    this.nodeAgents?.http.destroy();
    this.nodeAgents?.https.destroy();
    return this.dispatcher.close();
  }
}

export function encodeBody(body: unknown): { payload: string | Uint8Array | Readable; json: boolean } | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof Readable) return { payload: body, json: false };
  return { payload: JSON.stringify(body), json: true };
}

export function cleanHeaders(headers: Record<string, string> | undefined, body: ReturnType<typeof encodeBody>): Record<string, string> {
  const out: Record<string, string> = { 'user-agent': 'Floyo-Workflows/1.0' };
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (!DROP_HEADERS.has(k.toLowerCase())) out[k.toLowerCase()] = v;
  }
  if (body?.json && !out['content-type']) out['content-type'] = 'application/json';
  return out;
}

async function readBounded(stream: Dispatcher.ResponseData['body'], max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    if (size + buf.length > max) {
      chunks.push(buf.subarray(0, max - size));
      truncated = true;
      stream.destroy();
      break;
    }
    chunks.push(buf);
    size += buf.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

function parseBody(text: string, contentType: string | string[] | undefined, truncated: boolean): unknown {
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  if (!truncated && type?.includes('json') && text) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
