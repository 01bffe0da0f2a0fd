import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { generateActivity } from '../fixtures/activity-generator';
import { json } from '../helpers/load';
import { type Service, startService } from '../helpers/processes';
import { connectSocket, record } from '../helpers/sockets';
import { uniqueEmail } from '../helpers/users';
import { waitFor } from '../helpers/wait';

/**
 * The real thing, as deployed: dist/main.js and dist/worker.js. Ingest alone (no generate
 * call) schedules one debounced analysis job per user; the worker analyses, evaluates the
 * rules and pushes `pattern.updated` and `suggestion.created` to the user's sockets.
 */
const ENV = {
  REDIS_KEY_PREFIX: `floyo-test-pi-${randomUUID().slice(0, 6)}:`,
  ANALYSIS_DEBOUNCE_SECONDS: '3',
  ANALYSIS_SETTLE_SECONDS: '0',
  RATE_LIMIT_BATCH_PER_MINUTE: '100000',
};

describe('pattern intelligence in the worker (real processes)', () => {
  let api: Service;
  let worker: Service;
  let socket: Socket | undefined;
  beforeAll(async () => {
    [api, worker] = await Promise.all([startService('api', ENV), startService('worker', ENV)]);
  });
  afterAll(async () => {
    socket?.close();
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  it('ingest triggers one debounced analysis; suggestions and patterns are pushed to the user', async () => {
    const base = `http://127.0.0.1:${api.port}`;
    const email = uniqueEmail('pi');
    await json(base, 'POST', '/api/auth/register', { email, password: 'password 12345' });
    const token = (await json(base, 'POST', '/api/auth/login', { email, password: 'password 12345' })).body.access_token as string;
    expect(
      (await json(base, 'PUT', '/api/config', { suggestions_config: { max_suggestions: 20, use_actual_file_paths: true } }, token)).status,
    ).toBe(200);
    socket = await connectSocket(api.port, token);
    const suggestions = record<{
      id: string;
      trigger: string;
      confidence: number;
      suggested_integration: string;
      suggested_connector: string | null;
      change: string;
    }>(socket, 'suggestion.created');
    const patterns = record<{ id: string; kind?: string; sequence_key?: string; count: number }>(socket, 'pattern.updated');

    const fixture = generateActivity();
    const expected = fixture.planted.length + fixture.incidental.length;
    for (let i = 0; i < fixture.events.length; i += 1000) {
      expect((await json(base, 'POST', '/api/events/batch', fixture.events.slice(i, i + 1000), token)).status).toBe(201);
    }
    await waitFor('the pushed suggestions', async () => suggestions.length >= expected, 30_000);
    expect(suggestions.every((s) => s.change === 'created')).toBe(true);
    expect(new Set(suggestions.map((s) => s.suggested_connector))).toEqual(new Set(['dropbox', 'email', 'github', null, 'googledrive']));
    // the card title, human-readable as the legacy service wrote it
    for (const s of suggestions) expect(s.suggested_integration).toMatch(/^(Dropbox|Email|GitHub|Google Drive|Scheduled routine): \S/);
    // the recurring sequences found (at most 50 per run, the most frequent), each at least at the minimum support
    const sequences = patterns.filter((p) => p.kind === 'sequence');
    expect(sequences.length).toBeGreaterThan(0);
    expect(sequences.length).toBeLessThanOrEqual(50);
    for (const p of sequences)
      expect(p).toMatchObject({ id: expect.any(String), sequence_key: expect.stringContaining(' → '), count: expect.any(Number) });
    expect(Math.min(...sequences.map((p) => p.count))).toBeGreaterThanOrEqual(3);

    const listed = (await json(base, 'GET', '/api/suggestions?limit=100', undefined, token)).body as {
      total: number;
      items: { id: string }[];
    };
    expect(listed.total).toBe(expected);
    expect(new Set(listed.items.map((s) => s.id))).toEqual(new Set(suggestions.map((s) => s.id)));

    // two batch calls inside one debounce window: exactly one analysis job ran
    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    expect(metrics).toMatch(/floyo_queue_job_outcomes_total\{queue="analysis",job="analyse-user",outcome="completed"\} 1\n/);
    expect(metrics).not.toMatch(/queue="analysis",job="analyse-user",outcome="failed"/);
  });
});
