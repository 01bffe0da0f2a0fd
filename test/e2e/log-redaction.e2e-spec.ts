import { createHash, randomUUID } from 'node:crypto';
import net from 'node:net';
import { createScratchDatabase, query } from '../helpers/databases';
import { startFakeSentry } from '../helpers/sentry';
import { startService, type Service } from '../helpers/processes';
import { sleep, waitFor } from '../helpers/wait';

/**
 * What a real API process writes (stdout and stderr) and sends to Sentry when statements
 * fail: no SQL parameter value (token and password hashes, user data) and no refresh token
 * sent in a query string, whichever way the request ends.
 */
describe('secrets never reach the logs (real process, forced SQL failures)', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let sentry: Awaited<ReturnType<typeof startFakeSentry>>;
  let api: Service;
  let base: string;
  const sql = (text: string, params: unknown[] = []) => query(db.url, text, params);
  const post = (path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const lines = () =>
    api
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  /** The output lines holding `secret` (so that a failure shows only those). */
  const leaks = (secret: string) =>
    api
      .output()
      .split('\n')
      .filter((l) => l.includes(secret));
  const errorLine = (errorId: string) =>
    waitFor(`the log line of ${errorId}`, async () => lines().find((l) => l.error_id === errorId), 5_000);
  const login = async (email: string, password = 'correct horse battery') => {
    expect((await post('/api/auth/register', { email, password })).status).toBe(201);
    const res = await post('/api/auth/login', { email, password });
    expect(res.status).toBe(200);
    return (await res.json()) as { access_token: string; refresh_token: string };
  };

  beforeAll(async () => {
    db = await createScratchDatabase('logs');
    sentry = await startFakeSentry();
    api = await startService('api', { DATABASE_URL: db.url, LOG_LEVEL: 'info', SENTRY_DSN: sentry.dsn }, 60_000);
    base = `http://127.0.0.1:${api.port}`;
  });
  afterAll(async () => {
    await api?.stop();
    await sentry?.close();
    await db?.drop();
  });

  it('a failed TypeORM statement logs its error without the parameters (here: a password hash)', async () => {
    const email = `poisoned-${randomUUID()}@example.com`;
    await sql(`ALTER TABLE users ADD CONSTRAINT test_poisoned_email CHECK (email NOT LIKE 'poisoned-%') NOT VALID`);
    const res = await post('/api/auth/register', { email, password: 'a password never to be logged' });
    expect(res.status).toBe(500);
    const { error_id } = (await res.json()) as { error_id: string };
    const line = await errorLine(error_id);
    // the failure is still diagnosable: which constraint, which statement, the stack
    expect(JSON.stringify(line)).toContain('test_poisoned_email');
    expect(JSON.stringify(line)).toContain('23514');
    for (const secret of [email, '$argon2id$', 'a password never to be logged']) expect(leaks(secret)).toEqual([]);
  });

  it('a failed statement of the Sql service logs no value of the failing row', async () => {
    const me = await login(`sql-${randomUUID()}@example.com`);
    const marker = `/secret/path-${randomUUID()}.txt`;
    await sql(`ALTER TABLE events ADD CONSTRAINT test_poisoned_path CHECK (file_path IS DISTINCT FROM '${marker}') NOT VALID`);
    const res = await fetch(`${base}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${me.access_token}` },
      body: JSON.stringify({ event_type: 'file_opened', file_path: marker, tool: 'vim' }),
    });
    expect(res.status).toBe(500);
    const line = await errorLine(((await res.json()) as { error_id: string }).error_id);
    expect(JSON.stringify(line)).toContain('test_poisoned_path');
    expect(leaks(marker)).toEqual([]);
  });

  it('a data exception that quotes the offending value (SQLSTATE 22) keeps it out of logs and Sentry', async () => {
    const me = await login(`cast-${randomUUID()}@example.com`);
    const marker = `/cast/value-${randomUUID()}`;
    // a statement that casts a parameter and fails on it, as a bad cast in SQL would
    await sql(`CREATE FUNCTION test_poisoned_cast() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN IF NEW.file_path LIKE '/cast/%' THEN PERFORM NEW.file_path::uuid; END IF; RETURN NEW; END $$`);
    await sql(`CREATE TRIGGER test_poisoned_cast BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION test_poisoned_cast()`);
    const res = await fetch(`${base}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${me.access_token}` },
      body: JSON.stringify({ event_type: 'file_opened', file_path: marker }),
    });
    expect(res.status).toBe(500);
    const { error_id } = (await res.json()) as { error_id: string };
    const line = await errorLine(error_id);
    expect(line.msg).toContain('invalid input syntax for type uuid');
    expect(leaks(marker)).toEqual([]);
    const envelope = await waitFor('the Sentry event', async () => sentry.envelopes.find((e) => e.includes(error_id)), 10_000);
    expect(envelope).toContain('invalid input syntax for type uuid');
    // nor the request's body (the value again) or its bearer token
    for (const secret of [marker, me.access_token])
      expect(envelope.includes(secret) ? `sent to Sentry: ${secret}` : 'not sent').toBe('not sent');
  });

  describe('a refresh token sent in the query string', () => {
    it('is redacted from the request line when the refresh fails (401), also under an encoded parameter name', async () => {
      const bogus = `bogus-refresh-${randomUUID()}`;
      expect((await post(`/api/auth/refresh?refresh_token=${bogus}`)).status).toBe(401);
      expect((await post(`/api/v1/auth/refresh?refresh%5Ftoken=${bogus}-encoded`)).status).toBe(401);
      // an unknown parameter of a write is a 422; the value is redacted all the same
      expect((await post(`/api/auth/refresh?x=1&REFRESH_TOKEN=${bogus}-upper`)).status).toBe(422);
      await sleep(200);
      const refreshLines = lines().filter((l) => (l.req as { url?: string } | undefined)?.url?.includes('/auth/refresh'));
      expect(refreshLines.length).toBeGreaterThanOrEqual(3);
      expect(leaks(bogus)).toEqual([]);
      expect(refreshLines.map((l) => (l.req as { url: string }).url)).toEqual(
        expect.arrayContaining([
          '/api/auth/refresh?refresh_token=[REDACTED]',
          '/api/auth/refresh?refresh%5Ftoken=[REDACTED]',
          '/api/auth/refresh?x=1&REFRESH_TOKEN=[REDACTED]',
        ]),
      );
    });

    it('is redacted like a verification token in the path, however the path is spelt', async () => {
      const token = `verification-${randomUUID()}`;
      for (const path of ['/api/auth/verify-email/', '/api/auth/verify%2Demail/', '/api/v1/auth/verify-email/']) {
        expect((await fetch(`${base}${path}${token}`)).status).toBe(400);
      }
      await sleep(200);
      expect(leaks(token)).toEqual([]);
    });

    it.each(['refresh_token', 'refresh%5Ftoken'])('is redacted from the line of an aborted request (%s)', async (name) => {
      const token = `aborted-refresh-${randomUUID()}`;
      const requestId = `trace-aborted-${randomUUID()}`;
      const socket = net.connect(api.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      // a body announced but never sent in full: the client hangs up before any answer
      socket.write(
        `POST /api/auth/refresh?${name}=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-Request-ID: ${requestId}\r\n\r\n{"a":`,
      );
      await sleep(300);
      socket.destroy();
      const line = await waitFor('the aborted line', async () => lines().find((l) => l.reqId === requestId), 5_000);
      expect(line).toMatchObject({ msg: 'request aborted', req: { url: `/api/auth/refresh?${name}=[REDACTED]` } });
      expect(leaks(token)).toEqual([]);
    });

    it('is in no log line and no Sentry event when the refresh fails with a 500 (nor is its hash, nor one sent in the body)', async () => {
      const tokens = await login(`refresh-${randomUUID()}@example.com`);
      const hash = createHash('sha256').update(tokens.refresh_token).digest('hex');
      await sql(`ALTER TABLE refresh_tokens ADD CONSTRAINT test_poisoned_refresh CHECK (used_at IS NULL) NOT VALID`);
      // the failed rotation is rolled back: the same token fails again, sent another way
      for (const [name, logged] of [
        ['refresh_token', '/api/auth/refresh?refresh_token=[REDACTED]'],
        ['refresh%5Ftoken', '/api/auth/refresh?refresh%5Ftoken=[REDACTED]'],
        ['', '/api/auth/refresh'],
      ]) {
        const res = name
          ? await post(`/api/auth/refresh?${name}=${encodeURIComponent(tokens.refresh_token)}`)
          : await post('/api/auth/refresh', { refresh_token: tokens.refresh_token });
        expect(res.status).toBe(500);
        const { error_id } = (await res.json()) as { error_id: string };
        const line = await errorLine(error_id);
        expect(line).toMatchObject({ url: logged });
        expect(JSON.stringify(line)).toContain('test_poisoned_refresh');
        const envelope = await waitFor('the Sentry event', async () => sentry.envelopes.find((e) => e.includes(error_id)), 10_000);
        expect(envelope).toContain('test_poisoned_refresh');
        for (const secret of [tokens.refresh_token, encodeURIComponent(tokens.refresh_token), hash]) {
          expect(leaks(secret)).toEqual([]);
          expect(envelope.includes(secret) ? `${name || 'body'}: ${secret} sent to Sentry` : 'not sent').toBe('not sent');
        }
      }
    });
  });
});
