import type { TestApp } from './app';
import { bearer, type TestUser } from './users';

/** Route limits out of the way for suites that are not about them (the limits suite sets its own). */
export const ACTIVITY_ENV: Record<string, string> = {
  RATE_LIMIT_BATCH_PER_MINUTE: '100000',
  RATE_LIMIT_GENERATE_PER_HOUR: '100000',
  RATE_LIMIT_DATA_DELETE_PER_HOUR: '100000',
};

export interface EventInput {
  event_type: string;
  file_path?: string | null;
  tool?: string | null;
  operation?: string | null;
  details?: Record<string, unknown> | null;
  timestamp?: string | null;
}

/** Inserts events through the batch route (1000 per call). */
export async function addEvents(t: TestApp, user: TestUser, events: EventInput[]): Promise<{ id: string }[]> {
  const out: { id: string }[] = [];
  for (let i = 0; i < events.length; i += 1000) {
    const res = await t
      .http()
      .post('/api/events/batch')
      .set(bearer(user.accessToken))
      .send(events.slice(i, i + 1000))
      .expect(201);
    out.push(...(res.body as { id: string }[]));
  }
  return out;
}

/** n events, one second apart ending at `end`, oldest first. */
export function eventSeries(
  n: number,
  make: (i: number) => Partial<EventInput> = () => ({}),
  end = Date.parse('2026-01-01T00:00:00Z'),
): EventInput[] {
  return Array.from({ length: n }, (_, i) => ({
    event_type: 'file_opened',
    timestamp: new Date(end - (n - 1 - i) * 1000).toISOString(),
    ...make(i),
  }));
}

export const get = (t: TestApp, user: TestUser, url: string) => t.http().get(url).set(bearer(user.accessToken));

/**
 * A multipart/form-data body built by hand, so a test controls every byte of the part
 * headers (HTTP client libraries reduce file names to their base name).
 */
export function multipartBody(parts: { name: string; filename?: string; contentType?: string; data: Buffer | string }[]): {
  contentType: string;
  body: Buffer;
} {
  const boundary = `----floyotest${Date.now().toString(16)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const headers = `Content-Disposition: ${disposition}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\n${headers}\r\n`, 'latin1'), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
