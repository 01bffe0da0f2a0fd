import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpMethod, HttpResult } from '@/platform/http/outbound/safe-http';
import type { ActionContext, ActionFile, ConnectorDefinition, FileRef, RecordedHttpRequest, TestContext } from './connector';
import { networkProviderError, ProviderError, providerMessage, retryAfterMs } from './connector';
import { FILE_PARAM, readAll } from './files';
import { forgetGoogleToken, googleAccessToken, googleCredentials, googleIdentity, type GoogleCredentials } from './google-auth';

const PROVIDER = 'Google Drive';
const FOLDER_MIME = 'application/vnd.google-apps.folder';
/** Resumable uploads move in multiples of this (Drive API: "chunk size … a multiple of 256 KB"). */
const CHUNK_UNIT = 256 * 1024;
const FILE_FIELDS = 'id,name,mimeType,webViewLink,size';
const KEY_PROPERTY = 'floyo_key';
/** appProperties: key + value at most 124 bytes (UTF-8). */
const MAX_KEY_VALUE_BYTES = 124 - KEY_PROPERTY.length;

/**
 * Upload tuning. Files up to `multipartMaxBytes` go in one multipart request (held in memory);
 * larger ones, and any of unknown size, in a resumable session of `chunkBytes` chunks (a
 * multiple of 256 KiB; Google suggests at least 8 MiB). A chunk that fails (5xx, a dropped
 * connection) is resumed from what Drive acknowledged, up to `chunkRetries` times in a row,
 * `resumeBackoffMs` doubling between tries. Mutable for tests.
 */
export const driveUploads = {
  multipartMaxBytes: 5 * 1024 * 1024,
  chunkBytes: 32 * CHUNK_UNIT,
  chunkRetries: 3,
  resumeBackoffMs: 500,
};

const ID = { type: 'string', minLength: 1, maxLength: 255, pattern: '^([A-Za-z0-9_-]+|.*\\{\\{[^}]+\\}\\}.*)$' };
const NAME = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[^/\\\\\\u0000]+$',
  description: 'Name of the file or folder in Drive',
};

interface DriveFile {
  id: string;
  name: string;
  mimeType?: string;
  webViewLink?: string;
  size?: string;
}

