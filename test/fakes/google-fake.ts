import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Google: the OAuth 2.0 token endpoint (`/token`: the JWT-bearer grant of RFC 7523
 * with the RS256 signature checked against the service account's public key, and the
 * refresh_token grant) and the parts of Drive API v3 the connector uses — files.list (the
 * `q` forms below), files.create (metadata only), multipart uploads (multipart/related),
 * resumable sessions (Location, 308 Resume Incomplete with Range, status queries) — with
 * Google's error bodies. Every request is recorded; failures can be scripted (`failNext`).
 *
 * `q` understands conjunctions (`and`) of: `'<id>' in parents`, `name = '<n>'`,
 * `mimeType = '<m>'`, `trashed = false`, `appProperties has { key='<k>' and value='<v>' }`.
 */

export const FOLDER_MIME = 'application/vnd.google-apps.folder';
const CHUNK_UNIT = 256 * 1024;

export interface FakeFile {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  appProperties: Record<string, string>;
  content: Buffer;
  trashed: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** What the fake answered. */
  status?: number;
}

export interface RequestMatch {
  method?: string;
  /** The path exactly, or a pattern. */
  path?: string | RegExp;
  /** Query parameters that must have these values. */
  query?: Record<string, string>;
}

export interface ScriptedFailure {
  status?: number;
  /** A Google error body is made from `message` and `reason` unless `body` is given. */
  message?: string;
  reason?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the connection instead of answering (a dropped connection). */
  drop?: boolean;
  /** For a chunk PUT of a resumable session: keep this many of its bytes before failing. */
  keepBytes?: number;
}

export interface GoogleFakeOptions {
  /** Service accounts the token endpoint knows: client_email → public key (PEM or KeyObject). */
  serviceAccounts?: Record<string, string | KeyObject>;
  /** OAuth clients and the refresh token each may use. */
  oauthClients?: { clientId: string; clientSecret: string; refreshToken: string }[];
  /** Seconds an access token lives (expires_in). */
  tokenLifetimeS?: number;
  /** The scope a token request must ask for. */
  scope?: string;
}

interface Session {
  metadata: Record<string, unknown>;
  contentType: string;
  declaredLength: number | null;
  received: Buffer[];
  receivedBytes: number;
  file: FakeFile | null;
}

interface Script {
  match: RequestMatch;
  failure: ScriptedFailure;
  times: number;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Google's JSON error body: `{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}`. */
export function googleError(status: number, message: string, reason: string): unknown {
  return { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: STATUS_NAMES[status] ?? 'UNKNOWN' } };
}

export class GoogleFake {
  readonly requests: RecordedRequest[] = [];
  readonly files = new Map<string, FakeFile>();
  /** Access tokens the fake issued and still honours. */
  readonly liveTokens = new Set<string>();
  base = '';
  private server: http.Server | null = null;
  private readonly sessions = new Map<string, Session>();
  private readonly scripts: Script[] = [];
  private readonly shortAcks: number[] = [];
  private readonly publicKeys = new Map<string, KeyObject>();
  private counter = 0;

  constructor(private readonly options: GoogleFakeOptions = {}) {
    for (const [email, key] of Object.entries(options.serviceAccounts ?? {})) {
      this.publicKeys.set(email, typeof key === 'string' ? createPublicKey(key) : key);
    }
  }

