import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ProviderError,
  type ActionContext,
  type ActionFile,
  type FileOpener,
  type FileRef,
  type ProviderTransport,
} from '@/domains/integrations/connectors/connector';
import { DROPBOX_UPLOAD_LIMITS, dropbox, dropboxApiArg, dropboxConnector } from '@/domains/integrations/connectors/dropbox';
import { FILE_PARAM, OwnerFiles } from '@/domains/integrations/connectors/files';
import { SafeHttpClient } from '@/platform/http/outbound/safe-http';
import { SsrfPolicy } from '@/platform/http/outbound/ssrf-policy';
import { DropboxFake, contentHashOf, type RecordedRequest } from '../../fakes/dropbox-fake';
import { expectProviderError as expectFrom, rejection } from '../../helpers/provider-errors';

/**
 * The Dropbox connector against a fake that speaks Dropbox's API v2 on its two hosts (RPC
 * and content): the exact requests, the upload session (with small limits), the content-hash
 * reconciliation of a resumed step, and how Dropbox's refusals map to ProviderErrors.
 */
const TOKEN = 'sl.FAKE-dropbox-token-0123456789-SECRET';
const KIB = 1024;
const MIB = 1024 * KIB;
/** Small limits so that the upload session runs in the test: files over 1 MiB, in 256 KiB chunks. */
const SMALL = { singleUploadMaxBytes: MIB, sessionChunkBytes: 256 * KIB };
const small = dropboxConnector(SMALL);

let fake: DropboxFake;
let http: SafeHttpClient;
let transport: ProviderTransport;

/** Uploaded files in memory (the uploads themselves are covered elsewhere), text sources as OwnerFiles opens them. */
class MemoryFiles implements FileOpener {
  readonly files = new Map<string, { name: string; bytes: Buffer; size: number | null; changeOnReopen?: boolean }>();
  opens = 0;
  private readonly text = new OwnerFiles(null as never, 'user-1', 'Dropbox');

  add(eventId: string, name: string, bytes: Buffer, options: { sizeKnown?: boolean; changeOnReopen?: boolean } = {}): FileRef {
    this.files.set(eventId, {
      name,
      bytes,
      size: options.sizeKnown === false ? null : bytes.length,
      changeOnReopen: options.changeOnReopen,
    });
    return { event_id: eventId };
  }

  async open(ref: FileRef): Promise<ActionFile> {
    if ('text' in ref) return this.text.open(ref);
    const f = 'event_id' in ref ? this.files.get(ref.event_id) : undefined;
    if (!f) throw new ProviderError('Dropbox', 'fail', 'file not found');
    return {
      name: ref.name ?? f.name,
      contentType: 'application/octet-stream',
      size: f.size,
      open: () => {
        this.opens++;
        const bytes = f.changeOnReopen && this.opens > 1 ? Buffer.concat([f.bytes, Buffer.from('!')]) : f.bytes;
        // odd-sized chunks, as a disk or a socket gives them
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += 65_521) chunks.push(bytes.subarray(at, at + 65_521));
        return Promise.resolve(Readable.from(chunks));
      },
    };
  }
}

let files: MemoryFiles;

beforeAll(async () => {
  fake = await DropboxFake.start({ token: TOKEN });
  http = new SafeHttpClient(new SsrfPolicy(['127.0.0.1']), 1024 * 1024);
  transport = {
    http,
    timeoutMs: 5_000,
    endpoints: {
      githubApiUrl: 'https://api.github.com',
      dropboxApiUrl: fake.apiUrl,
      dropboxContentUrl: fake.contentUrl,
      googleDriveUrl: 'https://www.googleapis.com',
      googleOAuthTokenUrl: '',
    },
  };
});

afterAll(async () => {
  await http.close();
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  files = new MemoryFiles();
});

function ctx(params: Record<string, unknown>, overrides: Partial<ActionContext> = {}, config: Record<string, unknown> = {}): ActionContext {
  return {
    config: { access_token: TOKEN, folder_path: '/Reports', ...config },
    params,
    idempotencyKey: 'exec-1:step-1',
    resumed: false,
    signal: new AbortController().signal,
    transport,
    files,
    ...overrides,
  };
}

