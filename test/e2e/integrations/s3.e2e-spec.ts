import { createHash, randomBytes, randomUUID } from 'node:crypto';
import nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type {
  ActionContext,
  ActionFile,
  FileOpener,
  FileRef,
  ProviderTransport,
} from '../../../src/domains/integrations/connectors/connector';
import { ProviderError } from '../../../src/domains/integrations/connectors/connector';
import { s3, s3Uploads } from '../../../src/domains/integrations/connectors/s3';
import { type Resolver, SafeHttpClient } from '../../../src/platform/http/outbound/safe-http';
import { SsrfPolicy } from '../../../src/platform/http/outbound/ssrf-policy';
import { freePort } from '../../helpers/processes';
import { type LocalS3, startLocalS3 } from '../../helpers/s3';
import { expectProviderError as expectFrom, rejection } from '../../helpers/provider-errors';

const BUCKET = 'floyo-connector';
const DEFAULT_UPLOADS = { ...s3Uploads };

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: nodeHttp.IncomingHttpHeaders;
}

/**
 * A recording HTTP proxy in front of s3rver (the Host header is kept, so SigV4 signatures
 * still verify): the test sees every request the SDK made, and can answer the next matching
 * ones with an S3 error of its choice (503 SlowDown, 429, 500, …) instead of forwarding them.
 */