  /** The token endpoint: what a service-account key's `token_uri` should be. */
  get tokenUri(): string {
    return `${this.base}/token`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const record: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        this.requests.push(record);
        try {
          this.handle(record, req, res);
        } catch (err) {
          this.json(res, record, 500, googleError(500, `fake: ${(err as Error).message}`, 'backendError'));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A folder (under My Drive unless a parent is given); its id. */
  addFolder(name: string, parent = 'root', appProperties: Record<string, string> = {}): string {
    return this.create({ name, mimeType: FOLDER_MIME, parents: [parent], appProperties }, Buffer.alloc(0)).id;
  }

  addFile(name: string, content: Buffer | string, parent = 'root', appProperties: Record<string, string> = {}): FakeFile {
    return this.create({ name, mimeType: 'text/plain', parents: [parent], appProperties }, Buffer.from(content));
  }

  /** The next `times` requests matching `match` fail as scripted. */
  failNext(match: RequestMatch, failure: ScriptedFailure, times = 1): void {
    this.scripts.push({ match, failure, times });
  }

  /** The next chunk PUT keeps only `bytes` of its chunk and answers 308 with that (a short acknowledgement). */
  acknowledgeShortNext(bytes: number): void {
    this.shortAcks.push(bytes);
  }

  /** Every issued access token stops working (revoked or expired). */
  revokeTokens(): void {
    this.liveTokens.clear();
  }

  tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/token');
  }

  driveRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path !== '/token');
  }

  /** Files (not folders) with this name. */
  filesNamed(name: string): FakeFile[] {
    return [...this.files.values()].filter((f) => f.name === name);
  }

  private handle(r: RecordedRequest, req: IncomingMessage, res: ServerResponse): void {
    const script = this.scripts.find((s) => s.times > 0 && matches(s.match, r));
    if (script) {
      script.times--;
      const f = script.failure;
      if (f.keepBytes !== undefined) this.keepChunkPrefix(r, f.keepBytes);
      if (f.drop) {
        r.status = 0;
        req.socket.destroy();
        return;
      }
      const status = f.status ?? 500;
      return this.json(
        res,
        r,
        status,
        f.body ?? googleError(status, f.message ?? 'scripted failure', f.reason ?? 'backendError'),
        f.headers,
      );
    }
    if (r.path === '/token' && r.method === 'POST') return this.token(r, res);

    const token = /^Bearer (.+)$/.exec(String(r.headers.authorization ?? ''))?.[1];
    const sessionPut = r.method === 'PUT' && r.path === '/upload/drive/v3/files' && r.query.upload_id;
    if (!sessionPut && (!token || !this.liveTokens.has(token))) {
      return this.json(
        res,
        r,
        401,
        googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'authError'),
        {
          'www-authenticate': 'Bearer realm="https://accounts.google.com/"',
        },
      );
    }
    if (r.path === '/drive/v3/files' && r.method === 'GET') return this.list(r, res);
    if (r.path === '/drive/v3/files' && r.method === 'POST') return this.createMetadata(r, res);
    if (r.path === '/upload/drive/v3/files' && r.method === 'POST') {
      if (r.query.uploadType === 'multipart') return this.multipart(r, res);
      if (r.query.uploadType === 'resumable') return this.startSession(r, res);
      return this.json(res, r, 400, googleError(400, `Invalid value for uploadType: ${r.query.uploadType}`, 'invalid'));
    }
    if (sessionPut) return this.sessionPut(r, res);
    return this.json(res, r, 404, googleError(404, `Not Found: ${r.method} ${r.path}`, 'notFound'));
  }

  // --- OAuth 2.0 token endpoint

  private token(r: RecordedRequest, res: ServerResponse): void {
    const form = new URLSearchParams(r.body.toString('utf8'));
    const refuse = (status: number, error: string, description: string) =>
      this.json(res, r, status, { error, error_description: description });
    if (!String(r.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return refuse(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const grant = form.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const problem = this.checkAssertion(form.get('assertion') ?? '');
      if (problem) return refuse(400, problem.error, problem.description);
    } else if (grant === 'refresh_token') {
      const client = (this.options.oauthClients ?? []).find((c) => c.clientId === form.get('client_id'));
      if (!client || client.clientSecret !== form.get('client_secret')) return refuse(401, 'invalid_client', 'Unauthorized');
      if (client.refreshToken !== form.get('refresh_token')) return refuse(400, 'invalid_grant', 'Token has been expired or revoked.');
    } else {
      return refuse(400, 'unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`);
    }
    const accessToken = `ya29.fake-${++this.counter}-${randomBytes(6).toString('hex')}`;
    this.liveTokens.add(accessToken);
    this.json(res, r, 200, { access_token: accessToken, expires_in: this.options.tokenLifetimeS ?? 3599, token_type: 'Bearer' });
  }

  /** Why the JWT assertion is refused (Google's words where known), or null. */
  private checkAssertion(assertion: string): { error: string; description: string } | null {
    const invalid = (description: string) => ({ error: 'invalid_grant', description });
    const parts = assertion.split('.');
    if (parts.length !== 3) return invalid('Invalid JWT: not three segments.');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return invalid('Invalid JWT: the header or the claim set is not JSON.');
    }
    if (header.alg !== 'RS256') return invalid(`Invalid JWT: alg must be RS256, not ${String(header.alg)}.`);
    const key = this.publicKeys.get(String(claims.iss));
    if (!key) return invalid('Invalid grant: account not found');
    const signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
    if (!signed) return invalid('Invalid JWT Signature.');
    if (claims.aud !== this.tokenUri) return invalid(`Invalid JWT: aud must be ${this.tokenUri}, not ${String(claims.aud)}.`);
    const scope = this.options.scope ?? 'https://www.googleapis.com/auth/drive';
    if (
      !String(claims.scope ?? '')
        .split(' ')
        .includes(scope)
    )
      return { error: 'invalid_scope', description: `Invalid OAuth scope: ${String(claims.scope)}` };
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!(exp > now) || !(iat <= now + 60) || !(exp - iat <= 3600)) {
      return invalid(
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    }
    return null;
  }

  // --- Drive v3

  private list(r: RecordedRequest, res: ServerResponse): void {
    let filters: ((f: FakeFile) => boolean)[];
    try {
      filters = parseQuery(r.query.q ?? '', (id) => {
        if (id !== 'root' && !this.files.has(id)) throw new NotFound(id);
      });
    } catch (err) {
      if (err instanceof NotFound) return this.json(res, r, 404, googleError(404, `File not found: ${err.id}.`, 'notFound'));
      return this.json(res, r, 400, googleError(400, `Invalid Value: ${(err as Error).message}`, 'invalid'));
    }
    const pageSize = Number(r.query.pageSize ?? 100);
    const found = [...this.files.values()].filter((f) => filters.every((keep) => keep(f))).slice(0, pageSize);
    this.json(res, r, 200, { kind: 'drive#fileList', incompleteSearch: false, files: found.map((f) => resource(f)) });
  }

  private createMetadata(r: RecordedRequest, res: ServerResponse): void {
    const metadata = JSON.parse(r.body.toString('utf8') || '{}') as Record<string, unknown>;
    const missing = this.missingParent(metadata);
    if (missing) return this.json(res, r, 404, googleError(404, `File not found: ${missing}.`, 'notFound'));
    this.json(res, r, 200, resource(this.create(metadata, Buffer.alloc(0))));
  }

  private multipart(r: RecordedRequest, res: ServerResponse): void {
    const boundary = /boundary=("?)([^";]+)\1/.exec(String(r.headers['content-type'] ?? ''))?.[2];
    if (!String(r.headers['content-type']).startsWith('multipart/related') || !boundary) {
      return this.json(res, r, 400, googleError(400, 'Media type must be multipart/related', 'badContent'));
    }
    let parts: { headers: Record<string, string>; body: Buffer }[];
    try {
      parts = parseMultipart(r.body, boundary);
    } catch (err) {
      return this.json(res, r, 400, googleError(400, `Malformed multipart body: ${(err as Error).message}`, 'badContent'));
    }
    if (parts.length !== 2 || !parts[0].headers['content-type']?.startsWith('application/json')) {
      return this.json(res, r, 400, googleError(400, 'Expected two parts: JSON metadata, then the media', 'badContent'));
    }
    const metadata = JSON.parse(parts[0].body.toString('utf8')) as Record<string, unknown>;
    const missing = this.missingParent(metadata);
    if (missing) return this.json(res, r, 404, googleError(404, `File not found: ${missing}.`, 'notFound'));
    const file = this.create({ mimeType: parts[1].headers['content-type'], ...metadata }, parts[1].body);
    this.json(res, r, 200, resource(file));
  }

  private startSession(r: RecordedRequest, res: ServerResponse): void {
    const metadata = JSON.parse(r.body.toString('utf8') || '{}') as Record<string, unknown>;
    const missing = this.missingParent(metadata);
    if (missing) return this.json(res, r, 404, googleError(404, `File not found: ${missing}.`, 'notFound'));
    const id = `session-${++this.counter}`;
    const length = r.headers['x-upload-content-length'];
    this.sessions.set(id, {
      metadata,
      contentType: String(r.headers['x-upload-content-type'] ?? 'application/octet-stream'),
      declaredLength: length === undefined ? null : Number(length),
      received: [],
      receivedBytes: 0,
      file: null,
    });
    const location = new URL(`${this.base}/upload/drive/v3/files`);
    for (const [k, v] of Object.entries(r.query)) location.searchParams.set(k, v);
    location.searchParams.set('upload_id', id);
    r.status = 200;
    res.writeHead(200, { location: location.toString(), 'content-length': '0' });
    res.end();
  }

  private sessionPut(r: RecordedRequest, res: ServerResponse): void {
    const session = this.sessions.get(r.query.upload_id);
    if (!session) return this.json(res, r, 404, googleError(404, 'Upload session not found or expired', 'notFound'));
    if (session.file) return this.json(res, r, 200, resource(session.file));
    const range = String(r.headers['content-range'] ?? '');
    const status = /^bytes \*\/(\d+|\*)$/.exec(range);
    const chunk = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(range);
    if (status) {
      if (r.body.length) return this.json(res, r, 400, googleError(400, 'A status query has no body', 'badRequest'));
      const total = status[1] === '*' ? null : Number(status[1]);
      if (total !== null && total === session.receivedBytes) return this.finish(session, r, res);
      return this.incomplete(session, r, res);
    }
    if (!chunk) return this.json(res, r, 400, googleError(400, `Invalid Content-Range: ${range}`, 'badRequest'));
    const [first, last] = [Number(chunk[1]), Number(chunk[2])];
    const total = chunk[3] === '*' ? null : Number(chunk[3]);
    if (last - first + 1 !== r.body.length)
      return this.json(res, r, 400, googleError(400, 'Content-Range does not match the body length', 'badRequest'));
    if (first > session.receivedBytes) {
      return this.json(
        res,
        r,
        400,
        googleError(400, `Chunk starts at ${first}, but only ${session.receivedBytes} bytes were received`, 'badRequest'),
      );
    }
    const isLast = total !== null && last + 1 === total;
    if (!isLast && r.body.length % CHUNK_UNIT !== 0) {
      return this.json(res, r, 400, googleError(400, 'Chunk size must be a multiple of 256 KiB except for the last chunk', 'badRequest'));
    }
    let fresh = r.body.subarray(session.receivedBytes - first);
    const short = this.shortAcks.shift();
    if (short !== undefined) fresh = fresh.subarray(0, short);
    session.received.push(fresh);
    session.receivedBytes += fresh.length;
    if (total !== null && session.receivedBytes === total) return this.finish(session, r, res);
    return this.incomplete(session, r, res);
  }

  /** For a scripted failure of a chunk PUT: the session keeps the first `bytes` of the chunk. */
  private keepChunkPrefix(r: RecordedRequest, bytes: number): void {
    const session = this.sessions.get(r.query.upload_id ?? '');
    const chunk = /^bytes (\d+)-(\d+)\//.exec(String(r.headers['content-range'] ?? ''));
    if (!session || !chunk || Number(chunk[1]) !== session.receivedBytes) return;
    const kept = r.body.subarray(0, bytes);
    session.received.push(kept);
    session.receivedBytes += kept.length;
  }

  private incomplete(session: Session, r: RecordedRequest, res: ServerResponse): void {
    r.status = 308;
    // 308 Resume Incomplete: no Location (it is not a redirect), Range when something was received
    res.writeHead(308, { ...(session.receivedBytes ? { range: `bytes=0-${session.receivedBytes - 1}` } : {}), 'content-length': '0' });
    res.end();
  }

  private finish(session: Session, r: RecordedRequest, res: ServerResponse): void {
    const content = Buffer.concat(session.received);
    if (session.declaredLength !== null && content.length !== session.declaredLength) {
      return this.json(
        res,
        r,
        400,
        googleError(400, `Received ${content.length} bytes, X-Upload-Content-Length said ${session.declaredLength}`, 'badRequest'),
      );
    }
    session.file = this.create({ mimeType: session.contentType, ...session.metadata }, content);
    this.json(res, r, 200, resource(session.file));
  }

  private missingParent(metadata: Record<string, unknown>): string | null {
    const parents = Array.isArray(metadata.parents) ? (metadata.parents as string[]) : [];
    return parents.find((p) => p !== 'root' && !this.files.has(p)) ?? null;
  }

  private create(metadata: Record<string, unknown>, content: Buffer): FakeFile {
    const id = `f${++this.counter}${randomBytes(4).toString('hex')}`;
    const file: FakeFile = {
      id,
      name: String(metadata.name ?? 'Untitled'),
      mimeType: String(metadata.mimeType ?? 'application/octet-stream'),
      parents: Array.isArray(metadata.parents) && metadata.parents.length ? (metadata.parents as string[]) : ['root'],
      appProperties: (metadata.appProperties as Record<string, string>) ?? {},
      content,
      trashed: false,
    };
    this.files.set(id, file);
    return file;
  }

  private json(res: ServerResponse, r: RecordedRequest, status: number, body: unknown, headers: Record<string, string> = {}): void {
    r.status = status;
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  }
}