const upload = (c: ActionContext, connector = dropbox) => connector.actions.upload_file.run(c) as Promise<Record<string, unknown>>;
const share = (c: ActionContext) => dropbox.actions.create_shared_link.run(c) as Promise<Record<string, unknown>>;

const failure = async (promise: Promise<unknown>): Promise<ProviderError> =>
  expectFrom(await rejection(promise), 'Dropbox', { secrets: [TOKEN] });

const arg = (r: RecordedRequest) => JSON.parse(r.headers['dropbox-api-arg']) as Record<string, unknown>;
const calls = () => fake.requests.map((r) => `${r.host} ${r.path}`);

function expectContentCall(r: RecordedRequest): void {
  expect(r.host).toBe('content');
  expect(r.method).toBe('POST');
  expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(r.headers['content-type']).toBe('application/octet-stream');
  expect(r.headers['dropbox-api-arg']).toMatch(/^[\x20-\x7e]+$/);
}

function expectRpcCall(r: RecordedRequest, body: unknown): void {
  expect(r.host).toBe('api');
  expect(r.method).toBe('POST');
  expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(r.headers['content-type']).toBe('application/json');
  expect(JSON.parse(r.body.toString('utf8'))).toEqual(body);
}

describe('Dropbox connector: parameter schemas and the argument header', () => {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
  addFormats(ajv);

  it('declares closed draft-07 schemas with a description on every property; the file is FILE_PARAM', () => {
    expect(Object.keys(dropbox.actions).sort()).toEqual(['create_shared_link', 'upload_file']);
    for (const action of Object.values(dropbox.actions)) {
      expect(action.params.additionalProperties).toBe(false);
      expect(() => ajv.compile(action.params)).not.toThrow();
      for (const [name, prop] of Object.entries(action.params.properties as Record<string, { description?: string }>)) {
        expect([name, typeof prop.description]).toEqual([name, 'string']);
      }
    }
    expect((dropbox.actions.upload_file.params.properties as Record<string, unknown>).file).toBe(FILE_PARAM);
  });

  it('validates params, fills the defaults, tolerates templated paths', () => {
    const validate = ajv.compile(dropbox.actions.upload_file.params);
    const params: Record<string, unknown> = { file: { text: 'a' } };
    expect(validate(params)).toBe(true);
    expect(params).toEqual({ file: { text: 'a' }, mode: 'overwrite', autorename: false });
    expect(validate({ file: { text: 'a' }, path: '/x/y.txt', mode: 'add' })).toBe(true);
    expect(validate({ file: { text: 'a' }, path: '{{trigger.target}}' })).toBe(true);
    expect(validate({ file: { text: 'a' }, path: 'relative.txt' })).toBe(false);
    expect(validate({ file: { text: 'a' }, mode: 'update' })).toBe(false);
    expect(validate({ path: '/x' })).toBe(false);
    expect(dropbox.actions.upload_file.check?.({ file: { text: 'a' }, path: '/x', folder: 'y' }, {})).toEqual([
      { field: 'folder', msg: 'give path (a full Dropbox path) or folder (under folder_path), not both' },
    ]);
    const link = ajv.compile(dropbox.actions.create_shared_link.params);
    expect(link({ path: '/a.pdf' })).toBe(true);
    expect(link({ path: 'id:a4ayc_80_OEAAAAAAAAAXw' })).toBe(true);
    expect(link({ path: '{{steps.up.output.path_display}}' })).toBe(true);
    expect(link({})).toBe(false);
  });

  it('escapes everything beyond ASCII in Dropbox-API-Arg as \\uXXXX (UTF-16 units)', () => {
    expect(dropboxApiArg({ path: '/résumé ✓ 😀.txt' })).toBe('{"path":"/r\\u00e9sum\\u00e9 \\u2713 \\ud83d\\ude00.txt"}');
    expect(dropboxApiArg({ path: '/a\u007fb' })).toBe('{"path":"/a\\u007fb"}');
    expect(JSON.parse(dropboxApiArg({ path: '/résumé ✓ 😀.txt' }))).toEqual({ path: '/résumé ✓ 😀.txt' });
  });

  it('keeps Dropbox’s limits in production: 150 MiB single uploads, 4 MiB-multiple chunks', () => {
    expect(DROPBOX_UPLOAD_LIMITS.singleUploadMaxBytes).toBe(150 * MIB);
    expect(DROPBOX_UPLOAD_LIMITS.sessionChunkBytes % (4 * MIB)).toBe(0);
  });
});