interface DriveCall {
  method: HttpMethod;
  /** A path under the Drive base URL, or an absolute URL (a resumable session). */
  url: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Which folder a 404 is about: named in the message instead of Drive's "File not found". */
interface Subject {
  folderId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** A Drive query string literal (single quotes; `'` and `\` escaped). */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The idempotency key as stored in appProperties: as it is when it fits, else its SHA-256. */
function floyoKey(idempotencyKey: string): string {
  return Buffer.byteLength(idempotencyKey) <= MAX_KEY_VALUE_BYTES
    ? idempotencyKey
    : createHash('sha256').update(idempotencyKey).digest('hex');
}

/** A header value without line breaks (a content type from an upload's metadata). */
const headerValue = (value: string, fallback: string) => (value && !/[\r\n]/.test(value) ? value : fallback);

/**
 * One integration's Drive API v3 client: bearer tokens from google-auth.ts, every call through
 * the SSRF-guarded HTTP client, `supportsAllDrives=true` on all of them. A 401 is retried
 * once with a fresh token (the cached one may have been revoked).
 */
class Drive {
  readonly creds: GoogleCredentials;
  private readonly base: string;
  private readonly origin: string;

  constructor(
    private readonly ctx: Pick<ActionContext, 'transport' | 'signal'>,
    config: Record<string, unknown>,
  ) {
    this.creds = googleCredentials(config, PROVIDER, ctx.transport.endpoints.googleOAuthTokenUrl);
    this.base = ctx.transport.endpoints.googleDriveUrl.replace(/\/+$/, '');
    this.origin = new URL(this.base).origin;
  }

  get identity(): string {
    return googleIdentity(this.creds);
  }

  token(): Promise<string> {
    return googleAccessToken(this.ctx, this.creds, PROVIDER);
  }

  /** One call; an answer of 400 or more becomes a ProviderError (see driveError). */
  async send(what: string, call: DriveCall, subject: Subject = {}): Promise<HttpResult> {
    const absolute = /^https?:\/\//.test(call.url);
    const url = new URL(absolute ? call.url : `${this.base}${call.url}`);
    // a session URI is used as Drive gave it; API paths always get supportsAllDrives=true
    if (!absolute) for (const [k, v] of Object.entries({ supportsAllDrives: 'true', ...call.query })) url.searchParams.set(k, v);
    // a session URI elsewhere than Drive's own origin does not get the bearer token
    const withToken = url.origin === this.origin;
    for (let attempt = 0; ; attempt++) {
      const token = withToken ? await googleAccessToken(this.ctx, this.creds, PROVIDER, attempt > 0) : null;
      let res: HttpResult;
      try {
        res = await this.ctx.transport.http.call({
          method: call.method,
          url: url.toString(),
          headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...call.headers },
          body: call.body,
          timeoutMs: this.ctx.transport.timeoutMs,
          signal: this.ctx.signal,
        });
      } catch (err) {
        throw networkProviderError(PROVIDER, err, what, this.ctx.signal);
      }
      if (res.status === 401 && token && attempt === 0) {
        forgetGoogleToken(this.creds, token);
        continue;
      }
      if (res.status >= 400) throw driveError(res, what, subject, this.identity);
      return res;
    }
  }

  async list(what: string, q: string, pageSize: number, subject: Subject = {}): Promise<DriveFile[]> {
    const res = await this.send(
      what,
      {
        method: 'GET',
        url: '/drive/v3/files',
        query: { q, pageSize: String(pageSize), fields: `files(${FILE_FIELDS})`, includeItemsFromAllDrives: 'true', corpora: 'allDrives' },
      },
      subject,
    );
    const files = (res.body as { files?: DriveFile[] } | null)?.files;
    return Array.isArray(files) ? files : [];
  }

  /** The live file or folder an earlier attempt of this step made (tagged with its key), if any. */
  async findByKey(what: string, key: string): Promise<DriveFile | null> {
    const q = `appProperties has { key=${literal(KEY_PROPERTY)} and value=${literal(key)} } and trashed=false`;
    return (await this.list(what, q, 1))[0] ?? null;
  }

  /** The folder `name` directly under `parent`: found, else created. */
  async subfolder(what: string, parent: string, name: string): Promise<string> {
    const q = `name = ${literal(name)} and ${literal(parent)} in parents and mimeType = ${literal(FOLDER_MIME)} and trashed = false`;
    const found = (await this.list(what, q, 1, { folderId: parent }))[0];
    if (found) return found.id;
    return (await this.createMetadata(what, { name, mimeType: FOLDER_MIME, parents: [parent] }, { folderId: parent })).id;
  }

  /** files.create without content (a folder). */
  async createMetadata(what: string, metadata: Record<string, unknown>, subject: Subject): Promise<DriveFile> {
    const res = await this.send(
      what,
      {
        method: 'POST',
        url: '/drive/v3/files',
        query: { fields: FILE_FIELDS },
        body: JSON.stringify(metadata),
        headers: { 'content-type': 'application/json; charset=UTF-8' },
      },
      subject,
    );
    return asFile(res, what);
  }

  /** uploadType=multipart: one multipart/related request, the JSON metadata then the bytes. */
  async uploadMultipart(what: string, metadata: Record<string, unknown>, file: ActionFile, subject: Subject): Promise<DriveFile> {
    const content = await readAll(file, driveUploads.multipartMaxBytes);
    const boundary = `floyo-${randomBytes(16).toString('hex')}`;
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n` +
          `--${boundary}\r\nContent-Type: ${headerValue(file.contentType, 'application/octet-stream')}\r\n\r\n`,
      ),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await this.send(
      what,
      {
        method: 'POST',
        url: '/upload/drive/v3/files',
        query: { uploadType: 'multipart', fields: FILE_FIELDS },
        headers: { 'content-type': `multipart/related; boundary=${boundary}` },
        body,
      },
      subject,
    );
    return asFile(res, what);
  }

