import { randomUUID } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import type { MultipartFile } from '@fastify/multipart';
import {
  BadRequestException,
  HttpException,
  Injectable,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HttpErrorWithHeaders } from '@/platform/http/http-errors';
import { validationFailed, type ValidationIssue } from '@/platform/http/pipes/validation.pipe';
import { AppConfig } from '@/platform/config/app-config';
import { fileExtension } from '@/domains/patterns';
import { ByteLimit, TooLargeError } from '@/platform/storage/byte-limit';
import { StorageService, uploadKey } from '@/platform/storage/storage.service';
import { EVENT_TYPE_MAX } from './dto/create-event.dto';
import type { UploadResponse } from './dto/event.response';
import { EventIngestService } from './event-ingest.service';
import { EventsRepository } from './events.repository';
import { cleanContentType, cleanFilename } from './upload-metadata';

interface StoredUpload {
  key: string;
  size: number;
  filename: string;
  contentType: string;
}

export interface DownloadableFile {
  stream: Readable;
  size: number | null;
  filename: string;
  contentType: string;
}

/** Thrown for input that made a multipart body unusable (as opposed to a storage failure). */
class ClientUploadError extends Error {
  constructor(override readonly cause: unknown) {
    super('upload stream failed');
  }
}

/**
 * POST /api/events/upload and GET /api/events/{id}/file. The file streams from the
 * request through a byte counter into storage under a generated key; the client's file
 * name is kept only as metadata. Whatever goes wrong (too large, bad fields, database
 * error), the stored object is removed before the error is answered.
 */
@Injectable()
export class EventFilesService {
  private readonly logger = new Logger(EventFilesService.name);

  constructor(
    private readonly events: EventsRepository,
    private readonly storage: StorageService,
    private readonly ingest: EventIngestService,
    private readonly config: AppConfig,
  ) {}

