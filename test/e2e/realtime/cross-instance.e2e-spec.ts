import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { connectSocket, record, waitUntil } from '../../helpers/sockets';
import { TcpProxy } from '../../helpers/tcp-proxy';
import { uniqueEmail } from '../../helpers/users';
import { TEST_REDIS_URL } from '../../setup/test-env';

/**
 * Two API processes and one worker (real dist/ processes) sharing Redis: an update made
 * on one replica — or by the worker — reaches the user's sockets on every replica, never
 * another user's; and fan-out resumes by itself after Redis comes back.
 */
describe('realtime across replicas (real processes)', () => {
  const PREFIX = `floyo-test-rt-${randomUUID().slice(0, 6)}:`;
  const env = { REDIS_KEY_PREFIX: PREFIX, LOG_LEVEL: 'warn' };
  let api1: Service;
  let api2: Service;
  let worker: Service;
  let redisProxy: TcpProxy;
  const sockets: Socket[] = [];

  const http = async (api: Service, method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const signup = async (api: Service) => {
    const email = uniqueEmail('rt');
    const reg = await http(api, 'POST', '/api/auth/register', { email, password: 'password 12345' });
    const login = await http(api, 'POST', '/api/auth/login', { email, password: 'password 12345' });
    return { id: reg.body.id as string, token: login.body.access_token as string };
  };
  const connect = async (api: Service, token: string, transports?: 'default' | ('polling' | 'websocket')[]) => {
    const s = await connectSocket(api.port, token, { transports });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    assertBuilt();
    redisProxy = await TcpProxy.forUrl(TEST_REDIS_URL, 6379).start();
    [api1, api2, worker] = await Promise.all([
      startService('api', env),
      startService('api', { ...env, REDIS_URL: redisProxy.url(TEST_REDIS_URL) }),
      startService('worker', env),
    ]);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([api1, api2, worker].filter(Boolean).map((p) => p.stop()));
    await redisProxy.stop();
  });

  it('a stock client (polling, then the upgrade) and a websocket-only client both get event.created across replicas', async () => {
    const alice = await signup(api1);
    const stock = await connect(api1, alice.token, 'default');
    const wsOnly = await connect(api2, alice.token, ['websocket']);
    const seenStock = record<{ id: string }>(stock, 'event.created');
    const seenWs = record<{ id: string }>(wsOnly, 'event.created');
    const created = await http(api2, 'POST', '/api/events', { event_type: 'file_opened', file_path: '/tmp/a.md' }, alice.token);
    expect(created.status).toBe(201);
    await waitUntil('event.created on the stock client (replica 1)', () => seenStock.some((e) => e.id === created.body.id), 15_000);
    await waitUntil('event.created on the websocket-only client (replica 2)', () => seenWs.some((e) => e.id === created.body.id), 15_000);
    // the stock client started on long-polling and upgraded to a WebSocket by itself
    await waitUntil('the upgrade to websocket', () => stock.io.engine.transport.name === 'websocket', 10_000);
    // a client that stays on long-polling (no upgrade) works too
    const pollOnly = await connect(api2, alice.token, ['polling']);
    const seenPoll = record<{ id: string }>(pollOnly, 'event.created');
    const again = await http(api1, 'POST', '/api/events', { event_type: 'file_opened', file_path: '/tmp/b.md' }, alice.token);
    await waitUntil('event.created on the polling-only client', () => seenPoll.some((e) => e.id === again.body.id), 15_000);
  });

  it('fans out worker emits to the user’s sockets on both replicas, and to nobody else', async () => {
    const alice = await signup(api1);
    const bob = await signup(api1);
    const a1 = await connect(api1, alice.token);
    const a2 = await connect(api2, alice.token);
    const b2 = await connect(api2, bob.token);
    const updates1 = record<{ status: string; workflow_id: string }>(a1, 'workflow.execution.updated');
    const updates2 = record<{ status: string; workflow_id: string }>(a2, 'workflow.execution.updated');
    const notes2 = record<{ message: string }>(a2, 'notification');
    const bobSaw = [...['workflow.execution.updated', 'notification', 'event.created'].map((e) => record(b2, e))];

    const wf = await http(
      api1,
      'POST',
      '/api/workflows',
      { name: 'rt', steps: [{ type: 'notify', message: 'ping from the worker' }] },
      alice.token,
    );
    expect(wf.status).toBe(201);
    const exec = await http(api2, 'POST', `/api/workflows/${wf.body.id}/execute`, {}, alice.token);
    expect(exec.status).toBe(200);

    const completed = (list: { status: string }[]) => list.some((u) => u.status === 'completed');
    await waitUntil('the update on replica 1', () => completed(updates1), 15_000);
    await waitUntil('the update on replica 2', () => completed(updates2), 15_000);
    await waitUntil('the notification on replica 2', () => notes2.length > 0, 15_000);
    expect(updates2.find((u) => u.status === 'completed')).toMatchObject({
      id: exec.body.execution_id,
      workflow_id: wf.body.id,
      step: null,
    });
    expect(notes2[0]).toMatchObject({ message: 'ping from the worker', event_id: expect.any(String), timestamp: expect.any(String) });
    await new Promise((r) => setTimeout(r, 300));
    for (const seen of bobSaw) expect(seen).toEqual([]);
  });

  it('delivers event, batch and pattern updates made through one replica to the other', async () => {
    const dana = await signup(api1);
    const erin = await signup(api1);
    const d2 = await connect(api2, dana.token);
    const e2 = await connect(api2, erin.token);
    const created = record<{ id: string; event_type: string; file_path: string }>(d2, 'event.created');
    const batches = record<{ count: number }>(d2, 'events.batch_created');
    const patterns = record<{ file_extension: string; count: number }>(d2, 'pattern.updated');
    const erinSaw = record(e2, 'event.created');

    const one = await http(
      api1,
      'POST',
      '/api/events',
      { event_type: 'file_opened', file_path: '/work/report.csv', tool: 'excel' },
      dana.token,
    );
    expect(one.status).toBe(201);
    await waitUntil('event.created on the other replica', () => created.length > 0, 10_000);
    expect(created[0]).toMatchObject({
      id: one.body.id,
      event_type: 'file_opened',
      file_path: '/work/report.csv',
      event_id: expect.any(String),
    });
    await waitUntil('pattern.updated', () => patterns.some((p) => p.file_extension === '.csv'), 10_000);

    const batch = await http(
      api1,
      'POST',
      '/api/events/batch',
      [1, 2, 3].map((i) => ({ event_type: 'file_saved', file_path: `/work/n${i}.md` })),
      dana.token,
    );
    expect(batch.status).toBe(201);
    await waitUntil('events.batch_created', () => batches.length > 0, 10_000);
    expect(batches[0].count).toBe(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(erinSaw).toEqual([]);
  });

  it('resumes cross-replica delivery after Redis was cut, without restarting the API', async () => {
    const carol = await signup(api1);
    const c2 = await connect(api2, carol.token);
    const notes = record<{ message: string }>(c2, 'notification');
    const wf = await http(
      api1,
      'POST',
      '/api/workflows',
      { name: 'rt2', steps: [{ type: 'notify', message: 'after the outage' }] },
      carol.token,
    );

    redisProxy.cut();
    const down = await http(api2, 'GET', '/health/readiness');
    expect(down.status).toBe(503);
    await new Promise((r) => setTimeout(r, 1_000));
    redisProxy.restore();
    const deadline = Date.now() + 15_000;
    while ((await http(api2, 'GET', '/health/readiness')).status !== 200) {
      if (Date.now() > deadline) throw new Error('replica 2 did not become ready again');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(c2.connected).toBe(true); // the client's socket never depended on Redis
    await http(api1, 'POST', `/api/workflows/${wf.body.id}/execute`, {}, carol.token);
    await waitUntil('the notification after the outage', () => notes.some((n) => n.message === 'after the outage'), 15_000);
  });
});