class NotFound extends Error {
  constructor(readonly id: string) {
    super(`File not found: ${id}`);
  }
}

function matches(m: RequestMatch, r: RecordedRequest): boolean {
  if (m.method && m.method !== r.method) return false;
  if (typeof m.path === 'string' && m.path !== r.path) return false;
  if (m.path instanceof RegExp && !m.path.test(r.path)) return false;
  return Object.entries(m.query ?? {}).every(([k, v]) => r.query[k] === v);
}

function resource(f: FakeFile): Record<string, unknown> {
  const folder = f.mimeType === FOLDER_MIME;
  return {
    kind: 'drive#file',
    id: f.id,
    name: f.name,
    mimeType: f.mimeType,
    parents: f.parents,
    appProperties: f.appProperties,
    webViewLink: folder ? `https://drive.google.com/drive/folders/${f.id}` : `https://drive.google.com/file/d/${f.id}/view?usp=drivesdk`,
    ...(folder ? {} : { size: String(f.content.length) }),
  };
}

/** A Drive query string literal at `s[i]` (after the opening quote): its value and the index after it. */
function readLiteral(s: string, i: number): [string, number] {
  let out = '';
  for (; i < s.length; i++) {
    if (s[i] === '\\') out += s[++i];
    else if (s[i] === "'") return [out, i + 1];
    else out += s[i];
  }
  throw new Error('unterminated string');
}

