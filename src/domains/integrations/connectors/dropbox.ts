import type { Readable } from 'node:stream';
import type { HttpResult } from '@/platform/http/outbound/safe-http';
import {
  httpProviderError,
  networkProviderError,
  ProviderError,
  type ActionContext,
  type ActionFile,
  type ConnectorDefinition,
  type FileRef,
  type TestContext,
} from './connector';
import { DropboxContentHasher, dropboxContentHash } from './dropbox-content-hash';
import { FILE_PARAM } from './files';

const PROVIDER = 'Dropbox';
const MIB = 1024 * 1024;
const TEMPLATE = '\\{\\{[^}]+\\}\\}';
/** A Dropbox path ("/…"), or a template rendered when the step runs. */
const DROPBOX_PATH = `^(/.*|.*${TEMPLATE}.*)$`;
/** A shared link can name a path, or a file id ("id:…") such as upload_file's output `id`. */
const SHAREABLE_PATH = `^(/.*|id:.+|.*${TEMPLATE}.*)$`;

export interface DropboxUploadLimits {
  /** Files up to this many bytes go in one /2/files/upload call; larger ones through an upload session. */
  singleUploadMaxBytes: number;
  /** Bytes sent per upload-session call (held in memory while sent); a multiple of 4 MiB for Dropbox. */
  sessionChunkBytes: number;
}

/**
 * Dropbox's limits: /2/files/upload takes at most 150 MB ("do not use this to upload a file
 * larger than 150 MB"), upload sessions want chunks in multiples of 4 MiB. 8 MiB chunks keep
 * one upload's memory small and the number of calls reasonable (a 1 GB file: 120 calls).
 */
export const DROPBOX_UPLOAD_LIMITS: DropboxUploadLimits = { singleUploadMaxBytes: 150 * MIB, sessionChunkBytes: 8 * MIB };

/**
 * An upload call's timeout grows with its body: the provider request timeout plus the
 * time to send the bytes at this rate, so a 150 MB single upload is not cut off at 30 s.
 */
const MIN_UPLOAD_BYTES_PER_SECOND = MIB;

type Ctx = Pick<ActionContext, 'config' | 'signal' | 'transport'>;

/**
 * The Dropbox-API-Arg header: the JSON argument of a content endpoint. HTTP headers carry
 * ASCII only, so Dropbox wants every character beyond it as a JSON escape (\uXXXX, UTF-16
 * code units; DEL too, which header values may not hold).
 */
