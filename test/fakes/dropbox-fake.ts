import { createHash, randomBytes } from 'node:crypto';
import { RecordingFake, type FakeResponse, type RecordedRequest } from './fake-server';

export type { HeldResponse, RecordedRequest, ScriptedResponse } from './fake-server';

/** Dropbox's content_hash, written out on a whole buffer (independent of the connector's hasher). */
export function contentHashOf(data: Buffer): string {
  const block = 4 * 1024 * 1024;
  const digests: Buffer[] = [];
  for (let at = 0; at < data.length; at += block)
    digests.push(
      createHash('sha256')
        .update(data.subarray(at, at + block))
        .digest(),
    );
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
}

export interface FakeDropboxFile {
  name: string;
  id: string;
  path_lower: string;
  path_display: string;
  rev: string;
  size: number;
  content_hash: string;
  client_modified: string;
  server_modified: string;
  bytes: Buffer;
}

interface Session {
  id: string;
  data: Buffer[];
  length: number;
  closed: boolean;
}

export interface DropboxFakeOptions {
  token: string;
  email?: string;
  displayName?: string;
  /** Largest body /2/files/upload (and one session call) takes; Dropbox's is 150 MiB. */
  maxRequestBytes?: number;
}

const RPC_ENDPOINTS = new Set([
  '/2/files/get_metadata',
  '/2/sharing/create_shared_link_with_settings',
  '/2/sharing/list_shared_links',
  '/2/users/get_current_account',
]);
const CONTENT_ENDPOINTS = new Set([
  '/2/files/upload',
  '/2/files/upload_session/start',
  '/2/files/upload_session/append_v2',
  '/2/files/upload_session/finish',
]);

/** A Dropbox error answer: `error_summary` is the tag path with Dropbox's trailing "/…" uniquifier. */
function dbxError(status: number, summary: string, error: unknown, headers?: Record<string, string>): FakeResponse {
  return { status, body: { error_summary: summary, error }, headers };
}

const pathNotFound = (summaryPrefix: string, wrapped: (inner: unknown) => unknown) =>
  dbxError(409, `${summaryPrefix}not_found/..`, wrapped({ '.tag': 'not_found' }));

/**
 * Dropbox's API v2 as documented, on two listeners like Dropbox's two hosts: RPC
 * (api.dropboxapi.com: JSON bodies) and content (content.dropboxapi.com: the argument in
 * Dropbox-API-Arg, ASCII only, the bytes as an application/octet-stream body). Files,
 * upload sessions (offsets checked), metadata, shared links and the current account, with
 * Dropbox's errors: 400 plain text for a malformed call, 401 invalid_access_token, 409 with
 * an endpoint-specific `error` union, content_hash_mismatch when a given hash is wrong.
 */
export class DropboxFake extends RecordingFake {
  readonly files = new Map<string, FakeDropboxFile>();
  readonly links = new Map<string, { url: string; path_lower: string; name: string; id: string }>();
  readonly sessions = new Map<string, Session>();
  private readonly options: Required<DropboxFakeOptions>;
  private revision = 0x100;

  private constructor(options: DropboxFakeOptions) {
    super();
    this.options = { email: 'franz@example.com', displayName: 'Franz Ferdinand', maxRequestBytes: 150 * 1024 * 1024, ...options };
  }

  static async start(options: DropboxFakeOptions): Promise<DropboxFake> {
    const fake = new DropboxFake(options);
    await fake.listen(['api', 'content']);
    return fake;
  }

  get apiUrl(): string {
    return this.urlOf('api');
  }

  get contentUrl(): string {
    return this.urlOf('content');
  }

  /** Forgets requests, scripts, files, links and sessions. */
  reset(): void {
    this.clearRequests();
    this.resetScripts();
    this.files.clear();
    this.links.clear();
    this.sessions.clear();
  }

  file(path: string): FakeDropboxFile | undefined {
    return this.files.get(path.toLowerCase());
  }

