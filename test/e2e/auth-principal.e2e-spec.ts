import { Sql } from '../../src/platform/database/sql';
import { PrincipalsService } from '../../src/domains/auth/principals.service';
import { createTestApp, type TestApp } from '../helpers/app';
import { registerAndLogin } from '../helpers/users';

/** The session id (`sid`) of an access token. */
const sessionOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;

const PRINCIPAL_SQL = /FROM users u\s+LEFT JOIN user_sessions/;

/** The auth guard's user/session check: one query per token for concurrent requests. */
describe('principal lookups (real PostgreSQL)', () => {
  let t: TestApp;
  let lookups: () => number;
  beforeAll(async () => {
    t = await createTestApp();
    const spy = jest.spyOn(t.app.get(Sql), 'run');
    lookups = () => spy.mock.calls.filter(([sql]) => PRINCIPAL_SQL.test(sql)).length;
  });
  afterAll(() => t.close());

  it('shares one query among the concurrent requests of a token', async () => {
    const u = await registerAndLogin(t);
    const users = t.app.get(PrincipalsService);
    const before = lookups();
    const rows = await Promise.all(Array.from({ length: 30 }, () => users.principal(u.id, sessionOf(u.accessToken))));
    expect(lookups() - before).toBe(1);
    expect(rows.every((r) => r?.id === u.id && r.session_ok === true)).toBe(true);
  });

  it('does not share a lookup that started before the session was revoked', async () => {
    const u = await registerAndLogin(t);
    const users = t.app.get(PrincipalsService);
    const sid = sessionOf(u.accessToken);
    const before = lookups();
    const first = users.principal(u.id, sid);
    users.forgetSessions([sid]);
    const second = users.principal(u.id, sid);
    await Promise.all([first, second]);
    expect(lookups() - before).toBe(2);
  });

  it('with AUTH_PRINCIPAL_CACHE_MS=0 every request reads the database', async () => {
    const t0 = await createTestApp({ AUTH_PRINCIPAL_CACHE_MS: '0' });
    try {
      const spy = jest.spyOn(t0.app.get(Sql), 'run');
      const u = await registerAndLogin(t0);
      const users = t0.app.get(PrincipalsService);
      spy.mockClear();
      await Promise.all(Array.from({ length: 5 }, () => users.principal(u.id, sessionOf(u.accessToken))));
      expect(spy.mock.calls.filter(([sql]) => PRINCIPAL_SQL.test(sql))).toHaveLength(5);
    } finally {
      await t0.close();
    }
  });
});