export function dropboxApiArg(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function token(ctx: Ctx, what: string): string {
  const value = typeof ctx.config.access_token === 'string' ? ctx.config.access_token : '';
  if (!value) throw new ProviderError(PROVIDER, 'auth', `${PROVIDER} ${what}: the integration has no access_token`);
  return value;
}

const trimUrl = (url: string) => url.replace(/\/+$/, '');

/**
 * One Dropbox call through the SSRF-guarded client; the answer whatever its status (the
 * caller decides what a 409 means), a network failure as a retryable ProviderError.
 */
async function send(
  ctx: Ctx,
  what: string,
  call: { host: 'api' | 'content'; path: string; arg?: unknown; body?: unknown; json?: boolean; bytes?: number },
): Promise<HttpResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${token(ctx, what)}` };
  const base = call.host === 'api' ? ctx.transport.endpoints.dropboxApiUrl : ctx.transport.endpoints.dropboxContentUrl;
  let body = call.body;
  if (call.host === 'content') {
    // content endpoints: the argument in a header, the bytes as the body
    headers['dropbox-api-arg'] = dropboxApiArg(call.arg ?? {});
    headers['content-type'] = 'application/octet-stream';
    body ??= Buffer.alloc(0);
  } else {
    // RPC endpoints: a JSON body; one without an argument takes the JSON `null`
    headers['content-type'] = 'application/json';
    body = call.body === undefined ? 'null' : JSON.stringify(call.body);
  }
  const timeoutMs = ctx.transport.timeoutMs + Math.ceil(((call.bytes ?? 0) / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
  try {
    return await ctx.transport.http.call({
      method: 'POST',
      url: `${trimUrl(base)}${call.path}`,
      headers,
      body,
      timeoutMs,
      signal: ctx.signal,
    });
  } catch (err) {
    throw networkProviderError(PROVIDER, err, what, ctx.signal);
  }
}

/** The answer's body, or its ProviderError: 401/403 auth, 429/5xx retry (Retry-After), 409 (the endpoint's error) and other 4xx fail. */
function ok(res: HttpResult, what: string): Record<string, unknown> {
  if (res.status >= 400) throw httpProviderError(PROVIDER, res, what);
  return res.body && typeof res.body === 'object' ? (res.body as Record<string, unknown>) : {};
}

/** The `.tag` of a Dropbox 409 error: the endpoint-specific reason ("shared_link_already_exists", "path"). */
function errorTag(res: HttpResult): { tag?: string; summary: string } {
  const body = res.body && typeof res.body === 'object' ? (res.body as Record<string, unknown>) : {};
  const error = body.error && typeof body.error === 'object' ? (body.error as Record<string, unknown>) : {};
  return {
    tag: typeof error['.tag'] === 'string' ? error['.tag'] : undefined,
    summary: typeof body.error_summary === 'string' ? body.error_summary : '',
  };
}

/** "/a//b/" → "/a/b"; the root stays "/". */
function normalise(path: string): string {
  const collapsed = `/${path}`.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return collapsed || '/';
}

const joinPath = (...parts: string[]) => normalise(parts.filter((p) => p !== '').join('/'));

/** A file name as one path segment (Dropbox paths separate with "/"). */
const safeName = (name: string) => name.replace(/[/\\]/g, '_').trim() || 'floyo.bin';

/**
 * Where upload_file writes: `path` as given (a trailing "/" names a folder: the file's
 * name is appended), else the integration's folder_path, then `folder`, then the name.
 */
function targetPath(params: Record<string, unknown>, config: Record<string, unknown>, fileName: string): string {
  const name = safeName(fileName);
  if (typeof params.path === 'string' && params.path) {
    if (!params.path.startsWith('/')) throw new ProviderError(PROVIDER, 'fail', `path must start with "/", not "${params.path}"`);
    return params.path.endsWith('/') ? joinPath(params.path, name) : normalise(params.path);
  }
  const root = typeof config.folder_path === 'string' && config.folder_path.trim() ? config.folder_path.trim() : '/';
  const folder = typeof params.folder === 'string' ? params.folder : '';
  return joinPath(root, folder, name);
}

interface FileMetadata {
  path_display: unknown;
  id: unknown;
  size: unknown;
  content_hash: unknown;
  rev: unknown;
}

const output = (m: Record<string, unknown>): FileMetadata => ({
  path_display: m.path_display,
  id: m.id,
  size: m.size,
  content_hash: m.content_hash,
  rev: m.rev,
});

/** Buffers of exactly `size` bytes from `stream`, the last one shorter (none for an empty stream). */
async function* chunked(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const raw of stream) {
    let data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
    while (data.length) {
      const take = Math.min(size - held, data.length);
      parts.push(data.subarray(0, take));
      held += take;
      data = data.subarray(take);
      if (held === size) {
        yield Buffer.concat(parts, held);
        parts = [];
        held = 0;
      }
    }
  }
  if (held) yield Buffer.concat(parts, held);
}

const hashOf = (chunk: Buffer) => new DropboxContentHasher().update(chunk).digest();

/**
 * An upload session: the first chunk starts it, the middle ones are appended at their
 * offsets, the last one finishes it and commits the file. Each call carries the content
 * hash of its own bytes and the finish the commit, so Dropbox refuses a corrupted chunk.
 */
async function uploadInSession(
  ctx: Ctx,
  file: ActionFile,
  limits: DropboxUploadLimits,
  commit: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const chunks = chunked(await file.open(), limits.sessionChunkBytes);
  try {
    const first = (await chunks.next()).value ?? Buffer.alloc(0);
    const started = ok(
      await send(ctx, 'upload_file (upload_session/start)', {
        host: 'content',
        path: '/2/files/upload_session/start',
        arg: { close: false, content_hash: hashOf(first) },
        body: first,
        bytes: first.length,
      }),
      'upload_file (upload_session/start)',
    );
    const sessionId = started.session_id;
    if (typeof sessionId !== 'string' || !sessionId) {
      throw new ProviderError(PROVIDER, 'retry', `${PROVIDER} upload_file: upload_session/start answered no session_id`);
    }
    let offset = first.length;
    let current: Buffer | undefined = (await chunks.next()).value ?? undefined;
    for (;;) {
      const following: Buffer | undefined = current ? ((await chunks.next()).value ?? undefined) : undefined;
      if (!current || !following) break;
      ok(
        await send(ctx, 'upload_file (upload_session/append_v2)', {
          host: 'content',
          path: '/2/files/upload_session/append_v2',
          arg: { cursor: { session_id: sessionId, offset }, close: false, content_hash: hashOf(current) },
          body: current,
          bytes: current.length,
        }),
        'upload_file (upload_session/append_v2)',
      );
      offset += current.length;
      current = following;
    }
    const last = current ?? Buffer.alloc(0);
    return ok(
      await send(ctx, 'upload_file (upload_session/finish)', {
        host: 'content',
        path: '/2/files/upload_session/finish',
        arg: { cursor: { session_id: sessionId, offset }, commit, content_hash: hashOf(last) },
        body: last,
        bytes: last.length,
      }),
      'upload_file (upload_session/finish)',
    );
  } finally {
    // stop reading the file when a call failed midway
    await chunks.return(undefined);
  }
}

/** The file at `path`, or null when Dropbox has nothing there (409 path/not_found). */
async function metadataAt(ctx: Ctx, path: string): Promise<Record<string, unknown> | null> {
  const res = await send(ctx, 'upload_file (get_metadata)', { host: 'api', path: '/2/files/get_metadata', body: { path } });
  if (res.status === 409 && errorTag(res).summary.startsWith('path/not_found')) return null;
  return ok(res, 'upload_file (get_metadata)');
}

/**
 * Dropbox through its HTTP API v2 with an access token: uploads into the integration's
 * folder_path, shared links. The RPC host takes JSON bodies, the content host the bytes
 * with the argument in Dropbox-API-Arg. `limits` are Dropbox's (tests use small ones to
 * exercise upload sessions).
 */
export function dropboxConnector(limits: DropboxUploadLimits = DROPBOX_UPLOAD_LIMITS): ConnectorDefinition {
  if (!(limits.sessionChunkBytes > 0) || !(limits.singleUploadMaxBytes >= 0)) throw new Error('Dropbox upload limits must be positive');
  return {
    type: 'dropbox',
    provider: PROVIDER,
    // an upload session needs its id to go on; get_metadata (a resumed step only) finds nothing
    dryRunAnswer: (request) => {
      if (request.url.endsWith('/2/files/upload_session/start')) return { body: { session_id: 'dry-run-session' } };
      if (request.url.endsWith('/2/files/get_metadata')) return { status: 409, body: { error_summary: 'path/not_found/' } };
      return undefined;
    },
    actions: {
      upload_file: {
        description: "Upload a file into the integration's Dropbox folder (files over 150 MB through an upload session)",
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['file'],
          properties: {
            file: FILE_PARAM,
            path: {
              type: 'string',
              minLength: 1,
              maxLength: 4096,
              pattern: DROPBOX_PATH,
              description:
                'Full Dropbox path to write ("/Reports/q1.csv"; ending in "/" for a folder); default: folder_path/folder/the file\'s name',
            },
            folder: {
              type: 'string',
              maxLength: 1024,
              description: "A subfolder of the integration's folder_path to write into (instead of path)",
            },
            mode: {
              type: 'string',
              enum: ['add', 'overwrite'],
              default: 'overwrite',
              description: 'When a file exists at the path: overwrite it, or add (keep it)',
            },
            autorename: {
              type: 'boolean',
              default: false,
              description: 'On a conflict (mode add), let Dropbox rename the new file ("name (1).csv") instead of failing',
            },
          },
        },
        check(params) {
          return params.path !== undefined && params.folder !== undefined
            ? [{ field: 'folder', msg: 'give path (a full Dropbox path) or folder (under folder_path), not both' }]
            : [];
        },
        async run(ctx) {
          const { params, config } = ctx;
          if (params.path !== undefined && params.folder !== undefined) {
            throw new ProviderError(PROVIDER, 'fail', 'upload_file: give path or folder, not both');
          }
          const file = await ctx.files.open(params.file as FileRef);
          const path = targetPath(params, config, file.name);
          // a first read for what decides the upload: the exact size and Dropbox's content hash
          const { contentHash, size } = await dropboxContentHash(await file.open());
          if (ctx.resumed) {
            const existing = await metadataAt(ctx, path);
            if (existing && existing.content_hash === contentHash) return { ...output(existing), reconciled: true };
          }
          const commit = {
            path,
            mode: params.mode === 'add' ? 'add' : 'overwrite',
            autorename: params.autorename === true,
            mute: false,
            strict_conflict: false,
          };
          let uploaded: Record<string, unknown>;
          if (size <= limits.singleUploadMaxBytes) {
            uploaded = ok(
              await send(ctx, 'upload_file', {
                host: 'content',
                path: '/2/files/upload',
                arg: { ...commit, content_hash: contentHash },
                body: await file.open(),
                bytes: size,
              }),
              'upload_file',
            );
          } else {
            uploaded = await uploadInSession(ctx, file, limits, commit);
          }
          return output(uploaded);
        },
      },

      create_shared_link: {
        description: 'Share a file or folder by link (the existing link when it is shared already)',
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['path'],
          properties: {
            path: {
              type: 'string',
              minLength: 1,
              maxLength: 4096,
              pattern: SHAREABLE_PATH,
              description: 'Dropbox path ("/Reports/q1.csv") or file id ("id:…"), e.g. {{steps.upload.output.path_display}}',
            },
          },
        },
        async run(ctx) {
          const raw = String(ctx.params.path);
          const path = raw.startsWith('/') ? normalise(raw) : raw;
          const what = 'create_shared_link';
          const res = await send(ctx, what, {
            host: 'api',
            path: '/2/sharing/create_shared_link_with_settings',
            body: { path, settings: {} },
          });
          if (res.status !== 409 || errorTag(res).tag !== 'shared_link_already_exists') {
            const link = ok(res, what);
            return { url: link.url, path };
          }
          // shared before (by an interrupted attempt, or by hand): that link
          const listed = ok(
            await send(ctx, `${what} (list_shared_links)`, {
              host: 'api',
              path: '/2/sharing/list_shared_links',
              body: { path, direct_only: true },
            }),
            `${what} (list_shared_links)`,
          );
          const links = Array.isArray(listed.links) ? (listed.links as Record<string, unknown>[]) : [];
          const link = links.find((l) => typeof l.url === 'string');
          if (!link)
            throw new ProviderError(PROVIDER, 'fail', `${PROVIDER} ${what}: Dropbox says ${path} is shared, but lists no link for it`);
          return { url: link.url, path, existing: true };
        },
      },
    },

    async test(ctx: TestContext) {
      const account = ok(await send(ctx, 'test', { host: 'api', path: '/2/users/get_current_account' }), 'test');
      const name = account.name && typeof account.name === 'object' ? (account.name as Record<string, unknown>).display_name : undefined;
      const who = [account.email, name].find((v) => typeof v === 'string' && v) ?? account.account_id ?? 'an unnamed account';
      return `authenticated as ${String(who)}`;
    },
  };
}

export const dropbox: ConnectorDefinition = dropboxConnector();