  /** Stores a file as if uploaded earlier. */
  putFile(path: string, bytes: Buffer): FakeDropboxFile {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const name = path.slice(path.lastIndexOf('/') + 1);
    const existing = this.file(path);
    const stored: FakeDropboxFile = {
      name,
      id: existing?.id ?? `id:${randomBytes(8).toString('base64url')}`,
      path_lower: path.toLowerCase(),
      path_display: path,
      rev: (this.revision++).toString(16).padStart(9, '0') + '0123456789a',
      size: bytes.length,
      content_hash: contentHashOf(bytes),
      client_modified: now,
      server_modified: now,
      bytes,
    };
    this.files.set(stored.path_lower, stored);
    return stored;
  }

  protected handle(req: RecordedRequest): FakeResponse {
    const rpc = RPC_ENDPOINTS.has(req.path);
    const content = CONTENT_ENDPOINTS.has(req.path);
    if ((!rpc && !content) || req.method !== 'POST')
      return { status: 404, body: 'Unknown API function', headers: { 'content-type': 'text/plain' } };
    if ((rpc && req.host !== 'api') || (content && req.host !== 'content')) {
      return this.badRequest(`Request to the wrong host: ${req.path} is served by ${rpc ? 'api' : 'content'}.dropboxapi.com`);
    }
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth)
      return this.badRequest(
        'Error in call to API function "' +
          req.path.slice(3) +
          '": Must provide HTTP header "Authorization" or URL parameter "authorization".',
      );
    if (auth[1] !== this.options.token) return dbxError(401, 'invalid_access_token/', { '.tag': 'invalid_access_token' });

