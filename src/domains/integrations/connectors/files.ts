import { Readable } from 'node:stream';
import type { UploadedFiles } from '@/domains/events';
import { ProviderError, type ActionFile, type FileOpener, type FileRef } from './connector';

/** Text sources are held in the job: at most this many bytes. */
const MAX_TEXT_FILE_BYTES = 1024 * 1024;

const TEMPLATE = '\\{\\{[^}]+\\}\\}';
const UUID_OR_TEMPLATE = `^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|.*${TEMPLATE}.*)$`;
const FILE_NAME = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[^/\\\\\\u0000]+$',
  description: "File name to use (default: the source's)",
};

/**
 * The `file` parameter of actions that move a file. The backend does not have the user's
 * disk: a file is one the user uploaded (POST /api/events/upload) — by its event id, or the
 * latest upload whose name matches a glob — or text, which may be rendered from the trigger
 * or from a previous step's output (`{"text": "{{steps.fetch.output.body}}", "name": "data.json"}`).
 */
export const FILE_PARAM = {
  type: 'object',
  description:
    'Exactly one source: {"event_id"} of an upload (POST /api/events/upload), {"latest_upload": "*.csv"} — your newest ' +
    'upload whose file name matches the glob — or {"text", "name"?, "content_type"?} (templates allowed, e.g. a previous ' +
    "step's output).",
  additionalProperties: false,
  properties: {
    event_id: { type: 'string', pattern: UUID_OR_TEMPLATE, description: 'The event id POST /api/events/upload answered' },
    latest_upload: { type: 'string', minLength: 1, maxLength: 255, description: 'A file-name glob: * any run, ? one character' },
    text: { type: 'string', maxLength: MAX_TEXT_FILE_BYTES, description: "The file's content as text (templates allowed), at most 1 MiB" },
    name: FILE_NAME,
    content_type: {
      type: 'string',
      maxLength: 255,
      pattern: '^[\\w.+-]+/[\\w.+-]+',
      description: 'Media type of a text source (default text/plain)',
    },
  },
  oneOf: [{ required: ['event_id'] }, { required: ['latest_upload'] }, { required: ['text'] }],
} as const;

/** Opens the files of a step's parameters as the workflow's owner; a missing one fails the step (not retried). */
export class OwnerFiles implements FileOpener {
  constructor(
    private readonly uploads: UploadedFiles,
    private readonly ownerId: string,
    private readonly provider: string,
  ) {}

  async open(ref: FileRef): Promise<ActionFile> {
    if ('text' in ref) {
      const bytes = Buffer.from(ref.text, 'utf8');
      return {
        name: ref.name ?? 'floyo.txt',
        contentType: ref.content_type ?? 'text/plain; charset=utf-8',
        size: bytes.length,
        open: () => Promise.resolve(Readable.from([bytes])),
      };
    }
    const found =
      'event_id' in ref
        ? await this.uploads.byEvent(this.ownerId, ref.event_id)
        : await this.uploads.latestMatching(this.ownerId, ref.latest_upload);
    if (!found) {
      const what =
        'event_id' in ref ? `no upload with event id ${ref.event_id}` : `no upload whose file name matches "${ref.latest_upload}"`;
      throw new ProviderError(this.provider, 'fail', `file not found: ${what} (upload the file with POST /api/events/upload)`);
    }
    return { name: ref.name ?? found.filename, contentType: found.contentType, size: found.size, open: () => found.open() };
  }
}

/** The whole file in memory (for providers that need the length or a hash first), bounded. */
export async function readAll(file: ActionFile, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await file.open()) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > max) throw new ProviderError('Floyo', 'fail', `${file.name} is larger than ${max} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
