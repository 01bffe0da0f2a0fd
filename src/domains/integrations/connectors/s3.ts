import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { PassThrough } from 'node:stream';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ConnectorDefinition, FileRef, ProviderHttp, ProviderTransport } from './connector';
import { ProviderError, retryAfterMs } from './connector';
import { FILE_PARAM } from './files';
import { summariseStream } from './recording-http';

const PROVIDER = 'S3';
/** Object metadata (`x-amz-meta-floyo-key`) holding the step's idempotency key. */
const KEY_METADATA = 'floyo-key';
const MAX_KEY_BYTES = 1024;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * Upload tuning: a body smaller than `partBytes` goes in one PutObject, a larger one as a
 * multipart upload in parts of `partBytes` (lib-storage's minimum is S3's 5 MiB), at most
 * `queueSize` parts in flight (memory ≈ partBytes × queueSize). Mutable for tests.
 */
export const s3Uploads = { partBytes: 8 * 1024 * 1024, queueSize: 2 };

const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidSecurity',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AccountProblem',
  'Forbidden',
]);
const RETRY_CODES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'OperationAborted',
  'TooManyRequests',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * SDK clients by HTTP client (its guarded agents) and by a hash of the integration's S3
 * settings (secret included, never as a key itself). Never `destroy()`ed: that would
 * destroy the shared agents.
 */
const clients = new WeakMap<ProviderHttp, Map<string, S3Client>>();
const MAX_CLIENTS = 200;

/**
 * The integration's S3 client. Every connection goes through the SSRF-guarded node agents
 * of the transport (`agents()`), so the endpoint, a redirect or a virtual-hosted bucket name
 * cannot reach a refused address. Checksums only where S3 requires them (what S3-compatible
 * stores understand). The SDK does not retry (maxAttempts 1): retries with backoff are the
 * integration runner's, after the `retry` ProviderError.
 */
function clientFor(transport: ProviderTransport, config: Record<string, unknown>): S3Client {
  const settings = {
    region: String(config.region ?? ''),
    endpoint: str(config.endpoint),
    forcePathStyle: config.force_path_style === true,
    accessKeyId: String(config.access_key_id ?? ''),
    secretAccessKey: String(config.secret_access_key ?? ''),
    timeoutMs: transport.timeoutMs,
  };
  const id = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
  let byConfig = clients.get(transport.http);
  if (!byConfig) clients.set(transport.http, (byConfig = new Map()));
  const cached = byConfig.get(id);
  if (cached) return cached;
  const agents = transport.http.agents();
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    // an options object: the SDK builds its NodeHttpHandler over these (external) agents
    requestHandler: {
      httpAgent: agents.http,
      httpsAgent: agents.https,
      connectionTimeout: settings.timeoutMs,
      requestTimeout: settings.timeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: settings.timeoutMs,
    },
  });
  if (byConfig.size >= MAX_CLIENTS) byConfig.delete(byConfig.keys().next().value!);
  byConfig.set(id, client);
  return client;
}

/**
 * An endpoint given as an IP literal is checked against the SSRF policy before the SDK sees
 * it (the guarded agents would refuse it too, but synchronously, which leaves the SDK's
 * socket-warning timer running); a host name is checked on every connection by the agents.
 */
async function assertEndpoint(transport: ProviderTransport, config: Record<string, unknown>): Promise<void> {
  const endpoint = str(config.endpoint);
  if (!endpoint) return;
  let host: string;
  try {
    host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw new ProviderError(PROVIDER, 'fail', `${PROVIDER}: endpoint is not a URL`);
  }
  if (isIP(host)) await transport.http.resolveHost(host);
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
  cause?: unknown;
}

/**
 * An SDK failure as a ProviderError: 401/403 (InvalidAccessKeyId, SignatureDoesNotMatch,
 * AccessDenied, …) → auth; NoSuchBucket → fail naming the bucket; 429, 503 SlowDown and other
 * 5xx, timeouts and dropped connections → retry; other 4xx → fail. SSRF refusals and the
 * step's own abort pass through. The secret key never appears in a message.
 */
