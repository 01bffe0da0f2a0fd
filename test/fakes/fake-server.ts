import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a fake received, exactly as it arrived. */
export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased names, as node:http gives them. */
  headers: Record<string, string>;
  body: Buffer;
  /** Which of the fake's listeners took it (a fake may serve several hosts). */
  host: string;
}

/** An answer to send instead of the real one. */
export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON, a string or bytes as they are. */
  body?: unknown;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

type Matcher = string | RegExp | ((req: RecordedRequest) => boolean);

/** A response held back after the request was committed (see holdNext). */
export interface HeldResponse {
  /** Resolves with the request once it arrived and its effect happened. */
  arrived: Promise<RecordedRequest>;
  /** Sends the held response (nothing, if the client went away meanwhile). */
  release(): void;
  /** Resolves when the client closed its connection before the response was sent. */
  clientGone: Promise<void>;
}

interface PendingHold {
  matcher: Matcher;
  resolveArrived: (req: RecordedRequest) => void;
  released: Promise<void>;
  resolveGone: () => void;
}

function matches(matcher: Matcher | undefined, req: RecordedRequest): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'string') return req.path === matcher;
  if (matcher instanceof RegExp) return matcher.test(req.path);
  return matcher(req);
}

/**
 * A provider fake on node:http (127.0.0.1, an ephemeral port per listener): records every
 * request, answers through `handle`, and can be scripted to fail the next requests
 * (`failNext`) or to commit a request and hold its response until released (`holdNext`,
 * for crash tests). A client that disconnects mid-request never breaks the fake.
 */
export abstract class RecordingFake {
  readonly requests: RecordedRequest[] = [];
  private readonly servers: Server[] = [];
  private readonly urls = new Map<string, string>();
  private failures: { matcher?: Matcher; response: ScriptedResponse }[] = [];
  private holds: PendingHold[] = [];

  protected abstract handle(req: RecordedRequest): FakeResponse | Promise<FakeResponse>;

  /** Starts one listener per host name ("api", "content"). */
  protected async listen(hosts: string[]): Promise<void> {
    for (const host of hosts) {
      const server = createServer((req, res) => void this.serve(host, req, res));
      server.on('clientError', (_err, socket) => socket.destroy());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.servers.push(server);
      this.urls.set(host, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  }

  protected urlOf(host: string): string {
    const url = this.urls.get(host);
    if (!url) throw new Error(`no listener for ${host}`);
    return url;
  }

  /** The next `n` requests (matching `matcher`, when given) get `response` instead; they are recorded, nothing else happens. */
  failNext(n: number, response: ScriptedResponse, matcher?: Matcher): void {
    for (let i = 0; i < n; i++) this.failures.push({ matcher, response });
  }

  /** The next request matching `matcher` takes effect, then its response waits for `release()`. */
  holdNext(matcher: Matcher): HeldResponse {
    let resolveArrived!: (req: RecordedRequest) => void;
    let release!: () => void;
    let resolveGone!: () => void;
    const arrived = new Promise<RecordedRequest>((r) => (resolveArrived = r));
    const released = new Promise<void>((r) => (release = r));
    const clientGone = new Promise<void>((r) => (resolveGone = r));
    this.holds.push({ matcher, resolveArrived, released, resolveGone });
    return { arrived, release, clientGone };
  }

  /** Requests to `path` (and `method`, when given). */
  requestsTo(path: string | RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => matches(path, r) && (!method || r.method === method));
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Forgets scripted failures and holds that did not happen. */
  resetScripts(): void {
    this.failures = [];
    this.holds = [];
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }

  private async serve(host: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
    });
    let body: Buffer;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    } catch {
      return; // the client went away mid-request: nothing was committed
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body, host };
    this.requests.push(recorded);

    let answer: FakeResponse;
    const failure = this.failures.findIndex((f) => matches(f.matcher, recorded));
    if (failure >= 0) {
      answer = this.failures.splice(failure, 1)[0].response;
    } else {
      try {
        answer = await this.handle(recorded);
      } catch (err) {
        answer = { status: 500, body: { message: `fake failed: ${(err as Error).message}` } };
      }
    }

    const held = this.holds.findIndex((h) => matches(h.matcher, recorded));
    if (held >= 0) {
      const hold = this.holds.splice(held, 1)[0];
      res.on('close', () => {
        if (!res.writableFinished) hold.resolveGone();
      });
      hold.resolveArrived(recorded);
      await hold.released;
    }
    if (gone || res.destroyed) return;
    const out =
      answer.body === undefined
        ? undefined
        : Buffer.isBuffer(answer.body) || typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body);
    const responseHeaders: Record<string, string> = { ...(answer.headers ?? {}) };
    if (out !== undefined && !Object.keys(responseHeaders).some((k) => k.toLowerCase() === 'content-type')) {
      responseHeaders['content-type'] =
        typeof answer.body === 'object' && !Buffer.isBuffer(answer.body) ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
    }
    res.writeHead(answer.status, responseHeaders);
    res.end(out);
  }
}
