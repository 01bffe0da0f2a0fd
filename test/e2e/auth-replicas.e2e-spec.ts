import { randomUUID } from 'node:crypto';
import { query } from '../helpers/databases';
import { json } from '../helpers/load';
import { type Service, startService } from '../helpers/processes';
import { uniqueEmail } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

/**
 * Two API replicas, each keeping a token's user/session check in memory for
 * AUTH_PRINCIPAL_CACHE_MS (here 60 s, so only the announcement can explain a refusal):
 * a session revoked on one replica is refused on the other at once.
 */
const del = (base: string, path: string, token: string) =>
  fetch(`${base}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });

/** GET /api/auth/me until it is not 200 (the Redis message takes milliseconds), at most 1 s. */
async function statusWithin(base: string, token: string): Promise<number> {
  const deadline = Date.now() + 1_000;
  let status = 200;
  while (status === 200 && Date.now() < deadline) status = (await json(base, 'GET', '/api/auth/me', undefined, token)).status;
  return status;
}

describe('session revocation across replicas (real processes)', () => {
  const env = { REDIS_KEY_PREFIX: `floyo-test-ar-${randomUUID().slice(0, 6)}:`, AUTH_PRINCIPAL_CACHE_MS: '60000' };
  let a: Service;
  let b: Service;
  beforeAll(async () => {
    [a, b] = await Promise.all([startService('api', env), startService('api', env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('a revocation on replica A is refused on replica B at once', async () => {
    const baseA = `http://127.0.0.1:${a.port}`;
    const baseB = `http://127.0.0.1:${b.port}`;
    const email = uniqueEmail('replicas');
    await json(baseA, 'POST', '/api/auth/register', { email, password: 'password 12345' });
    const login = async () =>
      (await json(baseA, 'POST', '/api/auth/login', { email, password: 'password 12345' })).body.access_token as string;
    const [kept, revoked] = [await login(), await login()];
    for (const token of [kept, revoked]) expect((await json(baseB, 'GET', '/api/auth/me', undefined, token)).status).toBe(200); // now in B's memory
    const sessions = (await json(baseA, 'GET', '/api/auth/sessions', undefined, kept)).body as unknown as {
      id: string;
      is_current: boolean;
    }[];
    const other = sessions.find((s) => !s.is_current)!;
    // expired behind the API's back: B still answers from memory — the cache is real
    await query(TEST_DATABASE_URL, `UPDATE user_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [other.id]);
    expect((await json(baseB, 'GET', '/api/auth/me', undefined, revoked)).status).toBe(200);
    expect([200, 204]).toContain((await del(baseA, `/api/auth/sessions/${other.id}`, kept)).status);
    expect(await statusWithin(baseB, revoked)).toBe(401);
    expect((await json(baseB, 'GET', '/api/auth/me', undefined, kept)).status).toBe(200);
    // and "log out everywhere else" on B reaches A
    const third = await login();
    expect((await json(baseA, 'GET', '/api/auth/me', undefined, third)).status).toBe(200);
    expect([200, 204]).toContain((await del(baseB, '/api/auth/sessions', kept)).status);
    expect(await statusWithin(baseA, third)).toBe(401);
  });
});