describe('Dropbox connector: upload_file', () => {
  it('sends one POST content/2/files/upload: the documented headers, Dropbox-API-Arg and the bytes; returns the metadata', async () => {
    const text = 'id,total\n1,42\n';
    const out = await upload(ctx({ file: { text, name: 'totals.csv' }, mode: 'overwrite', autorename: false }));

    expect(calls()).toEqual(['content /2/files/upload']);
    const [req] = fake.requests;
    expectContentCall(req);
    const hash = contentHashOf(Buffer.from(text));
    expect(req.headers['dropbox-api-arg']).toBe(
      `{"path":"/Reports/totals.csv","mode":"overwrite","autorename":false,"mute":false,"strict_conflict":false,"content_hash":"${hash}"}`,
    );
    expect(req.body.toString('utf8')).toBe(text);
    const stored = fake.file('/Reports/totals.csv')!;
    expect(stored.bytes.toString('utf8')).toBe(text);
    expect(out).toEqual({ path_display: '/Reports/totals.csv', id: stored.id, size: text.length, content_hash: hash, rev: stored.rev });
  });

  it('writes non-ASCII names through the escaped header', async () => {
    const out = await upload(ctx({ file: { text: 'ü', name: 'résumé ✓ 😀.txt' } }));
    const [req] = fake.requests;
    expect(req.headers['dropbox-api-arg']).toContain('"path":"/Reports/r\\u00e9sum\\u00e9 \\u2713 \\ud83d\\ude00.txt"');
    expect(arg(req).path).toBe('/Reports/résumé ✓ 😀.txt');
    expect(out.path_display).toBe('/Reports/résumé ✓ 😀.txt');
    expect(fake.file('/Reports/résumé ✓ 😀.txt')?.bytes.toString('utf8')).toBe('ü');
  });

  it('places the file by path, by folder under folder_path, or at the root; mode add with autorename', async () => {
    await upload(ctx({ file: { text: 'a', name: 'a.txt' }, path: '/Other//exact.txt' }));
    await upload(ctx({ file: { text: 'b', name: 'b.txt' }, path: '/Other/' }));
    await upload(ctx({ file: { text: 'c', name: 'c.txt' }, folder: '2024/q1/' }));
    await upload(ctx({ file: { text: 'd', name: 'd.txt' } }, {}, { folder_path: '/' }));
    expect(fake.requests.map((r) => arg(r).path)).toEqual(['/Other/exact.txt', '/Other/b.txt', '/Reports/2024/q1/c.txt', '/d.txt']);

    const renamed = await upload(ctx({ file: { text: 'other', name: 'd.txt' }, mode: 'add', autorename: true }, {}, { folder_path: '/' }));
    expect(arg(fake.requests[4])).toMatchObject({ path: '/d.txt', mode: 'add', autorename: true });
    expect(renamed.path_display).toBe('/d (1).txt');
    expect(fake.file('/d.txt')?.bytes.toString()).toBe('d');
  });

  it('a file up to the threshold goes in one call, also when its size is unknown beforehand', async () => {
    const bytes = randomBytes(MIB);
    const out = await upload(ctx({ file: files.add('ev-1', 'exact.bin', bytes, { sizeKnown: false }) }), small);
    expect(calls()).toEqual(['content /2/files/upload']);
    expect(fake.requests[0].body.equals(bytes)).toBe(true);
    expect(out).toMatchObject({ size: MIB, content_hash: contentHashOf(bytes) });
  });

  it('a larger file goes through an upload session: start, append_v2 at each offset, finish with the commit', async () => {
    const bytes = randomBytes(MIB + 100_000);
    const out = await upload(ctx({ file: files.add('ev-2', 'big.bin', bytes), path: '/Big/big.bin', mode: 'add' }), small);

    expect(calls()).toEqual([
      'content /2/files/upload_session/start',
      'content /2/files/upload_session/append_v2',
      'content /2/files/upload_session/append_v2',
      'content /2/files/upload_session/append_v2',
      'content /2/files/upload_session/finish',
    ]);
    fake.requests.forEach(expectContentCall);
    const [start, a1, a2, a3, finish] = fake.requests;
    const chunk = SMALL.sessionChunkBytes;
    expect(arg(start)).toEqual({ close: false, content_hash: contentHashOf(bytes.subarray(0, chunk)) });
    expect(start.body.equals(bytes.subarray(0, chunk))).toBe(true);
    const sessionId = JSON.parse(JSON.stringify(arg(finish).cursor)).session_id as string;
    expect(sessionId).toMatch(/^pid_upload_session:/);
    [a1, a2, a3].forEach((r, i) => {
      const offset = chunk * (i + 1);
      expect(arg(r)).toEqual({
        cursor: { session_id: sessionId, offset },
        close: false,
        content_hash: contentHashOf(bytes.subarray(offset, offset + chunk)),
      });
      expect(r.body.equals(bytes.subarray(offset, offset + chunk))).toBe(true);
    });
    expect(arg(finish)).toEqual({
      cursor: { session_id: sessionId, offset: 4 * chunk },
      commit: { path: '/Big/big.bin', mode: 'add', autorename: false, mute: false, strict_conflict: false },
      content_hash: contentHashOf(bytes.subarray(4 * chunk)),
    });
    expect(finish.body.length).toBe(100_000);

    const stored = fake.file('/Big/big.bin')!;
    expect(stored.bytes.equals(bytes)).toBe(true);
    expect(out).toEqual({
      path_display: '/Big/big.bin',
      id: stored.id,
      size: bytes.length,
      content_hash: contentHashOf(bytes),
      rev: stored.rev,
    });
  });

  it('a session of whole chunks finishes with the last chunk (no empty finish)', async () => {
    const bytes = randomBytes(5 * SMALL.sessionChunkBytes);
    await upload(ctx({ file: files.add('ev-3', 'five.bin', bytes) }), small);
    expect(calls().map((c) => c.split('/').pop())).toEqual(['start', 'append_v2', 'append_v2', 'append_v2', 'finish']);
    expect(fake.requests[4].body.length).toBe(SMALL.sessionChunkBytes);
    expect(fake.file('/Reports/five.bin')?.bytes.equals(bytes)).toBe(true);
  });

  it('a session call Dropbox answers 503 → retry', async () => {
    fake.failNext(1, { status: 503, body: '' }, '/2/files/upload_session/append_v2');
    const e = await failure(upload(ctx({ file: files.add('ev-4', 'big.bin', randomBytes(2 * MIB)) }), small));
    expect(e.kind).toBe('retry');
    expect(e.message).toContain('upload_session/append_v2');
    expect(fake.file('/Reports/big.bin')).toBeUndefined();
  });

  it('on resume, the same content already at the path is returned without uploading', async () => {
    const bytes = Buffer.from('exported rows\n');
    const earlier = fake.putFile('/Reports/rows.csv', bytes);

    const out = await upload(
      ctx({ file: { text: bytes.toString(), name: 'rows.csv' } }, { resumed: true, resumedFrom: new Date().toISOString() }),
    );

    expect(calls()).toEqual(['api /2/files/get_metadata']);
    expectRpcCall(fake.requests[0], { path: '/Reports/rows.csv' });
    expect(out).toEqual({
      path_display: '/Reports/rows.csv',
      id: earlier.id,
      size: bytes.length,
      content_hash: earlier.content_hash,
      rev: earlier.rev,
      reconciled: true,
    });
  });

  it('on resume, other content at the path (or none) is uploaded', async () => {
    fake.putFile('/Reports/rows.csv', Buffer.from('old'));
    const resumed = { resumed: true, resumedFrom: new Date().toISOString() };
    const out = await upload(ctx({ file: { text: 'new', name: 'rows.csv' } }, resumed));
    expect(calls()).toEqual(['api /2/files/get_metadata', 'content /2/files/upload']);
    expect(out.content_hash).toBe(contentHashOf(Buffer.from('new')));

    fake.clearRequests();
    await upload(ctx({ file: { text: 'x', name: 'fresh.csv' } }, resumed));
    expect(calls()).toEqual(['api /2/files/get_metadata', 'content /2/files/upload']);
    expect(fake.file('/Reports/fresh.csv')?.bytes.toString()).toBe('x');
  });

  it('an upload cut off after Dropbox stored the file (client gone before the answer) is not repeated on resume', async () => {
    const hold = fake.holdNext('/2/files/upload');
    const abort = new AbortController();
    const first = upload(ctx({ file: { text: 'crash', name: 'crash.txt' } }, { signal: abort.signal }));
    await hold.arrived;
    expect(fake.file('/Reports/crash.txt')).toBeDefined();
    abort.abort();
    await expect(first).rejects.toBeDefined();
    await hold.clientGone;
    hold.release();

    const out = await upload(ctx({ file: { text: 'crash', name: 'crash.txt' } }, { resumed: true, resumedFrom: new Date().toISOString() }));
    expect(out.reconciled).toBe(true);
    expect(fake.requestsTo('/2/files/upload')).toHaveLength(1);
  });

  it('a session whose finish was cut off is not uploaded again on resume', async () => {
    const bytes = randomBytes(MIB + 1);
    const ref = files.add('ev-5', 'session.bin', bytes);
    const hold = fake.holdNext('/2/files/upload_session/finish');
    const abort = new AbortController();
    const first = upload(ctx({ file: ref }, { signal: abort.signal }), small);
    await hold.arrived;
    abort.abort();
    await expect(first).rejects.toBeDefined();
    hold.release();
    fake.clearRequests();

    const out = await upload(ctx({ file: ref }, { resumed: true, resumedFrom: new Date().toISOString() }), small);
    expect(out).toMatchObject({ reconciled: true, content_hash: contentHashOf(bytes), size: bytes.length });
    expect(calls()).toEqual(['api /2/files/get_metadata']);
  });

  it('bytes that change between the hash and the upload are refused by Dropbox (content_hash_mismatch) → fail', async () => {
    const e = await failure(upload(ctx({ file: files.add('ev-6', 'moving.bin', Buffer.from('v1'), { changeOnReopen: true }) })));
    expect(e.kind).toBe('fail');
    expect(e.message).toBe('Dropbox upload_file: HTTP 409: content_hash_mismatch/..');
    expect(fake.file('/Reports/moving.bin')).toBeUndefined();
  });

  it('401 invalid_access_token → auth with Dropbox’s error_summary, without the token', async () => {
    const e = await failure(upload(ctx({ file: { text: 'x' } }, {}, { access_token: 'sl.wrong-token-value' })));
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(401);
    expect(e.message).toBe('Dropbox upload_file: HTTP 401: invalid_access_token/');
    expect(e.message).not.toContain('sl.wrong-token-value');
  });

  it('429 with Retry-After → retry after it', async () => {
    fake.failNext(1, {
      status: 429,
      headers: { 'retry-after': '15', 'content-type': 'application/json' },
      body: { error_summary: 'too_many_requests/..', error: { reason: { '.tag': 'too_many_requests' }, retry_after: 15 } },
    });
    const e = await failure(upload(ctx({ file: { text: 'x' } })));
    expect(e).toMatchObject({ kind: 'retry', retryAfterMs: 15_000, status: 429 });
    expect(e.message).toBe('Dropbox upload_file: HTTP 429: too_many_requests/..');
  });

  it('5xx → retry; 403 → auth; 400 (plain text) → fail with Dropbox’s text', async () => {
    fake.failNext(1, { status: 500, body: 'Internal Server Error' });
    expect((await failure(upload(ctx({ file: { text: 'x' } })))).kind).toBe('retry');
    fake.failNext(1, { status: 403, body: { error_summary: 'no_permission/..', error: { '.tag': 'no_permission' } } });
    expect(await failure(upload(ctx({ file: { text: 'x' } })))).toMatchObject({
      kind: 'auth',
      message: 'Dropbox upload_file: HTTP 403: no_permission/..',
    });
    fake.failNext(1, { status: 400, body: 'Error in call to API function "files/upload": HTTP header "Dropbox-API-Arg": path: bad' });
    expect(await failure(upload(ctx({ file: { text: 'x' } })))).toMatchObject({
      kind: 'fail',
      status: 400,
      message: expect.stringContaining('"files/upload": HTTP header'),
    });
  });

  it('409 conflict (mode add, no autorename) → fail with the error_summary', async () => {
    fake.putFile('/Reports/floyo.txt', Buffer.from('theirs'));
    const e = await failure(upload(ctx({ file: { text: 'ours' }, mode: 'add', autorename: false })));
    expect(e).toMatchObject({ kind: 'fail', status: 409, message: 'Dropbox upload_file: HTTP 409: path/conflict/file/..' });
    expect(fake.file('/Reports/floyo.txt')?.bytes.toString()).toBe('theirs');
  });
});

