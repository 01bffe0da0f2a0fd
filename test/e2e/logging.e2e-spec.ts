import net from 'node:net';
import { startService, type Service } from '../helpers/processes';
import { uniqueEmail } from '../helpers/users';

/** The real process's JSON log lines: request id, route, status, latency, user; no secrets. */
describe('structured logs (real process)', () => {
  let api: Service;
  beforeAll(async () => {
    api = await startService('api', { LOG_LEVEL: 'info' });
  });
  afterAll(() => api.stop());
  const logLines = () =>
    api
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('logs one JSON line per request with its id and user, and never a secret', async () => {
    const base = `http://127.0.0.1:${api.port}`;
    const email = uniqueEmail('log');
    const password = 'a-very-secret-password';
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect((await post('/api/auth/register', { email, password }, { 'x-request-id': 'trace-register-1' })).status).toBe(201);
    const tokens = (await (await post('/api/auth/login', { email, password })).json()) as { access_token: string; refresh_token: string };
    const me = await fetch(`${base}/api/auth/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, 'x-request-id': 'trace-me-123' },
    });
    expect(me.status).toBe(200);
    const user = (await me.json()) as { id: string };
    await fetch(`${base}/api/auth/refresh?refresh_token=${tokens.refresh_token}`, { method: 'POST' });
    await fetch(`${base}/api/auth/verify-email/some-secret-verification-token`);
    await fetch(`${base}/health/liveness`);
    await fetch(`${base}/health/readiness`);
    await new Promise((r) => setTimeout(r, 300));

    const lines = logLines();
    const meLine = lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'trace-me-123');
    expect(meLine).toMatchObject({
      user_id: user.id,
      route: '/api/auth/me',
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    // a log made while a request is handled carries its id (here: the verification mail,
    // sent by the registration before it answers — after its body was parsed)
    expect(lines.find((l) => /^mail \(verification\)/.test(String(l.msg)))).toMatchObject({ reqId: 'trace-register-1', context: 'Mail' });
    expect(lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'trace-register-1')).toMatchObject({
      route: '/api/auth/register',
      res: { statusCode: 201 },
      req: { method: 'POST', url: '/api/auth/register' },
    });
    // exactly one line per request
    expect(lines.filter((l) => (l.req as { id?: string } | undefined)?.id === 'trace-me-123')).toHaveLength(1);

    // probes are not logged (they would drown the useful lines)
    expect(lines.filter((l) => String((l.req as { url?: string } | undefined)?.url ?? '').startsWith('/health'))).toEqual([]);

    const all = api.output();
    for (const secret of [password, tokens.access_token, tokens.refresh_token, 'some-secret-verification-token']) {
      expect(all).not.toContain(secret);
    }
  });

  it('logs a request the client aborted before its answer, once', async () => {
    // a body announced but never sent in full: the request waits in body parsing until the
    // client hangs up (no answer is ever written, so there is no onResponse)
    const socket = net.connect(api.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-Request-ID: trace-aborted-1\r\n\r\n{"email":',
    );
    await new Promise((r) => setTimeout(r, 300));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const lines = logLines().filter((l) => l.reqId === 'trace-aborted-1');
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request aborted',
        level: 40,
        req: { id: 'trace-aborted-1', method: 'POST', url: '/api/auth/login' },
        route: '/api/auth/login',
        responseTime: expect.any(Number),
      }),
    ]);
    expect(lines[0].responseTime).toBeGreaterThanOrEqual(250);
    expect(lines[0]).not.toHaveProperty('res');
  });
});
