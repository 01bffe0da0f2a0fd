import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { cleanHeaders, encodeBody, type GuardedAgents, type HttpCall, type HttpResult } from '@/platform/http/outbound/safe-http';
import type { ProviderHttp, RecordedHttpRequest } from './connector';

/** What a dry run would have sent: an HTTP request, or what an SDK or SMTP connector records itself. */
export type DryRunRecord = RecordedHttpRequest | ({ kind: string } & Record<string, unknown>);

type Answer = (request: RecordedHttpRequest) => Partial<Pick<HttpResult, 'status' | 'headers' | 'body'>> | undefined;

/** Bytes as a dry run records them: their size and SHA-256, never the content. */
function summariseBytes(bytes: Uint8Array): { bytes: number; sha256: string } {
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** A stream read to its end, summarised as a dry run records bytes: `{bytes, sha256}`. */
export async function summariseStream(stream: Readable): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    bytes += buf.length;
    hash.update(buf);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * The transport's HTTP client in a dry run: `call()` has SafeHttpClient's signature and
 * records the request exactly as SafeHttpClient would send it — the same header clean-up
 * (lower-cased names, the default user-agent, `content-type: application/json` for JSON) and
 * the same body encoding (JSON as the value sent, text as it is, bytes and streams as
 * `{bytes, sha256}`) — then answers a synthetic 200 (the connector's `dryRunAnswer`, else
 * `{}`) without opening a connection. Agents and host resolution are refused: an SDK or
 * SMTP connector records through `record()` instead of connecting.
 */
export class RecordingHttpClient implements ProviderHttp {
  readonly records: DryRunRecord[] = [];

  constructor(private readonly answer: Answer = () => undefined) {}

  async call(input: HttpCall): Promise<HttpResult> {
    input.signal?.throwIfAborted();
    const encoded = encodeBody(input.body);
    const request: RecordedHttpRequest = {
      method: input.method,
      url: new URL(input.url).toString(),
      headers: cleanHeaders(input.headers, encoded),
    };
    if (encoded) {
      const payload = encoded.payload;
      if (encoded.json) request.body = JSON.parse(payload as string) as unknown;
      else if (typeof payload === 'string') request.body = payload;
      else if (payload instanceof Readable) request.body = await summariseStream(payload);
      else request.body = summariseBytes(payload);
    }
    const answered = this.answer(request);
    if (answered?.body !== undefined || answered?.headers) request.note = 'answered with a synthetic response (dry run)';
    this.records.push(request);
    return { status: answered?.status ?? 200, headers: answered?.headers ?? {}, body: answered?.body ?? {}, truncated: false };
  }

  /** A request the connector made without `call()` (an S3 command, an SMTP message). */
  record(entry: { kind: string } & Record<string, unknown>): void {
    this.records.push(entry);
  }

  agents(): GuardedAgents {
    throw new Error('dry run: no connections are opened');
  }

  resolveHost(): Promise<string> {
    return Promise.reject(new Error('dry run: no connections are opened'));
  }
}
