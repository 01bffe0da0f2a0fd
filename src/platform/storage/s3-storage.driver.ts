import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PassThrough, type Readable } from 'node:stream';
import type { AppConfig } from '@/platform/config/app-config';
import { OccasionalWarning } from '@/platform/logging/occasional-warning';
import { assertSafeKey, StorageService, StorageUnavailableError, type StoredObject } from './storage.service';

type S3Settings = AppConfig['storage']['s3'];

/** The SDK client for any S3-compatible endpoint (MinIO, s3rver, AWS). */
export function createS3Client(s3: S3Settings): S3Client {
  // `when_required` sends checksums only where S3 demands them (the behaviour before
  // SDK 3.729); stores that do not understand the newer CRC trailers then work too.
  const mode = s3.checksumMode === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  return new S3Client({
    region: s3.region,
    endpoint: s3.endpoint || undefined,
    forcePathStyle: s3.forcePathStyle,
    credentials: s3.accessKeyId ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
    requestChecksumCalculation: mode,
    responseChecksumValidation: mode,
    maxAttempts: 3,
    // A store that stops answering must not hold a request (or a transaction that deletes
    // files before its commit) forever: connecting, and any silence of an open connection,
    // beyond S3_TIMEOUT_MS fails the call. An idle limit, not a total one, so a large
    // transfer that keeps moving is not cut.
    requestHandler: { connectionTimeout: s3.timeoutMs, socketTimeout: s3.timeoutMs },
  });
}

const isNotFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/** The store was unreachable, timed out or failed on its side (5xx after the SDK's retries). */
function isUnavailable(err: unknown): boolean {
  if (err instanceof S3ServiceException) return (err.$metadata?.httpStatusCode ?? 0) >= 500;
  const e = err as { name?: string; code?: string } | null;
  return !!e && (e.name === 'TimeoutError' || e.name === 'RequestTimeout' || NETWORK_CODES.has(e.code ?? ''));
}

/**
 * Objects in S3_BUCKET. Uploads stream through lib-storage's `Upload` (multipart in 5 MiB
 * parts past the first, at most two parts in flight), so memory stays bounded whatever
 * the file size; a failed upload is aborted and its key deleted.
 */
export class S3StorageDriver extends StorageService implements OnApplicationShutdown {
  readonly driver = 's3' as const;
  private readonly warning = new OccasionalWarning(new Logger('Storage'));

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    super();
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }

  async put(key: string, body: Readable, contentType = 'application/octet-stream'): Promise<{ size: number }> {
    assertSafeKey(key);
    let size = 0;
    const counted = new PassThrough();
    counted.on('data', (chunk: Buffer) => (size += chunk.length));
    body.on('error', (err) => counted.destroy(err));
    body.pipe(counted);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: counted, ContentType: contentType },
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      return { size };
    } catch (err) {
      body.destroy();
      await this.delete(key).catch(() => undefined);
      throw this.classify(err);
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    assertSafeKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { stream: res.Body as Readable, size: res.ContentLength ?? null };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.classify(err);
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch((err: unknown) => {
      throw this.classify(err);
    });
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertSafeKey(prefix, { prefix: true });
    try {
      return await this.deletePages(prefix);
    } catch (err) {
      throw this.classify(err);
    }
  }

  private async deletePages(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
      );
      const keys = (page.Contents ?? []).map((o) => o.Key!).filter(Boolean);
      if (keys.length) {
        const res = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        if (res.Errors?.length) {
          throw new Error(`S3 refused to delete ${res.Errors.length} object(s) under ${prefix}: ${res.Errors[0].Code}`);
        }
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  /** An outage of the store becomes StorageUnavailableError (→ 503), logged at most once a minute. */
  private classify(err: unknown): unknown {
    if (!isUnavailable(err)) return err;
    this.warning.warn(`S3 unavailable: ${(err as Error)?.message ?? String(err)}`);
    return new StorageUnavailableError(err);
  }
}