describe('Dropbox connector: create_shared_link', () => {
  it('POSTs api/2/sharing/create_shared_link_with_settings {path, settings} and returns the url', async () => {
    fake.putFile('/Reports/q1.pdf', Buffer.from('%PDF'));
    const out = await share(ctx({ path: '/Reports/q1.pdf' }));
    expect(calls()).toEqual(['api /2/sharing/create_shared_link_with_settings']);
    expectRpcCall(fake.requests[0], { path: '/Reports/q1.pdf', settings: {} });
    expect(out).toEqual({ url: fake.links.get('/reports/q1.pdf')!.url, path: '/Reports/q1.pdf' });
    expect(out.url).toMatch(/^https:\/\/www\.dropbox\.com\/scl\/fi\//);
  });

  it('a link that exists already (409 shared_link_already_exists) is listed and returned', async () => {
    fake.putFile('/Reports/q1.pdf', Buffer.from('%PDF'));
    const first = await share(ctx({ path: '/Reports/q1.pdf' }));
    fake.clearRequests();

    const again = await share(ctx({ path: '/Reports/q1.pdf' }));
    expect(calls()).toEqual(['api /2/sharing/create_shared_link_with_settings', 'api /2/sharing/list_shared_links']);
    expectRpcCall(fake.requests[1], { path: '/Reports/q1.pdf', direct_only: true });
    expect(again).toEqual({ url: first.url, path: '/Reports/q1.pdf', existing: true });
  });

  it('a missing path → fail with path/not_found; a wrong token → auth', async () => {
    const e = await failure(share(ctx({ path: '/nope.pdf' })));
    expect(e).toMatchObject({ kind: 'fail', status: 409, message: 'Dropbox create_shared_link: HTTP 409: path/not_found/..' });
    const e2 = await failure(share(ctx({ path: '/nope.pdf' }, {}, { access_token: 'bad' })));
    expect(e2).toMatchObject({ kind: 'auth', message: 'Dropbox create_shared_link: HTTP 401: invalid_access_token/' });
  });

  it('429 → retry with Retry-After', async () => {
    fake.failNext(1, { status: 429, headers: { 'retry-after': '2' }, body: { error_summary: 'too_many_requests/..', error: {} } });
    expect(await failure(share(ctx({ path: '/a.pdf' })))).toMatchObject({ kind: 'retry', retryAfterMs: 2_000 });
  });
});

describe('Dropbox connector: test()', () => {
  const test = (config: Record<string, unknown>, t = transport) =>
    dropbox.test({ config: { access_token: TOKEN, ...config }, signal: new AbortController().signal, transport: t });

  it('POSTs api/2/users/get_current_account with a JSON null body and says who', async () => {
    await expect(test({})).resolves.toBe('authenticated as franz@example.com');
    expect(calls()).toEqual(['api /2/users/get_current_account']);
    const [req] = fake.requests;
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body.toString('utf8')).toBe('null');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('a wrong token → auth with invalid_access_token/, without the token', async () => {
    const e = await failure(test({ access_token: 'sl.expired-0000' }));
    expect(e).toMatchObject({ kind: 'auth', status: 401, message: 'Dropbox test: HTTP 401: invalid_access_token/' });
  });

  it('an endpoint on a private address is refused by the guard (SsrfError)', async () => {
    const strict = new SafeHttpClient(new SsrfPolicy([]), 1024 * 1024);
    try {
      const guarded = { ...transport, http: strict, endpoints: { ...transport.endpoints, dropboxApiUrl: 'http://10.0.0.1' } };
      await expect(test({}, guarded)).rejects.toMatchObject({ name: 'SsrfError' });
    } finally {
      await strict.close();
    }
    expect(fake.requests).toHaveLength(0);
  });
});