    let arg: Record<string, unknown>;
    if (content) {
      const raw = req.headers['dropbox-api-arg'];
      if (raw === undefined)
        return this.badRequest(`Error in call to API function "${req.path.slice(3)}": Missing Dropbox-API-Arg header.`);
      if (/[^\x20-\x7e]/.test(raw))
        return this.badRequest('Error in call to API function: Dropbox-API-Arg header must be ASCII (escape other characters as \\uXXXX).');
      if ((req.headers['content-type'] ?? '') !== 'application/octet-stream') {
        return this.badRequest(
          `Error in call to API function "${req.path.slice(3)}": Bad HTTP "Content-Type" header: "${req.headers['content-type'] ?? ''}".  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".`,
        );
      }
      if (req.body.length > this.options.maxRequestBytes) return dbxError(409, 'payload_too_large/..', { '.tag': 'payload_too_large' });
      try {
        arg = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return this.badRequest('Error in call to API function: could not decode input as JSON');
      }
    } else {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return this.badRequest(
          `Error in call to API function "${req.path.slice(3)}": Bad HTTP "Content-Type" header: "${req.headers['content-type'] ?? ''}".  Expecting one of "application/json".`,
        );
      }
      try {
        arg = JSON.parse(req.body.toString('utf8') || 'null') as Record<string, unknown>;
      } catch {
        return this.badRequest('Error in call to API function: could not decode input as JSON');
      }
    }

    switch (req.path) {
      case '/2/users/get_current_account':
        if (arg !== null)
          return this.badRequest('Error in call to API function "users/get_current_account": request body: expected null, got value');
        return { status: 200, body: this.account() };
      case '/2/files/get_metadata':
        return this.getMetadata(arg);
      case '/2/sharing/create_shared_link_with_settings':
        return this.createSharedLink(arg);
      case '/2/sharing/list_shared_links':
        return this.listSharedLinks(arg);
      case '/2/files/upload':
        return this.upload(arg, req.body);
      case '/2/files/upload_session/start':
        return this.sessionStart(arg, req.body);
      case '/2/files/upload_session/append_v2':
        return this.sessionAppend(arg, req.body);
      default:
        return this.sessionFinish(arg, req.body);
    }
  }

  private badRequest(text: string): FakeResponse {
    return { status: 400, body: text, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  }

  private account(): Record<string, unknown> {
    const [given, ...rest] = this.options.displayName.split(' ');
    return {
      account_id: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc',
      name: {
        given_name: given,
        surname: rest.join(' '),
        familiar_name: given,
        display_name: this.options.displayName,
        abbreviated_name: 'FF',
      },
      email: this.options.email,
      email_verified: true,
      disabled: false,
      country: 'US',
      locale: 'en',
      account_type: { '.tag': 'basic' },
      root_info: { '.tag': 'user', root_namespace_id: '3235641', home_namespace_id: '3235641' },
    };
  }

  private metadata(f: FakeDropboxFile): Record<string, unknown> {
    const { bytes: _bytes, ...rest } = f;
    return { '.tag': 'file', ...rest, is_downloadable: true };
  }

  private validPath(path: unknown): path is string {
    return typeof path === 'string' && /^\/./.test(path) && !path.endsWith('/') && !path.includes('//');
  }

  private getMetadata(arg: Record<string, unknown>): FakeResponse {
    if (!this.validPath(arg.path)) return dbxError(409, 'path/malformed_path/..', { '.tag': 'path', path: { '.tag': 'malformed_path' } });
    const f = this.file(arg.path);
    if (!f) return pathNotFound('path/', (inner) => ({ '.tag': 'path', path: inner }));
    return { status: 200, body: this.metadata(f) };
  }

  /** Writes `bytes` at commit.path as Dropbox's WriteMode says; an error answer or the file. */
  private commit(commit: Record<string, unknown>, bytes: Buffer, summaryPrefix: string, wrap: (inner: unknown) => unknown): FakeResponse {
    if (!this.validPath(commit.path)) return dbxError(409, `${summaryPrefix}malformed_path/..`, wrap({ '.tag': 'malformed_path' }));
    const mode = typeof commit.mode === 'object' && commit.mode ? (commit.mode as Record<string, unknown>)['.tag'] : (commit.mode ?? 'add');
    if (mode !== 'add' && mode !== 'overwrite')
      return this.badRequest(`Error in call to API function: unknown WriteMode "${String(mode)}"`);
    let path = commit.path;
    const existing = this.file(path);
    if (existing && mode === 'add' && existing.content_hash !== contentHashOf(bytes)) {
      if (commit.autorename !== true)
        return dbxError(409, `${summaryPrefix}conflict/file/..`, wrap({ '.tag': 'conflict', conflict: { '.tag': 'file' } }));
      const dot = path.lastIndexOf('.');
      const [stem, ext] = dot > path.lastIndexOf('/') ? [path.slice(0, dot), path.slice(dot)] : [path, ''];
      for (let n = 1; this.file(path); n++) path = `${stem} (${n})${ext}`;
    } else if (existing && mode === 'add') {
      return { status: 200, body: this.metadata(existing) }; // the same content: nothing changes
    }
    const stored = this.putFile(path, bytes);
    const { '.tag': _tag, ...metadata } = this.metadata(stored);
    return { status: 200, body: metadata };
  }

  private hashMismatch(arg: Record<string, unknown>, data: Buffer): boolean {
    return typeof arg.content_hash === 'string' && arg.content_hash !== contentHashOf(data);
  }

  private upload(arg: Record<string, unknown>, body: Buffer): FakeResponse {
    if (this.hashMismatch(arg, body)) return dbxError(409, 'content_hash_mismatch/..', { '.tag': 'content_hash_mismatch' });
    return this.commit(arg, body, 'path/', (inner) => ({ '.tag': 'path', reason: inner, upload_session_id: 'pid_upload_session:ABC' }));
  }

  private sessionStart(arg: Record<string, unknown>, body: Buffer): FakeResponse {
    if (this.hashMismatch(arg, body)) return dbxError(409, 'content_hash_mismatch/..', { '.tag': 'content_hash_mismatch' });
    const session: Session = {
      id: `pid_upload_session:${randomBytes(12).toString('base64url')}`,
      data: [body],
      length: body.length,
      closed: arg.close === true,
    };
    this.sessions.set(session.id, session);
    return { status: 200, body: { session_id: session.id } };
  }

  /** The session of a cursor, or the lookup error Dropbox answers (not_found, incorrect_offset, closed). */
  private lookup(cursor: unknown, summaryPrefix: string, wrap: (inner: unknown) => unknown): Session | FakeResponse {
    const c = (cursor ?? {}) as { session_id?: unknown; offset?: unknown };
    const session = typeof c.session_id === 'string' ? this.sessions.get(c.session_id) : undefined;
    if (!session) return dbxError(409, `${summaryPrefix}not_found/..`, wrap({ '.tag': 'not_found' }));
    if (c.offset !== session.length) {
      return dbxError(409, `${summaryPrefix}incorrect_offset/..`, wrap({ '.tag': 'incorrect_offset', correct_offset: session.length }));
    }
    if (session.closed) return dbxError(409, `${summaryPrefix}closed/..`, wrap({ '.tag': 'closed' }));
    return session;
  }

  private sessionAppend(arg: Record<string, unknown>, body: Buffer): FakeResponse {
    const found = this.lookup(arg.cursor, '', (inner) => inner);
    if (!('id' in found)) return found;
    if (this.hashMismatch(arg, body)) return dbxError(409, 'content_hash_mismatch/..', { '.tag': 'content_hash_mismatch' });
    found.data.push(body);
    found.length += body.length;
    if (arg.close === true) found.closed = true;
    return { status: 200, body: null, headers: { 'content-type': 'application/json' } };
  }

  private sessionFinish(arg: Record<string, unknown>, body: Buffer): FakeResponse {
    const found = this.lookup(arg.cursor, 'lookup_failed/', (inner) => ({ '.tag': 'lookup_failed', lookup_failed: inner }));
    if (!('id' in found)) return found;
    if (this.hashMismatch(arg, body)) return dbxError(409, 'content_hash_mismatch/..', { '.tag': 'content_hash_mismatch' });
    const commit = (arg.commit ?? {}) as Record<string, unknown>;
    const bytes = Buffer.concat([...found.data, body]);
    const answer = this.commit(commit, bytes, 'path/', (inner) => ({ '.tag': 'path', path: inner }));
    if (answer.status === 200) this.sessions.delete(found.id);
    return answer;
  }

  private createSharedLink(arg: Record<string, unknown>): FakeResponse {
    const f =
      typeof arg.path === 'string'
        ? arg.path.startsWith('id:')
          ? [...this.files.values()].find((x) => x.id === arg.path)
          : this.file(arg.path)
        : undefined;
    if (!f) return pathNotFound('path/', (inner) => ({ '.tag': 'path', path: inner }));
    if (this.links.has(f.path_lower)) return dbxError(409, 'shared_link_already_exists/..', { '.tag': 'shared_link_already_exists' });
    const link = {
      url: `https://www.dropbox.com/scl/fi/${randomBytes(9).toString('base64url')}/${encodeURIComponent(f.name)}?rlkey=${randomBytes(6).toString('hex')}&dl=0`,
      path_lower: f.path_lower,
      name: f.name,
      id: f.id,
    };
    this.links.set(f.path_lower, link);
    return { status: 200, body: this.linkJson(link) };
  }

  private listSharedLinks(arg: Record<string, unknown>): FakeResponse {
    const path = typeof arg.path === 'string' ? arg.path.toLowerCase() : undefined;
    const links = [...this.links.values()].filter((l) => !path || l.path_lower === path);
    return { status: 200, body: { links: links.map((l) => this.linkJson(l)), has_more: false } };
  }

  private linkJson(link: { url: string; path_lower: string; name: string; id: string }): Record<string, unknown> {
    return {
      '.tag': 'file',
      url: link.url,
      name: link.name,
      path_lower: link.path_lower,
      id: link.id,
      link_permissions: { can_revoke: true, resolved_visibility: { '.tag': 'public' } },
    };
  }
}