  async upload(userId: string, req: FastifyRequest, queryEventType: unknown): Promise<UploadResponse> {
    if (!req.isMultipart()) {
      throw new UnsupportedMediaTypeException('Expected a multipart/form-data body with a "file" part');
    }
    const max = this.config.storage.maxUploadBytes;
    let stored: StoredUpload | null = null;
    let pendingKey: string | null = null;
    try {
      const issues: ValidationIssue[] = [];
      let formEventType: string | undefined;
      const parts = req.parts({
        // the client's name exactly as sent (it is metadata only; paths are never built from it)
        preservePath: true,
        limits: { fileSize: max + 1, files: 1, fields: 5, fieldSize: 1024, parts: 8, headerPairs: 50 },
      });
      for await (const part of iterateParts(parts)) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || stored) {
            part.file.resume();
            issues.push({ loc: ['body', part.fieldname], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });
            continue;
          }
          pendingKey = uploadKey(userId, randomUUID());
          stored = await this.store(pendingKey, part, max);
        } else if (part.fieldname === 'event_type' && !part.valueTruncated) {
          formEventType = String(part.value);
        } else {
          issues.push({ loc: ['body', part.fieldname], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });
        }
      }
      if (!stored) issues.push({ loc: ['body', 'file'], msg: 'Field required', type: 'missing' });
      const eventType = formEventType ?? queryEventType ?? 'file_upload';
      if (typeof eventType !== 'string' || !eventType || eventType.length > EVENT_TYPE_MAX || eventType.includes('\u0000')) {
        issues.push({
          loc: ['body', 'event_type'],
          msg: `event_type must be a string of 1 to ${EVENT_TYPE_MAX} characters`,
          type: 'string_type',
        });
      }
      if (issues.length) throw validationFailed(issues);
      const upload = stored!;
      const [event] = await this.ingest.ingest(userId, [
        {
          eventType: eventType as string,
          filePath: upload.key,
          tool: 'upload',
          operation: 'upload',
          details: { filename: upload.filename, content_type: upload.contentType, size: upload.size },
          timestamp: null,
          storageKey: upload.key,
          extension: fileExtension(upload.filename),
        },
      ]);
      return { message: 'File uploaded successfully', event_id: event.id, file_path: upload.key };
    } catch (err) {
      if (pendingKey) {
        await this.storage.delete(pendingKey).catch((e: unknown) => {
          this.logger.error(`could not remove rejected upload ${pendingKey}: ${(e as Error).message}`);
        });
      }
      throw toHttpError(err, max);
    }
  }

  /** Streams one part into storage; the driver leaves nothing behind when it fails. */
  private async store(key: string, part: MultipartFile, max: number): Promise<StoredUpload> {
    const limiter = new ByteLimit(max);
    // Failures surface through put()'s rejection; late errors after it must not go unhandled.
    limiter.on('error', () => undefined);
    let sourceError: unknown = null;
    // pipeline(), not pipe(): busboy may have failed the part (a truncated body) before we
    // got it, and a destroyed source piped on its own would never end the limiter.
    pipeline(part.file, limiter, (err) => {
      if (err && !(err instanceof TooLargeError)) sourceError = err;
    });
    const contentType = cleanContentType(part.mimetype);
    try {
      const { size } = await this.storage.put(key, limiter, contentType);
      if (part.file.truncated) throw new TooLargeError(max);
      return { key, size, filename: cleanFilename(part.filename), contentType };
    } catch (err) {
      // Stop reading the part: the multipart iteration ends and the request is answered.
      part.file.destroy();
      if (err instanceof TooLargeError || limiter.errored instanceof TooLargeError) throw new TooLargeError(max);
      // The request's part failed (truncated or aborted body): the client's doing, not storage's.
      const clientError = sourceError ?? part.file.errored;
      if (clientError) throw new ClientUploadError(clientError);
      throw err;
    }
  }

  async download(userId: string, eventId: string): Promise<DownloadableFile> {
    const event = await this.events.fileOf(userId, eventId);
    const object = event?.storageKey ? await this.storage.get(event.storageKey) : null;
    if (!event || !object) throw new NotFoundException('File not found');
    const details = event.details ?? {};
    return {
      stream: object.stream,
      size: object.size,
      filename: typeof details.filename === 'string' ? details.filename : 'download',
      contentType: cleanContentType(typeof details.content_type === 'string' ? details.content_type : undefined),
    };
  }
}

/** Multipart parsing errors (busboy, plugin limits) are the client's, never a 500. */
async function* iterateParts(parts: AsyncIterable<MultipartFile | import('@fastify/multipart').MultipartValue>) {
  const iterator = parts[Symbol.asyncIterator]();
  for (;;) {
    let next;
    try {
      next = await iterator.next();
    } catch (err) {
      throw new ClientUploadError(err);
    }
    if (next.done) return;
    yield next.value;
  }
}

function toHttpError(err: unknown, max: number): unknown {
  const tooLarge = () =>
    // The rest of the body is not read: close the connection after answering.
    new HttpErrorWithHeaders(`File exceeds the maximum upload size of ${max} bytes`, 413, { Connection: 'close' });
  if (err instanceof TooLargeError) return tooLarge();
  if (!(err instanceof ClientUploadError)) return err;
  const cause = err.cause as { code?: string; statusCode?: number; message?: string };
  if (cause instanceof TooLargeError || cause?.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge();
  if (cause?.code === 'FST_FILES_LIMIT') {
    return validationFailed([{ loc: ['body', 'file'], msg: 'Only one file may be uploaded', type: 'too_long' }]);
  }
  if (cause?.code === 'FST_PARTS_LIMIT' || cause?.code === 'FST_FIELDS_LIMIT') {
    return new PayloadTooLargeException('Too many parts in the multipart body');
  }
  if (cause instanceof HttpException) return cause;
  return new BadRequestException(`Malformed multipart body: ${cause?.message ?? 'unreadable'}`);
}