function s3Error(err: unknown, what: string, config: Record<string, unknown>, signal: AbortSignal): Error {
  const e = (err ?? {}) as SdkError;
  if (err instanceof ProviderError || signal.aborted) return err as Error;
  if (e.name === 'SsrfError') return err as Error;
  if ((e.cause as SdkError | undefined)?.name === 'SsrfError') return e.cause as Error;
  const secret = str(config.secret_access_key);
  const clean = (s: string) => (secret && secret.length >= 4 ? s.split(secret).join('••••') : s).slice(0, 500);
  const bucket = String(config.bucket_name ?? '');
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? e.name ?? 'Error';
  if (status !== undefined) {
    const detail = e.message && e.message !== code && e.message !== 'UnknownError' ? `: ${e.message}` : '';
    const message = clean(`${PROVIDER} ${what}: ${code}${detail} (HTTP ${status})`);
    if (code === 'NoSuchBucket' || (what === 'test' && status === 404)) {
      return new ProviderError(
        PROVIDER,
        'fail',
        clean(`${PROVIDER} ${what}: bucket ${bucket} does not exist (${code}, HTTP ${status})`),
        undefined,
        status,
      );
    }
    if (status === 301 || code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed') {
      const region = e.$response?.headers?.['x-amz-bucket-region'];
      const where = region ? ` (it is in ${region})` : '';
      return new ProviderError(
        PROVIDER,
        'fail',
        clean(`${PROVIDER} ${what}: bucket ${bucket} is not in region ${String(config.region)}${where}: ${code} (HTTP ${status})`),
        undefined,
        status,
      );
    }
    if (RETRY_CODES.has(code) || status === 429 || status >= 500) {
      return new ProviderError(PROVIDER, 'retry', message, retryAfterMs(e.$response?.headers?.['retry-after']), status);
    }
    if (status === 401 || status === 403 || AUTH_CODES.has(code)) return new ProviderError(PROVIDER, 'auth', message, undefined, status);
    return new ProviderError(PROVIDER, 'fail', message, undefined, status);
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || NETWORK_CODES.has(e.code ?? '')) {
    return new ProviderError(
      PROVIDER,
      'retry',
      clean(`${PROVIDER} ${what}: ${e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : e.code}`),
    );
  }
  return new ProviderError(PROVIDER, 'retry', clean(`${PROVIDER} ${what}: ${e.message ?? String(err)}`));
}

const isNotFound = (err: unknown) => {
  const e = err as SdkError;
  return e?.$metadata?.httpStatusCode === 404 && (e.name === 'NotFound' || e.name === 'NoSuchKey');
};

/** `YYYY-MM-DD/` inserted before the last segment of `key`. */
function dated(key: string, day: Date): string {
  const at = key.lastIndexOf('/') + 1;
  return `${key.slice(0, at)}${day.toISOString().slice(0, 10)}/${key.slice(at)}`;
}

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"(.*)"$/, '$1');

/**
 * S3 or an S3-compatible store (MinIO, R2, …: `endpoint`, `force_path_style`). Objects a
 * step writes carry the step's idempotency key in their metadata: a resumed step that finds
 * its object already there does not upload it again.
 */