async function startRecorder(target: string) {
  const upstream = new URL(target);
  const seen: Seen[] = [];
  const scripted: { method?: string; status: number; code: string; message: string; headers?: Record<string, string> }[] = [];
  const server = nodeHttp.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({
      method: req.method ?? '',
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
    });
    const i = scripted.findIndex((s) => !s.method || s.method === req.method);
    if (i >= 0) {
      const [s] = scripted.splice(i, 1);
      req.resume();
      res.writeHead(s.status, { 'content-type': 'application/xml', 'x-amz-request-id': 'FAKE', ...s.headers });
      return res.end(
        req.method === 'HEAD'
          ? undefined
          : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${s.code}</Code><Message>${s.message}</Message><RequestId>FAKE</RequestId></Error>`,
      );
    }
    const forward = nodeHttp.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    failNext: (s: (typeof scripted)[number]) => scripted.push(s),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** In-memory files by event id (plus text sources, as OwnerFiles makes them). */
class MemoryFiles implements FileOpener {
  constructor(private readonly byId: Record<string, { name: string; content: Buffer; contentType?: string }> = {}) {}

  open(ref: FileRef): Promise<ActionFile> {
    const found =
      'text' in ref
        ? { name: ref.name ?? 'floyo.txt', content: Buffer.from(ref.text), contentType: ref.content_type ?? 'text/plain; charset=utf-8' }
        : 'event_id' in ref
          ? this.byId[ref.event_id]
          : undefined;
    if (!found) return Promise.reject(new ProviderError('S3', 'fail', 'file not found'));
    const pieces: Buffer[] = [];
    for (let i = 0; i < found.content.length; i += 65536) pieces.push(found.content.subarray(i, i + 65536));
    return Promise.resolve({
      name: ref.name ?? found.name,
      contentType: found.contentType ?? 'application/octet-stream',
      size: found.content.length,
      open: () => Promise.resolve(Readable.from(pieces)),
    });
  }
}

const failure = rejection;
const expectProviderError = (err: Error, kind: ProviderError['kind'], message?: RegExp): ProviderError =>
  expectFrom(err, 'S3', { kind, message, secrets: ['wrong-secret-key-value'] });

/** GET without keep-alive (no socket outlives the test). */
function fetchOnce(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    nodeHttp
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('S3 connector against s3rver (a real S3-compatible HTTP server)', () => {
  let store: LocalS3;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let http: SafeHttpClient;
  let transport: ProviderTransport;
  let reader: S3Client;
  const clients: SafeHttpClient[] = [];

  const config = (overrides: Record<string, unknown> = {}) => ({
    access_key_id: 'S3RVER',
    secret_access_key: 'S3RVER',
    bucket_name: BUCKET,
    region: 'us-east-1',
    endpoint: recorder.url,
    force_path_style: true,
    ...overrides,
  });

  function ctx(cfg: Record<string, unknown>, params: Record<string, unknown>, over: Partial<ActionContext> = {}): ActionContext {
    return {
      config: cfg,
      params,
      idempotencyKey: `exec-${randomUUID()}:put`,
      resumed: false,
      signal: AbortSignal.timeout(20_000),
      transport,
      files: new MemoryFiles(),
      ...over,
    };
  }

  function transportWith(resolver?: Resolver): ProviderTransport {
    const c = new SafeHttpClient(new SsrfPolicy(['127.0.0.1']), 1024 * 1024, resolver);
    clients.push(c);
    return { ...transport, http: c };
  }

  const get = async (key: string) => {
    const res = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { body: Buffer.from(await res.Body!.transformToByteArray()), contentType: res.ContentType, metadata: res.Metadata };
  };
  const writes = () => recorder.seen.filter((r) => r.method === 'PUT' || r.method === 'POST');

  beforeAll(async () => {
    store = await startLocalS3(BUCKET);
    recorder = await startRecorder(store.env.S3_ENDPOINT);
    http = new SafeHttpClient(new SsrfPolicy(['127.0.0.1']), 1024 * 1024);
    transport = {
      http,
      timeoutMs: 10_000,
      endpoints: { githubApiUrl: '', dropboxApiUrl: '', dropboxContentUrl: '', googleDriveUrl: '', googleOAuthTokenUrl: '' },
    };
    reader = new S3Client({
      region: 'us-east-1',
      endpoint: store.env.S3_ENDPOINT,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    reader.destroy();
    await Promise.all([http.close(), ...clients.map((c) => c.close())]);
    await recorder.close();
    await store.stop();
  });
  beforeEach(() => {
    recorder.seen.length = 0;
    Object.assign(s3Uploads, DEFAULT_UPLOADS);
  });

  describe('put_object', () => {
    it('a small file: one PutObject under the prefix + file name, with its content type, metadata and the step key', async () => {
      const c = ctx(config({ prefix: 'exports/' }), {
        file: { text: 'a,b\n1,2\n', name: 'data.csv', content_type: 'text/csv' },
        metadata: { source: 'floyo' },
      });
      const out = await s3.actions.put_object.run(c);
      expect(out).toEqual({ bucket: BUCKET, key: 'exports/data.csv', etag: md5(Buffer.from('a,b\n1,2\n')), size: 8 });
      // x-id=PutObject is the SDK's own marker, not an S3 sub-resource
      expect(writes().map((r) => [r.method, r.path, Object.keys(r.query).filter((k) => k !== 'x-id')])).toEqual([
        ['PUT', `/${BUCKET}/exports/data.csv`, []],
      ]);
      const [put] = writes();
      expect(put.headers['x-amz-meta-floyo-key']).toBe(c.idempotencyKey);
      expect(put.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=S3RVER\//);
      const stored = await get('exports/data.csv');
      expect(stored.body.toString()).toBe('a,b\n1,2\n');
      expect(stored.contentType).toBe('text/csv');
      expect(stored.metadata).toEqual({ source: 'floyo', 'floyo-key': c.idempotencyKey });
    });

    it('a file of at least one part: a multipart upload (CreateMultipartUpload, UploadPart ×2, Complete)', async () => {
      s3Uploads.partBytes = 5 * 1024 * 1024; // lib-storage's (and S3's) minimum part size
      const content = randomBytes(6 * 1024 * 1024 + 123);
      const files = new MemoryFiles({ big: { name: 'big.bin', content, contentType: 'application/octet-stream' } });
      const c = ctx(config(), { file: { event_id: 'big' }, key: 'archive/big.bin' }, { files });
      const out = (await s3.actions.put_object.run(c)) as Record<string, unknown>;
      const calls = writes().map(
        (r) =>
          `${r.method} ${'uploads' in r.query ? 'uploads' : r.query.partNumber ? `part ${r.query.partNumber}` : r.query.uploadId ? 'complete' : 'put'}`,
      );
      expect(calls.sort()).toEqual(['POST complete', 'POST uploads', 'PUT part 1', 'PUT part 2']);
      expect(writes().find((r) => 'uploads' in r.query)!.headers['x-amz-meta-floyo-key']).toBe(c.idempotencyKey);
      expect(out).toMatchObject({ bucket: BUCKET, key: 'archive/big.bin', size: content.length });
      const stored = await get('archive/big.bin');
      expect(stored.body.equals(content)).toBe(true);
      expect(stored.metadata).toEqual({ 'floyo-key': c.idempotencyKey });
    });

    it('key_prefix instead of the config prefix, dated keys (the day the step started), an explicit key as it is', async () => {
      await s3.actions.put_object.run(ctx(config({ prefix: 'ignored/' }), { file: { text: '1', name: 'one.txt' }, key_prefix: 'in/' }));
      await s3.actions.put_object.run(
        ctx(
          config({ prefix: 'daily/' }),
          { file: { text: '2', name: 'two.txt' }, dated: true },
          { resumed: true, resumedFrom: '2026-01-02T23:59:30.000Z' },
        ),
      );
      await s3.actions.put_object.run(ctx(config({ prefix: 'ignored/' }), { file: { text: '3', name: 'three.txt' }, key: 'exact/3.txt' }));
      const today = new Date().toISOString().slice(0, 10);
      await s3.actions.put_object.run(ctx(config(), { file: { text: '4', name: 'four.txt' }, key_prefix: 'k/', dated: true }));
      expect(await store.keys()).toEqual(
        expect.arrayContaining(['in/one.txt', 'daily/2026-01-02/two.txt', 'exact/3.txt', `k/${today}/four.txt`]),
      );
    });

    it('a resumed step finds its object (same key, floyo-key metadata) and uploads nothing; a different key is uploaded', async () => {
      const key = `exec-${randomUUID()}:put`;
      const first = await s3.actions.put_object.run(
        ctx(config(), { file: { text: 'version 1', name: 'resume.txt' } }, { idempotencyKey: key }),
      );
      recorder.seen.length = 0;
      const again = await s3.actions.put_object.run(
        ctx(
          config(),
          { file: { text: 'version 2', name: 'resume.txt' } },
          { idempotencyKey: key, resumed: true, resumedFrom: new Date().toISOString() },
        ),
      );
      expect(again).toEqual(first);
      expect(recorder.seen.map((r) => r.method)).toEqual(['HEAD']);
      expect((await get('resume.txt')).body.toString()).toBe('version 1');

      // the object there is another step's (or nobody's): this step uploads its own
      await s3.actions.put_object.run(ctx(config(), { file: { text: 'version 3', name: 'resume.txt' } }, { resumed: true }));
      expect((await get('resume.txt')).body.toString()).toBe('version 3');
      // nothing there yet
      await s3.actions.put_object.run(ctx(config(), { file: { text: 'new', name: `fresh-${randomUUID()}.txt` } }, { resumed: true }));
      expect(recorder.seen.filter((r) => r.method === 'PUT')).toHaveLength(2);
    });

    it('a step that is not resumed does not look first', async () => {
      await s3.actions.put_object.run(ctx(config(), { file: { text: 'x', name: 'nohead.txt' } }));
      expect(recorder.seen.map((r) => r.method)).toEqual(['PUT']);
    });
  });

  describe('presign_get', () => {
    it('signs a GET URL locally (no request to S3) that s3rver honours until it expires', async () => {
      await reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'shared/report.txt', Body: 'presigned content' }));
      recorder.seen.length = 0;
      const before = Date.now();
      const out = (await s3.actions.presign_get.run(ctx(config(), { key: 'shared/report.txt', expires_in: 600 }))) as {
        url: string;
        expires_at: string;
      };
      expect(recorder.seen).toHaveLength(0);
      const url = new URL(out.url);
      expect(url.origin + url.pathname).toBe(`${recorder.url}/${BUCKET}/shared/report.txt`);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
      expect(Date.parse(out.expires_at) - before).toBeGreaterThanOrEqual(600_000 - 1000);
      expect(Date.parse(out.expires_at) - before).toBeLessThan(600_000 + 5000);
      expect(await fetchOnce(out.url)).toEqual({ status: 200, body: 'presigned content' });
    });

    it('a URL past its expires_in is refused by the store', async () => {
      await reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'shared/short.txt', Body: 'short-lived' }));
      const out = (await s3.actions.presign_get.run(ctx(config(), { key: 'shared/short.txt', expires_in: 1 }))) as { url: string };
      expect((await fetchOnce(out.url)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2_100));
      const expired = await fetchOnce(out.url);
      expect(expired.status).toBe(403);
      expect(expired.body).toContain('Request has expired');
    });
  });

  describe("S3's refusals", () => {
    const put = (cfg: Record<string, unknown>) => s3.actions.put_object.run(ctx(cfg, { file: { text: 'x', name: 'refused.txt' } }));

    it('an unknown access key (InvalidAccessKeyId, from s3rver) → auth, never quoting the secret', async () => {
      const e = expectProviderError(
        await failure(put(config({ access_key_id: 'NOBODY', secret_access_key: 'wrong-secret-key-value' }))),
        'auth',
        /S3 put_object: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records\. \(HTTP 403\)/,
      );
      expect(e.status).toBe(403);
    });

    it('a wrong secret key (SignatureDoesNotMatch) and AccessDenied → auth (s3rver does not check V4 signatures: the proxy answers as S3 does)', async () => {
      recorder.failNext({
        method: 'PUT',
        status: 403,
        code: 'SignatureDoesNotMatch',
        message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      });
      expectProviderError(
        await failure(put(config({ secret_access_key: 'wrong-secret-key-value' }))),
        'auth',
        /SignatureDoesNotMatch: The request signature/,
      );
      recorder.failNext({ method: 'PUT', status: 403, code: 'AccessDenied', message: 'Access Denied' });
      expectProviderError(await failure(put(config())), 'auth', /AccessDenied: Access Denied \(HTTP 403\)/);
    });

    it('a bucket that does not exist → fail naming the bucket', async () => {
      const e = expectProviderError(
        await failure(put(config({ bucket_name: 'no-such-bucket-here' }))),
        'fail',
        /bucket no-such-bucket-here does not exist \(NoSuchBucket/,
      );
      expect(e.status).toBe(404);
    });

    it('503 SlowDown, 500 InternalError and 429 (Retry-After) → retry; other 4xx → fail', async () => {
      recorder.failNext({ status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' });
      expectProviderError(await failure(put(config())), 'retry', /S3 put_object: SlowDown: Please reduce your request rate\. \(HTTP 503\)/);
      recorder.failNext({ status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' });
      expectProviderError(await failure(put(config())), 'retry', /InternalError/);
      recorder.failNext({ status: 429, code: 'TooManyRequests', message: 'Slow down', headers: { 'retry-after': '4' } });
      expect(expectProviderError(await failure(put(config())), 'retry').retryAfterMs).toBe(4000);
      recorder.failNext({ status: 400, code: 'InvalidArgument', message: 'Invalid argument.' });
      const e = expectProviderError(await failure(put(config())), 'fail', /InvalidArgument: Invalid argument\. \(HTTP 400\)/);
      expect(e.status).toBe(400);
    });

    it('a store nobody listens on → retry (connection refused)', async () => {
      const port = await freePort();
      expectProviderError(await failure(put(config({ endpoint: `http://127.0.0.1:${port}` }))), 'retry', /ECONNREFUSED/);
    });
  });

  describe('connection test', () => {
    it('HeadBucket', async () => {
      expect(await s3.test({ config: config(), signal: AbortSignal.timeout(5_000), transport })).toBe(
        `bucket ${BUCKET} is reachable in us-east-1`,
      );
      expect(recorder.seen.map((r) => [r.method, r.path])).toEqual([['HEAD', `/${BUCKET}/`]]);
    });

    it('fails for a missing bucket (fail) and for wrong credentials (auth)', async () => {
      const missing = await failure(
        s3.test({ config: config({ bucket_name: 'missing-bucket' }), signal: AbortSignal.timeout(5_000), transport }),
      );
      expectProviderError(missing, 'fail', /bucket missing-bucket does not exist/);
      const wrong = await failure(
        s3.test({
          config: config({ access_key_id: 'NOBODY', secret_access_key: 'wrong-secret-key-value' }),
          signal: AbortSignal.timeout(5_000),
          transport,
        }),
      );
      expectProviderError(wrong, 'auth', /HTTP 403/);
    });
  });

  describe('SSRF policy (the SDK connects through the guarded agents)', () => {
    it('an endpoint on a private address (10.0.0.1) is refused before connecting', async () => {
      const started = Date.now();
      const err = await failure(put10());
      expect(err.name).toBe('SsrfError');
      expect(err.message).toMatch(/10\.0\.0\.1/);
      expect(Date.now() - started).toBeLessThan(2_000);

      function put10() {
        return s3.actions.put_object.run(ctx(config({ endpoint: 'http://10.0.0.1:9000' }), { file: { text: 'x' } }));
      }
    });

    it('a virtual-hosted bucket whose name resolves to a private address is refused (the lookup is guarded)', async () => {
      const resolver: Resolver = (host, cb) =>
        host === `${BUCKET}.s3.internal.test`
          ? cb(null, [{ address: '10.0.0.1', family: 4 }])
          : cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
      const err = await failure(
        s3.test({
          config: config({ endpoint: 'http://s3.internal.test:9000', force_path_style: false }),
          signal: AbortSignal.timeout(5_000),
          transport: transportWith(resolver),
        }),
      );
      expect(err.name).toBe('SsrfError');
    });

    it('the HeadObject and the upload of a step go through the same agents (a path-style endpoint whose name resolves to 10.0.0.1)', async () => {
      const resolver: Resolver = (host, cb) => cb(null, [{ address: '10.0.0.1', family: 4 }]);
      const t = transportWith(resolver);
      const cfg = config({ endpoint: 'http://s3.internal.test:9000' });
      for (const resumed of [true, false]) {
        const err = await failure(
          s3.actions.put_object.run(ctx(cfg, { file: { text: 'x', name: 'ssrf.txt' } }, { resumed, transport: t })),
        );
        expect(err.name).toBe('SsrfError');
        expect(err.message).toMatch(/s3\.internal\.test/);
      }
      await expect(reader.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'ssrf.txt' }))).rejects.toMatchObject({ name: 'NotFound' });
    });
  });
});
