import { randomUUID } from 'node:crypto';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';
import { RealtimeService } from '../../../src/platform/realtime/realtime.service';
import { createTestApp, type TestApp } from '../../helpers/app';
import { inviteAndAccept } from '../../helpers/organizations';
import { assertBuilt, type Service, startService } from '../../helpers/processes';
import { connectSocket, emitWithAck, record, waitUntil } from '../../helpers/sockets';
import { bearer, registerAndLogin, type TestUser, uniqueEmail } from '../../helpers/users';
import { TEST_ENV, TEST_REDIS_URL } from '../../setup/test-env';

describe('realtime gateway (Socket.IO, real Redis adapter)', () => {
  let t: TestApp;
  let port: number;
  let alice: TestUser;
  let bob: TestUser;
  const sockets: Socket[] = [];
  const connect = async (token?: string, headers?: Record<string, string>) => {
    const s = await connectSocket(port, token, { headers });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await createTestApp({ SOCKET_MESSAGES_PER_10S: '5' });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
    [alice, bob] = await Promise.all([registerAndLogin(t), registerAndLogin(t)]);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t.close();
  });

  describe('handshake', () => {
    it('refuses a missing token, saying why', async () => {
      await expect(connectSocket(port)).rejects.toThrow(/Authentication required/);
    });

    it('refuses a bad signature, an expired token and garbage', async () => {
      const sid = (jwt.decode(alice.accessToken) as { sid: string }).sid;
      const forged = jwt.sign({ sid, type: 'access' }, 'not-the-secret-but-long-enough-0123456789', { subject: alice.id, expiresIn: 60 });
      const expired = jwt.sign({ sid, type: 'access', exp: Math.floor(Date.now() / 1000) - 5 }, TEST_ENV.SECRET_KEY, { subject: alice.id });
      await expect(connectSocket(port, forged)).rejects.toThrow(/Invalid token/);
      await expect(connectSocket(port, expired)).rejects.toThrow(/expired/);
      await expect(connectSocket(port, 'garbage')).rejects.toThrow(/Invalid token/);
    });

    it('takes a stock client (long-polling first) and a token refused over polling says why', async () => {
      const stock = await connectSocket(port, alice.accessToken, { transports: ['polling'] });
      sockets.push(stock);
      expect(stock.io.engine.transport.name).toBe('polling');
      await expect(connectSocket(port, 'garbage', { transports: 'default' })).rejects.toThrow(/Invalid token/);
    });

    it('SOCKET_TRANSPORTS=websocket: websocket-only clients connect, polling is refused', async () => {
      const wsOnly = await createTestApp({ SOCKET_TRANSPORTS: 'websocket' });
      try {
        await wsOnly.app.listen(0, '127.0.0.1');
        const wsPort = (wsOnly.app.getHttpServer().address() as { port: number }).port;
        const user = await registerAndLogin(wsOnly);
        const ws = await connectSocket(wsPort, user.accessToken, { transports: ['websocket'] });
        expect(ws.connected).toBe(true);
        ws.close();
        await expect(connectSocket(wsPort, user.accessToken, { transports: ['polling'] })).rejects.toThrow(/xhr poll error/);
      } finally {
        await wsOnly.close();
      }
    });

    it('accepts the token in auth.token or an Authorization header', async () => {
      expect((await connect(alice.accessToken)).connected).toBe(true);
      expect((await connect(undefined, { Authorization: `Bearer ${alice.accessToken}` })).connected).toBe(true);
    });
  });

  it('acks ping with the server time', async () => {
    const s = await connect(alice.accessToken);
    const reply = await emitWithAck<{ server_time: string }>(s, 'ping');
    expect(Date.parse(reply.server_time)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('delivers to the user’s room only', async () => {
    const a = await connect(alice.accessToken);
    const b = await connect(bob.accessToken);
    const forAlice = record(a, 'notification');
    const forBob = record(b, 'notification');
    t.app.get(RealtimeService).toUser(alice.id, 'notification', { message: 'hello alice' });
    await waitUntil('alice to be notified', () => forAlice.length > 0);
    expect(forAlice[0]).toMatchObject({ message: 'hello alice', event_id: expect.any(String), timestamp: expect.any(String) });
    await new Promise((r) => setTimeout(r, 200));
    expect(forBob).toEqual([]);
  });

  it('joins org rooms of member organizations only', async () => {
    const org = (
      await t
        .http()
        .post('/api/organizations')
        .set(bearer(alice.accessToken))
        .send({ name: `Org ${Date.now()}` })
        .expect(201)
    ).body;
    const a = await connect(alice.accessToken); // connected after becoming a member: already in the room
    const b = await connect(bob.accessToken);
    const refused = await emitWithAck<{ ok: boolean; error?: string }>(b, 'subscribe', { organization_id: org.id });
    expect(refused).toEqual({ ok: false, error: 'Not a member of this organization' });
    expect(await emitWithAck(b, 'subscribe', { organization_id: 'nope' })).toEqual({ ok: false, error: 'organization_id must be a UUID' });
    const ok = await emitWithAck(a, 'subscribe', { organization_id: org.id });
    expect(ok).toEqual({ ok: true, room: `org:${org.id}` });

    const seenA = record(a, 'notification');
    const seenB = record(b, 'notification');
    t.app.get(RealtimeService).toOrg(org.id, 'notification', { message: 'org news' });
    await waitUntil('the org member to be notified', () => seenA.length > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(seenB).toEqual([]);
    expect(await emitWithAck(a, 'unsubscribe', { organization_id: org.id })).toEqual({ ok: true, room: `org:${org.id}` });
  });

  it('disconnects a socket at once when its session is revoked elsewhere', async () => {
    const second = await t.http().post('/api/auth/login').send({ email: alice.email, password: alice.password }).expect(200);
    const s = await connect(second.body.access_token);
    const gone = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    const sid = (jwt.decode(second.body.access_token) as { sid: string }).sid;
    await t.http().delete(`/api/auth/sessions/${sid}`).set(bearer(alice.accessToken)).expect(200);
    expect(await gone).toBe('io server disconnect');
    // and it cannot come back with that token
    await expect(connectSocket(port, second.body.access_token)).rejects.toThrow(/revoked/);
  });

  it('moves live sockets into an org room when the user joins (accepts an invitation), and out when removed', async () => {
    const org = (
      await t
        .http()
        .post('/api/organizations')
        .set(bearer(alice.accessToken))
        .send({ name: `Team ${Date.now()}` })
        .expect(201)
    ).body;
    const b = await connect(bob.accessToken);
    const seen = record<{ message: string }>(b, 'notification');
    const realtime = t.app.get(RealtimeService);
    await t
      .http()
      .post(`/api/organizations/${org.id}/members`)
      .set(bearer(alice.accessToken))
      .send({ email: bob.email, role: 'member' })
      .expect(201);
    await new Promise((r) => setTimeout(r, 300));
    realtime.toOrg(org.id, 'notification', { message: 'before consent' });
    await inviteAndAccept(t, alice, org.id, bob);
    await new Promise((r) => setTimeout(r, 300)); // the room change travels through Redis
    realtime.toOrg(org.id, 'notification', { message: 'welcome' });
    await waitUntil('bob to get org news', () => seen.some((n) => n.message === 'welcome'));
    expect(seen.map((n) => n.message)).not.toContain('before consent'); // invited is not joined
    await t.http().delete(`/api/organizations/${org.id}/members/${bob.id}`).set(bearer(alice.accessToken)).expect(200);
    await new Promise((r) => setTimeout(r, 300));
    realtime.toOrg(org.id, 'notification', { message: 'after removal' });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.map((n) => n.message)).not.toContain('after removal');
  });

  it('rate-limits inbound messages per socket', async () => {
    const s = await connect(bob.accessToken);
    const replies = [];
    for (let i = 0; i < 8; i++) replies.push(await emitWithAck<{ ok?: boolean; server_time?: string }>(s, 'ping'));
    expect(replies.filter((r) => r.server_time)).toHaveLength(5);
    expect(replies.slice(5)).toEqual(Array(3).fill({ ok: false, error: 'Too many messages: slow down' }));
  });

  it('closes a socket that sends an oversized message', async () => {
    const s = await connect(bob.accessToken);
    const closed = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    s.emit('subscribe', { organization_id: 'x'.repeat(64 * 1024) });
    expect(await closed).toMatch(/transport close|transport error/);
  });

  it('reports the adapter in readiness and the socket count in /metrics', async () => {
    const ready = await t.http().get('/health/readiness').expect(200);
    expect(ready.body.checks.realtime).toBe('ok');
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^floyo_socket_connections \d+/m);
    expect(metrics.text).toMatch(/floyo_realtime_events_emitted_total\{event="notification"\} \d+/);
  });
});

/**
 * The same gateway as built and shipped (dist/main.js in a child process), with a low HTTP
 * rate limit: tsc emits the `@ConnectedSocket()` parameter's class (the in-process tests'
 * compiler does not), which the global validation pipe once walked into "Internal server
 * error"; and HTTP rate limits once applied to socket messages under one key for everyone.
 */
describe('realtime gateway as built (dist/main.js)', () => {
  const PREFIX = `${TEST_ENV.REDIS_KEY_PREFIX}gw-${randomUUID().slice(0, 6)}:`;
  let api: Service;
  let redis: Redis;
  let emitter: Emitter;
  const sockets: Socket[] = [];

  const http = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const signup = async () => {
    const email = uniqueEmail('gw');
    expect((await http('POST', '/api/auth/register', { email, password: 'password 12345' })).status).toBe(201);
    const login = await http('POST', '/api/auth/login', { email, password: 'password 12345' });
    return login.body.access_token as string;
  };
  const connect = async (token: string) => {
    const s = await connectSocket(api.port, token);
    sockets.push(s);
    return s;
  };
  const quietly = () => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    assertBuilt();
    // HTTP: 5 requests a minute per route and caller; sockets: 5 messages per 10 s each
    api = await startService('api', {
      REDIS_KEY_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '5',
      SOCKET_MESSAGES_PER_10S: '5',
    });
    redis = new Redis(TEST_REDIS_URL);
    emitter = new Emitter(redis, { key: `${PREFIX}socket.io` });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    redis?.disconnect();
    await api?.stop();
  });

  it('a member subscribes to their organization and gets its events; a non-member is refused, saying why', async () => {
    const [alice, bob] = [await signup(), await signup()];
    const org = await http('POST', '/api/organizations', { name: `Org ${Date.now()}` }, alice);
    expect(org.status).toBe(201);
    const orgId = org.body.id as string;
    const [a, b] = [await connect(alice), await connect(bob)];
    const seenA = record<{ message: string }>(a, 'notification');
    const seenB = record<{ message: string }>(b, 'notification');
    const toOrg = (message: string) => emitter.to(`org:${orgId}`).emit('notification', { message });

    // alice joined her org's room at the handshake: leave it, then subscribe again
    expect(await emitWithAck(a, 'unsubscribe', { organization_id: orgId })).toEqual({ ok: true, room: `org:${orgId}` });
    toOrg('while away');
    await quietly();
    expect(seenA).toEqual([]);
    expect(await emitWithAck(a, 'subscribe', { organization_id: orgId })).toEqual({ ok: true, room: `org:${orgId}` });
    toOrg('org news');
    await waitUntil('the member to get the org event', () => seenA.some((n) => n.message === 'org news'));

    expect(await emitWithAck(b, 'subscribe', { organization_id: orgId })).toEqual({
      ok: false,
      error: 'Not a member of this organization',
    });
    expect(await emitWithAck(b, 'subscribe', { organization_id: 'nope' })).toEqual({ ok: false, error: 'organization_id must be a UUID' });
    toOrg('members only');
    await quietly();
    expect(seenB).toEqual([]);
  });

  it('gives every socket its own message budget', async () => {
    const [carol, dave] = [await connect(await signup()), await connect(await signup())];
    const pings = async (s: Socket, n: number) => {
      const replies: { server_time?: string; ok?: boolean; error?: string }[] = [];
      for (let i = 0; i < n; i++) replies.push(await emitWithAck(s, 'ping', { seq: i }));
      return replies;
    };
    const carols = await pings(carol, 6);
    expect(carols.slice(0, 5).every((r) => typeof r.server_time === 'string')).toBe(true);
    expect(carols[5]).toEqual({ ok: false, error: 'Too many messages: slow down' });
    // carol's budget is spent; dave's is whole (and HTTP's 5 a minute do not count here)
    const daves = await pings(dave, 5);
    expect(daves.every((r) => typeof r.server_time === 'string')).toBe(true);
    // nor did the HTTP limiter take socket messages for a broken limiter storage ("fail open")
    const metrics = await (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text();
    expect(metrics).toMatch(/^floyo_rate_limit_fail_open_total 0$/m);
  });
});