  /**
   * uploadType=resumable: a POST of the metadata opens a session (its URI in Location), then
   * PUTs of `chunkBytes` with Content-Range. Drive answers 308 Resume Incomplete with the
   * bytes it holds (`Range: bytes=0-N`) until the last chunk, then 200/201 with the file.
   * A chunk that fails (5xx, dropped connection) is followed by a status query
   * (`Content-Range: bytes *\/total`) and the upload resumes from what Drive acknowledged.
   */
  async uploadResumable(what: string, metadata: Record<string, unknown>, file: ActionFile, subject: Subject): Promise<DriveFile> {
    const chunkBytes = Math.max(CHUNK_UNIT, Math.floor(driveUploads.chunkBytes / CHUNK_UNIT) * CHUNK_UNIT);
    const contentType = headerValue(file.contentType, 'application/octet-stream');
    const started = await this.send(
      what,
      {
        method: 'POST',
        url: '/upload/drive/v3/files',
        query: { uploadType: 'resumable', fields: FILE_FIELDS },
        headers: {
          'content-type': 'application/json; charset=UTF-8',
          'x-upload-content-type': contentType,
          ...(file.size !== null ? { 'x-upload-content-length': String(file.size) } : {}),
        },
        body: JSON.stringify(metadata),
      },
      subject,
    );
    const location = started.headers.location;
    if (!location) throw new ProviderError(PROVIDER, 'retry', `${PROVIDER} ${what}: Drive opened no upload session (no Location header)`);
    const session = new URL(location, this.base).toString();

    const chunks = new FileChunks(file);
    try {
      let offset = 0;
      let failures = 0;
      for (;;) {
        const want = file.size !== null ? Math.max(0, Math.min(chunkBytes, file.size - offset)) : chunkBytes;
        const data = await chunks.read(offset, want);
        const total = file.size ?? (data.length < chunkBytes ? offset + data.length : null);
        if (file.size !== null && data.length < want) {
          throw new ProviderError(
            PROVIDER,
            'fail',
            `${PROVIDER} ${what}: ${file.name} ended after ${offset + data.length} of its ${file.size} bytes`,
          );
        }
        const range = data.length ? `bytes ${offset}-${offset + data.length - 1}/${total ?? '*'}` : `bytes */${total ?? offset}`;
        let res: HttpResult;
        try {
          res = await this.send(`${what} (chunk at byte ${offset})`, {
            method: 'PUT',
            url: session,
            headers: { 'content-range': range },
            body: data,
          });
          failures = 0;
        } catch (err) {
          // what did Drive keep? Ask the session (again, while that fails too), then go on from there
          let failure = err;
          for (;;) {
            if (!(failure instanceof ProviderError) || failure.kind !== 'retry' || ++failures > driveUploads.chunkRetries)
              throw sessionGone(failure, what);
            await sleep(failure.retryAfterMs ?? driveUploads.resumeBackoffMs * 2 ** (failures - 1), undefined, { signal: this.ctx.signal });
            try {
              res = await this.statusQuery(what, session, total);
              break;
            } catch (e) {
              failure = e;
            }
          }
        }
        if (res.status === 200 || res.status === 201) return asFile(res, what);
        if (res.status !== 308)
          throw new ProviderError(
            PROVIDER,
            'retry',
            `${PROVIDER} ${what}: unexpected HTTP ${res.status} from the upload session`,
            undefined,
            res.status,
          );
        offset = acknowledged(res.headers.range);
      }
    } finally {
      chunks.close();
    }
  }

  /** Where an interrupted session stands: 308 with the bytes Drive holds, or 200/201 when it completed. */
  private statusQuery(what: string, session: string, total: number | null): Promise<HttpResult> {
    return this.send(`${what} (status of the upload session)`, {
      method: 'PUT',
      url: session,
      headers: { 'content-range': `bytes */${total ?? '*'}` },
      body: '',
    });
  }
}

/** `Range: bytes=0-N` of a 308: the next byte to send (0 when Drive holds nothing). */
function acknowledged(range: string | undefined): number {
  const m = /bytes=0-(\d+)/.exec(range ?? '');
  return m ? Number(m[1]) + 1 : 0;
}

/** A 404/410 from a session URI: the session expired; the whole upload has to start again. */
function sessionGone(err: unknown, what: string): unknown {
  if (err instanceof ProviderError && (err.status === 404 || err.status === 410)) {
    return new ProviderError(
      PROVIDER,
      'retry',
      `${PROVIDER} ${what}: the upload session expired (HTTP ${err.status}); the upload starts again`,
      undefined,
      err.status,
    );
  }
  return err;
}

