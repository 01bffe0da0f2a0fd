import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { bearer, registerAndLogin } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

/**
 * Rotation and reuse detection stay, but a refresh token presented again within
 * REFRESH_TOKEN_REUSE_INTERVAL_SECONDS of its rotation — two tabs, a retried request, a
 * React Query retry — answers 200 with the same successor pair instead of logging the
 * user out. Past the window, reuse still revokes the whole family.
 */
describe('refresh token reuse window', () => {
  let t: TestApp;
  let short: TestApp;
  beforeAll(async () => {
    [t, short] = await Promise.all([createTestApp(), createTestApp({ REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: '1' })]);
  });
  afterAll(() => Promise.all([t.close(), short.close()]));

  const refresh = (app: TestApp, token: string) => app.http().post('/api/auth/refresh').send({ refresh_token: token });
  const tokensOf = async (userId: string) =>
    (
      await query<{ n: number }>(
        TEST_DATABASE_URL,
        'SELECT count(*)::int AS n FROM refresh_tokens t JOIN user_sessions s ON s.id = t.session_id WHERE s.user_id = $1',
        [userId],
      )
    )[0].n;

  it('4 concurrent refreshes with one token: 4 × 200, one successor, the session still valid', async () => {
    const user = await registerAndLogin(t);
    const answers = await Promise.all(Array.from({ length: 4 }, () => refresh(t, user.refreshToken)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const pairs = new Set(answers.map((a) => `${a.body.access_token} ${a.body.refresh_token}`));
    expect(pairs.size).toBe(1);
    expect(answers[0].body.refresh_token).not.toBe(user.refreshToken);
    expect(await tokensOf(user.id)).toBe(2); // the login's and exactly one successor

    const { access_token: access, refresh_token: successor } = answers[0].body;
    await t.http().get('/api/auth/me').set(bearer(access)).expect(200);
    // the successor rotates normally, and the session is still the one live session
    const next = await refresh(t, successor).expect(200);
    const sessions = await t.http().get('/api/auth/sessions').set(bearer(next.body.access_token)).expect(200);
    expect(sessions.body).toHaveLength(1);
  });

  it('a token replayed after its successor rotated too gets the live token, not a dead one', async () => {
    const user = await registerAndLogin(t);
    const first = await refresh(t, user.refreshToken).expect(200);
    const second = await refresh(t, first.body.refresh_token).expect(200);
    const late = await refresh(t, user.refreshToken).expect(200); // a tab still holding the login's token
    expect(late.body.refresh_token).toBe(second.body.refresh_token);
    await refresh(t, late.body.refresh_token).expect(200);
  });

  it('reuse after the window answers 401 and revokes the successor with the whole family', async () => {
    const user = await registerAndLogin(short);
    const rotated = await refresh(short, user.refreshToken).expect(200);
    await refresh(short, user.refreshToken).expect(200); // within the window
    await new Promise((r) => setTimeout(r, 1_300));
    const replay = await refresh(short, user.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toMatch(/reuse detected/);
    await refresh(short, rotated.body.refresh_token).expect(401);
    await short.http().get('/api/auth/me').set(bearer(rotated.body.access_token)).expect(401);
  });

  it('0 disables the window: any reuse revokes the family', async () => {
    const strict = await createTestApp({ REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: '0' });
    try {
      const user = await registerAndLogin(strict);
      const rotated = await refresh(strict, user.refreshToken).expect(200);
      await refresh(strict, user.refreshToken).expect(401);
      await refresh(strict, rotated.body.refresh_token).expect(401);
    } finally {
      await strict.close();
    }
  });

  it('a revoked session is not revived by a replay within the window', async () => {
    const user = await registerAndLogin(t);
    const rotated = await refresh(t, user.refreshToken).expect(200);
    await t.http().delete('/api/auth/sessions').set(bearer(rotated.body.access_token)).expect(200);
    const [session] = await query<{ id: string }>(TEST_DATABASE_URL, 'SELECT id FROM user_sessions WHERE user_id = $1', [user.id]);
    await query(TEST_DATABASE_URL, `UPDATE user_sessions SET revoked_at = now(), revoked_reason = 'revoked' WHERE id = $1`, [session.id]);
    await refresh(t, user.refreshToken).expect(401);
    await refresh(t, rotated.body.refresh_token).expect(401);
  });
});