export const s3: ConnectorDefinition = {
  type: 's3',
  provider: PROVIDER,
  actions: {
    put_object: {
      description:
        "Upload a file as an object of the integration's bucket (key: the integration's prefix + the file name unless given; multipart for large files)",
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['file'],
        properties: {
          file: FILE_PARAM,
          key: {
            type: 'string',
            minLength: 1,
            maxLength: MAX_KEY_BYTES,
            description: "The object key, as it is (the integration's prefix is not added)",
          },
          key_prefix: {
            type: 'string',
            maxLength: MAX_KEY_BYTES,
            description: "Instead of the integration's prefix: this prefix + the file name",
          },
          dated: { type: 'boolean', description: 'Insert the date (YYYY-MM-DD/, UTC, the day the step started) before the file name' },
          content_type: {
            type: 'string',
            maxLength: 255,
            pattern: '^[\\w.+-]+/[\\w.+-]+',
            description: "The object's Content-Type (default: the file's)",
          },
          metadata: {
            type: 'object',
            maxProperties: 20,
            propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
            additionalProperties: { type: 'string', maxLength: 1024 },
            description: 'User metadata (x-amz-meta-*): ASCII names and values',
          },
        },
      },
      async run(ctx) {
        const { params, config } = ctx;
        const what = 'put_object';
        const dryRun = ctx.transport.dryRun;
        if (!dryRun) await assertEndpoint(ctx.transport, config);
        const client = dryRun ? null : clientFor(ctx.transport, config);
        const bucket = String(config.bucket_name);
        const file = await ctx.files.open(params.file as FileRef);
        // the day the step started, so that a resumed step computes the same key
        const day = ctx.resumed && ctx.resumedFrom ? new Date(ctx.resumedFrom) : new Date();
        let key =
          str(params.key) ?? `${typeof params.key_prefix === 'string' ? params.key_prefix : (str(config.prefix) ?? '')}${file.name}`;
        if (params.dated === true) key = dated(key, Number.isNaN(day.getTime()) ? new Date() : day);
        if (Buffer.byteLength(key) > MAX_KEY_BYTES)
          throw new ProviderError(PROVIDER, 'fail', `${PROVIDER} ${what}: the key is longer than ${MAX_KEY_BYTES} bytes`);

        if (ctx.resumed && client) {
          try {
            const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal });
            if (head.Metadata?.[KEY_METADATA] === ctx.idempotencyKey) {
              return { bucket, key, etag: unquote(head.ETag), size: head.ContentLength ?? null };
            }
          } catch (err) {
            if (!isNotFound(err)) throw s3Error(err, what, config, ctx.signal);
          }
        }

        const metadata: Record<string, string> = {
          ...((params.metadata as Record<string, string> | undefined) ?? {}),
          [KEY_METADATA]: ctx.idempotencyKey,
        };
        const contentType = str(params.content_type) ?? file.contentType;
        if (dryRun || !client) {
          // the command the SDK would send (PutObject, or a multipart upload of the same object); no connection
          const bytes = await summariseStream(await file.open());
          dryRun?.record({
            kind: 's3',
            command: 'PutObject',
            endpoint: str(config.endpoint) ?? null,
            region: String(config.region ?? ''),
            bucket,
            key,
            content_type: contentType,
            metadata,
            body: bytes,
          });
          return { bucket, key, etag: null, size: bytes.bytes };
        }
        const source = await file.open();
        let size = 0;
        const body = new PassThrough();
        body.on('data', (chunk: Buffer) => (size += chunk.length));
        source.on('error', (err) => body.destroy(err));
        source.pipe(body);
        const upload = new Upload({
          client,
          params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType, Metadata: metadata },
          partSize: s3Uploads.partBytes,
          queueSize: s3Uploads.queueSize,
          leavePartsOnError: false,
        });
        const abort = () => void upload.abort();
        ctx.signal.addEventListener('abort', abort, { once: true });
        try {
          const done = await upload.done();
          return { bucket, key, etag: unquote(done.ETag), size };
        } catch (err) {
          throw s3Error(err, what, config, ctx.signal);
        } finally {
          ctx.signal.removeEventListener('abort', abort);
          source.destroy();
        }
      },
    },
    presign_get: {
      description: 'A presigned GET URL of an object (signed locally: no request to S3)',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['key'],
        properties: {
          key: {
            type: 'string',
            minLength: 1,
            maxLength: MAX_KEY_BYTES,
            description: 'The object key (the integration prefix is not added)',
          },
          expires_in: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_PRESIGN_SECONDS,
            default: 3600,
            description: 'Seconds the URL is valid (at most 7 days)',
          },
        },
      },
      async run(ctx) {
        const { params, config } = ctx;
        const expiresIn = typeof params.expires_in === 'number' ? params.expires_in : 3600;
        const at = Date.now();
        if (ctx.transport.dryRun) {
          // signed locally in a real run too (no request); the URL itself is a credential, not made here
          const key = String(params.key);
          ctx.transport.dryRun.record({
            kind: 's3',
            command: 'presign GetObject',
            bucket: String(config.bucket_name),
            key,
            expires_in: expiresIn,
          });
          return { url: null, expires_at: new Date(at + expiresIn * 1000).toISOString() };
        }
        const client = clientFor(ctx.transport, config);
        try {
          const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: String(config.bucket_name), Key: String(params.key) }), {
            expiresIn,
          });
          return { url, expires_at: new Date(at + expiresIn * 1000).toISOString() };
        } catch (err) {
          throw s3Error(err, 'presign_get', config, ctx.signal);
        }
      },
    },
  },
  async test(ctx) {
    const { config } = ctx;
    const bucket = String(config.bucket_name);
    await assertEndpoint(ctx.transport, config);
    try {
      await clientFor(ctx.transport, config).send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: ctx.signal });
    } catch (err) {
      throw s3Error(err, 'test', config, ctx.signal);
    }
    return `bucket ${bucket} is reachable in ${String(config.region)}`;
  },
};