function asFile(res: HttpResult, what: string): DriveFile {
  const file = res.body as DriveFile | null;
  if (!file || typeof file !== 'object' || typeof file.id !== 'string') {
    throw new ProviderError(PROVIDER, 'retry', `${PROVIDER} ${what}: HTTP ${res.status} without a file resource`, undefined, res.status);
  }
  return file;
}

function fileOutput(file: DriveFile): Record<string, unknown> {
  const out: Record<string, unknown> = { id: file.id, name: file.name };
  if (file.webViewLink) out.web_view_link = file.webViewLink;
  if (file.size !== undefined && file.size !== null && Number.isFinite(Number(file.size))) out.size = Number(file.size);
  return out;
}

/**
 * Drive's refusals (`{"error": {"code", "message", "errors": [{"reason"}]}}`): 401 → auth;
 * 403 rateLimitExceeded / userRateLimitExceeded → retry, any other 403 (no access,
 * quota, …) → auth; 404 of a folder → fail naming it; 429/5xx → retry (Retry-After);
 * other 4xx → fail.
 */
function driveError(res: HttpResult, what: string, subject: Subject, identity: string): ProviderError {
  const error = (res.body as { error?: { errors?: { reason?: unknown }[] } } | null)?.error;
  const reasons = Array.isArray(error?.errors) ? error.errors.map((e) => e?.reason).filter((r): r is string => typeof r === 'string') : [];
  const detail = `${providerMessage(res.body)}${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
  const message = `${PROVIDER} ${what}: HTTP ${res.status}: ${detail}`;
  const retryAfter = retryAfterMs(res.headers['retry-after']);
  if (res.status === 401) return new ProviderError(PROVIDER, 'auth', message, undefined, 401);
  if (res.status === 403) {
    if (reasons.some((r) => r === 'rateLimitExceeded' || r === 'userRateLimitExceeded'))
      return new ProviderError(PROVIDER, 'retry', message, retryAfter, 403);
    return new ProviderError(PROVIDER, 'auth', message, undefined, 403);
  }
  if (res.status === 404 && subject.folderId) {
    return new ProviderError(
      PROVIDER,
      'fail',
      `${PROVIDER} ${what}: folder ${subject.folderId} not found, or not shared with ${identity} (HTTP 404: ${detail})`,
      undefined,
      404,
    );
  }
  if (res.status === 429 || res.status >= 500) return new ProviderError(PROVIDER, 'retry', message, retryAfter, res.status);
  return new ProviderError(PROVIDER, 'fail', message, undefined, res.status);
}

/**
 * Reads a file's bytes by offset for a resumable upload: forward from the open stream, or
 * from a reopened one when Drive asks for bytes already passed.
 */
class FileChunks {
  private iterator: AsyncIterator<unknown> | null = null;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  /** File offset of the first buffered byte. */
  private position = 0;
  private ended = false;

  constructor(private readonly file: ActionFile) {}

  async read(offset: number, size: number): Promise<Buffer> {
    if (!this.iterator || offset < this.position) await this.reopen();
    await this.fill(offset - this.position + size);
    this.drop(Math.min(offset - this.position, this.bufferedBytes));
    if (this.position < offset) return Buffer.alloc(0);
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    this.buffered = [all];
    return all.subarray(0, Math.min(size, all.length));
  }

  close(): void {
    void this.iterator?.return?.().catch(() => undefined);
    this.iterator = null;
  }

  private async reopen(): Promise<void> {
    this.close();
    this.iterator = (await this.file.open())[Symbol.asyncIterator]();
    this.buffered = [];
    this.bufferedBytes = 0;
    this.position = 0;
    this.ended = false;
  }

  private async fill(bytes: number): Promise<void> {
    while (this.bufferedBytes < bytes && !this.ended) {
      const next = await this.iterator!.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
      this.buffered.push(chunk);
      this.bufferedBytes += chunk.length;
    }
  }

  private drop(bytes: number): void {
    if (bytes <= 0) return;
    const all = Buffer.concat(this.buffered);
    this.buffered = [all.subarray(bytes)];
    this.bufferedBytes -= bytes;
    this.position += bytes;
  }
}

/**
 * Dry runs: what Drive (and the token endpoint) would answer, so the action goes on to the
 * requests it makes: a token, a session URI, every chunk taken, no existing file or folder.
 */
function dryRunAnswer(request: RecordedHttpRequest): Partial<Pick<HttpResult, 'status' | 'headers' | 'body'>> | undefined {
  if (request.headers['content-type'] === 'application/x-www-form-urlencoded') {
    return { body: { access_token: 'dry-run', expires_in: 3600, token_type: 'Bearer' } };
  }
  const url = new URL(request.url);
  if (url.searchParams.get('uploadType') === 'resumable' && !url.searchParams.has('upload_id')) {
    url.searchParams.set('upload_id', 'dry-run');
    return { headers: { location: url.toString() } };
  }
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(request.headers['content-range'] ?? '');
  if (range && range[3] !== String(Number(range[2]) + 1)) return { status: 308, headers: { range: `bytes=0-${range[2]}` } };
  if (request.method === 'GET') return { body: { files: [] } };
  const name = request.body && typeof request.body === 'object' ? (request.body as { name?: unknown }).name : undefined;
  return { body: { id: 'dry-run', name: typeof name === 'string' ? name : 'dry-run' } };
}

/**
 * Google Drive (API v3) with a service account's key (`credentials_json`, the legacy config)
 * or an OAuth client with a refresh token. Files and folders an action creates carry
 * `appProperties.floyo_key` = the step's idempotency key: a resumed step finds what its
 * interrupted attempt made instead of making it twice.
 */
export const googleDrive: ConnectorDefinition = {
  type: 'googledrive',
  provider: PROVIDER,
  dryRunAnswer,
  actions: {
    upload_file: {
      description:
        "Upload a file to a Drive folder (the integration's folder_id unless given; optionally into a subfolder, made if missing)",
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['file'],
        properties: {
          file: FILE_PARAM,
          folder_id: { ...ID, description: "Folder to upload into (default: the integration's folder_id, else My Drive)" },
          subfolder: { ...NAME, description: 'A folder of this name inside folder_id (found, or created)' },
          name: { ...NAME, description: "File name in Drive (default: the source's)" },
        },
      },
      async run(ctx) {
        const { params, config } = ctx;
        const drive = new Drive(ctx, config);
        const what = 'upload_file';
        const key = floyoKey(ctx.idempotencyKey);
        if (ctx.resumed) {
          const done = await drive.findByKey(what, key);
          if (done) return fileOutput(done);
        }
        const file = await ctx.files.open(params.file as FileRef);
        const folderId = str(params.folder_id) ?? str(config.folder_id) ?? 'root';
        const subfolder = str(params.subfolder);
        const parent = subfolder ? await drive.subfolder(what, folderId, subfolder) : folderId;
        const metadata = { name: str(params.name) ?? file.name, parents: [parent], appProperties: { [KEY_PROPERTY]: key } };
        const subject = { folderId: subfolder ? `${folderId}/${subfolder}` : folderId };
        const uploaded =
          file.size !== null && file.size <= driveUploads.multipartMaxBytes
            ? await drive.uploadMultipart(what, metadata, file, subject)
            : await drive.uploadResumable(what, metadata, file, subject);
        return fileOutput(uploaded);
      },
    },
    create_folder: {
      description: "Create a folder (inside parent_id, default the integration's folder_id, else My Drive)",
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: NAME,
          parent_id: { ...ID, description: "Parent folder (default: the integration's folder_id, else My Drive)" },
        },
      },
      async run(ctx) {
        const { params, config } = ctx;
        const drive = new Drive(ctx, config);
        const what = 'create_folder';
        const key = floyoKey(ctx.idempotencyKey);
        if (ctx.resumed) {
          const done = await drive.findByKey(what, key);
          if (done) return { id: done.id, name: done.name };
        }
        const parent = str(params.parent_id) ?? str(config.folder_id) ?? 'root';
        const folder = await drive.createMetadata(
          what,
          { name: String(params.name), mimeType: FOLDER_MIME, parents: [parent], appProperties: { [KEY_PROPERTY]: key } },
          { folderId: parent },
        );
        return { id: folder.id, name: folder.name };
      },
    },
  },
  async test(ctx: TestContext) {
    const drive = new Drive(ctx, ctx.config);
    await drive.token();
    const folderId = str(ctx.config.folder_id) ?? 'root';
    await drive.list('test', `${literal(folderId)} in parents`, 1, { folderId });
    return `authenticated as ${drive.identity}; folder ${folderId} is readable`;
  },
};