/** The top-level ` and `-separated clauses (outside quotes and braces). */
function clauses(q: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < q.length; i++) {
    if (q[i] === "'") {
      i = readLiteral(q, i + 1)[1] - 1;
      continue;
    }
    if (q[i] === '{') depth++;
    if (q[i] === '}') depth--;
    if (depth === 0 && /^\s+and\s+/i.test(q.slice(i)) && /\s/.test(q[i])) {
      out.push(q.slice(start, i).trim());
      i += /^\s+and\s+/i.exec(q.slice(i))![0].length - 1;
      start = i + 1;
    }
  }
  out.push(q.slice(start).trim());
  return out.filter(Boolean);
}

function parseQuery(q: string, folderExists: (id: string) => void): ((f: FakeFile) => boolean)[] {
  return clauses(q).map((clause) => {
    let m: RegExpExecArray | null;
    if ((m = /^'((?:[^'\\]|\\.)*)'\s+in\s+parents$/.exec(clause))) {
      const id = readLiteral(clause, 1)[0];
      folderExists(id);
      return (f) => f.parents.includes(id);
    }
    if ((m = /^(name|mimeType)\s*(=|!=)\s*'/.exec(clause))) {
      const [value, end] = readLiteral(clause, m[0].length);
      if (clause.slice(end).trim()) throw new Error(`unexpected text after ${clause.slice(0, end)}`);
      const field = m[1] as 'name' | 'mimeType';
      return m[2] === '=' ? (f) => f[field] === value : (f) => f[field] !== value;
    }
    if ((m = /^trashed\s*=\s*(true|false)$/.exec(clause))) {
      const trashed = m[1] === 'true';
      return (f) => f.trashed === trashed;
    }
    if ((m = /^appProperties\s+has\s+\{\s*key\s*=\s*'/.exec(clause))) {
      const [key, afterKey] = readLiteral(clause, m[0].length);
      const rest = /^\s*and\s+value\s*=\s*'/.exec(clause.slice(afterKey));
      if (!rest) throw new Error(`appProperties has { key=… and value=… } expected: ${clause}`);
      const [value, afterValue] = readLiteral(clause, afterKey + rest[0].length);
      if (!/^\s*\}$/.test(clause.slice(afterValue))) throw new Error(`unexpected text in ${clause}`);
      return (f) => f.appProperties[key] === value;
    }
    throw new Error(`unsupported query clause: ${clause}`);
  });
}

/** The parts of a multipart body (RFC 2046): each part's headers (lower-case names) and bytes. */
export function parseMultipart(body: Buffer, boundary: string): { headers: Record<string, string>; body: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  if (at !== 0) throw new Error('the body does not start with the boundary');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return parts;
    if (body.subarray(at, at + 2).toString() !== '\r\n') throw new Error('a boundary line does not end with CRLF');
    at += 2;
    const end = body.indexOf(next, at);
    if (end < 0) throw new Error('no closing boundary');
    const part = body.subarray(at, end);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw new Error('a part without a header/body separator');
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, split).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: part.subarray(split + 4) });
    at = end + 2;
  }
}
