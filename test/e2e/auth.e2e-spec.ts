import jwt from 'jsonwebtoken';
import { createTestApp, type TestApp } from '../helpers/app';
import { query } from '../helpers/databases';
import { bearer, lastMailToken, registerAndLogin, uniqueEmail, waitForMailToken } from '../helpers/users';
import { validateEnv } from '../../src/platform/config/validate-env';
import { TEST_DATABASE_URL, TEST_ENV } from '../setup/test-env';

describe('auth API (/api/auth)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('register', () => {
    it('creates the user, its default config, and mails a verification token', async () => {
      const email = uniqueEmail('Reg');
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ email, password: 'long enough pw', username: `u${Date.now()}`, full_name: 'Ada L' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: email.toLowerCase(),
        username: expect.any(String),
        full_name: 'Ada L',
        is_active: true,
        email_verified: false,
        created_at: expect.any(String),
      });
      expect(res.body).not.toHaveProperty('password_hash');
      const [cfg] = await query(TEST_DATABASE_URL, 'SELECT * FROM user_configs WHERE user_id = $1', [res.body.id]);
      expect(cfg).toMatchObject({
        monitored_directories: [],
        exclude_patterns: ['\\.git/', '__pycache__/', '\\.pyc$', 'node_modules/', '\\.floyo/'],
        tracking_config: { enable_file_watcher: true, enable_command_tracking: true, max_events: 1000, retention_days: 90 },
        suggestions_config: { max_suggestions: 5, use_actual_file_paths: true },
        privacy_config: { anonymize_paths: false, exclude_sensitive_dirs: [] },
      });
      expect(lastMailToken(t, email.toLowerCase(), 'verification')).toMatch(/^[\w-]{40,}$/);
    });

    it('stores only an argon2id hash of the password and a SHA-256 of the verification token', async () => {
      const email = uniqueEmail();
      const res = await t.http().post('/api/auth/register').send({ email, password: 'long enough pw' }).expect(201);
      const [row] = await query<{ password_hash: string; verification_token_hash: string }>(
        TEST_DATABASE_URL,
        'SELECT password_hash, verification_token_hash FROM users WHERE id = $1',
        [res.body.id],
      );
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      const token = lastMailToken(t, email, 'verification');
      expect(row.verification_token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.verification_token_hash).not.toContain(token);
    });

    it('refuses a registered email (400) and a taken username, case-insensitively (400)', async () => {
      const email = uniqueEmail();
      const username = `taken${Date.now()}`;
      await t.http().post('/api/auth/register').send({ email, password: 'long enough pw', username }).expect(201);
      const dupEmail = await t.http().post('/api/auth/register').send({ email: email.toUpperCase(), password: 'long enough pw' });
      expect(dupEmail.status).toBe(400);
      expect(dupEmail.body).toEqual({ detail: 'Email already registered' });
      const dupUser = await t
        .http()
        .post('/api/auth/register')
        .send({ email: uniqueEmail(), password: 'long enough pw', username: username.toUpperCase() });
      expect(dupUser.status).toBe(400);
      expect(dupUser.body).toEqual({ detail: 'Username already taken' });
    });

    it('validates the body with the 422 shape', async () => {
      const res = await t.http().post('/api/auth/register').send({ email: 'not-an-email', password: 'short', admin: true });
      expect(res.status).toBe(422);
      const locs = res.body.detail.map((d: { loc: string[] }) => d.loc.join('.'));
      expect(locs).toEqual(expect.arrayContaining(['body.email', 'body.password', 'body.admin']));
      for (const d of res.body.detail) expect(d).toEqual({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
    });
  });

  describe('login', () => {
    it('returns bearer tokens', async () => {
      const email = uniqueEmail();
      await t.http().post('/api/auth/register').send({ email, password: 'long enough pw' }).expect(201);
      const res = await t.http().post('/api/auth/login').send({ email, password: 'long enough pw' }).expect(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 30 * 60,
      });
      const claims = jwt.decode(res.body.access_token, { complete: true })!;
      expect(claims.header.alg).toBe('HS256');
      expect(claims.payload).toMatchObject({ type: 'access', sub: expect.any(String), sid: expect.any(String) });
    });

    it('answers wrong password and unknown email identically (401)', async () => {
      const user = await registerAndLogin(t);
      const wrong = await t.http().post('/api/auth/login').send({ email: user.email, password: 'nope nope nope' });
      const unknown = await t.http().post('/api/auth/login').send({ email: uniqueEmail(), password: 'nope nope nope' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.detail).toBe('Incorrect email or password');
    });

    it('refuses an inactive account with 403 (only with the right password)', async () => {
      const user = await registerAndLogin(t);
      await query(TEST_DATABASE_URL, 'UPDATE users SET is_active = false WHERE id = $1', [user.id]);
      const res = await t.http().post('/api/auth/login').send({ email: user.email, password: user.password });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'Inactive user' });
      // and its still-valid access token is refused from now on
      await t.http().get('/api/auth/me').set(bearer(user.accessToken)).expect(401);
    });
  });

  describe('refresh', () => {
    it('rotates the refresh token (body or query) and keeps the session', async () => {
      const user = await registerAndLogin(t);
      const viaBody = await t.http().post('/api/auth/refresh').send({ refresh_token: user.refreshToken }).expect(200);
      expect(viaBody.body.token_type).toBe('bearer');
      expect(viaBody.body.refresh_token).not.toBe(user.refreshToken);
      const viaQuery = await t.http().post('/api/auth/refresh').query({ refresh_token: viaBody.body.refresh_token }).expect(200);
      await t.http().get('/api/auth/me').set(bearer(viaQuery.body.access_token)).expect(200);
      const sessions = await t.http().get('/api/auth/sessions').set(bearer(viaQuery.body.access_token)).expect(200);
      expect(sessions.body).toHaveLength(1);
    });

    it('detects reuse of a rotated token and revokes the whole family', async () => {
      const user = await registerAndLogin(t);
      const rotated = await t.http().post('/api/auth/refresh').send({ refresh_token: user.refreshToken }).expect(200);
      // rotated longer ago than the reuse window (test/e2e/legacy/refresh-reuse waits it out for real)
      await query(
        TEST_DATABASE_URL,
        `UPDATE refresh_tokens SET used_at = now() - interval '1 hour' WHERE token_hash = encode(sha256($1::bytea), 'hex')`,
        [user.refreshToken],
      );
      const replay = await t.http().post('/api/auth/refresh').send({ refresh_token: user.refreshToken });
      expect(replay.status).toBe(401);
      expect(replay.headers['www-authenticate']).toBe('Bearer');
      // the thief's and the owner's newer tokens are all dead now
      await t.http().post('/api/auth/refresh').send({ refresh_token: rotated.body.refresh_token }).expect(401);
      await t.http().get('/api/auth/me').set(bearer(rotated.body.access_token)).expect(401);
      await t.http().get('/api/auth/me').set(bearer(user.accessToken)).expect(401);
    });

    it('refuses unknown tokens and a missing token', async () => {
      await t.http().post('/api/auth/refresh').send({ refresh_token: 'garbage' }).expect(401);
      const missing = await t.http().post('/api/auth/refresh').send({});
      expect(missing.status).toBe(422);
      expect(missing.body.detail[0].loc).toEqual(['body', 'refresh_token']);
    });
  });

  describe('sessions', () => {
    it('lists active sessions, revokes one, and 404s for someone else’s', async () => {
      const user = await registerAndLogin(t);
      const second = await t
        .http()
        .post('/api/auth/login')
        .set('User-Agent', 'floyo-desktop/1.2 (Linux)')
        .send({ email: user.email, password: user.password })
        .expect(200);
      const list = await t.http().get('/api/auth/sessions').set(bearer(user.accessToken)).expect(200);
      expect(list.body).toHaveLength(2);
      const byDevice = list.body.find((s: { device_info: string | null }) => s.device_info === 'floyo-desktop/1.2 (Linux)');
      expect(byDevice).toEqual({
        id: expect.any(String),
        device_info: 'floyo-desktop/1.2 (Linux)',
        ip_address: expect.any(String),
        created_at: expect.any(String),
        last_used_at: expect.any(String),
        expires_at: expect.any(String),
        is_current: expect.any(Boolean),
      });
      const other = list.body.find((s: { is_current: boolean }) => !s.is_current);

      const stranger = await registerAndLogin(t);
      const notYours = await t.http().delete(`/api/auth/sessions/${other.id}`).set(bearer(stranger.accessToken));
      expect(notYours.status).toBe(404);
      expect(notYours.body.detail).toBeDefined();
      await t.http().delete('/api/auth/sessions/not-a-uuid').set(bearer(user.accessToken)).expect(404);

      const ok = await t.http().delete(`/api/auth/sessions/${other.id}`).set(bearer(user.accessToken)).expect(200);
      expect(ok.body).toEqual({ message: expect.any(String) });
      await t.http().get('/api/auth/me').set(bearer(second.body.access_token)).expect(401);
      const after = await t.http().get('/api/auth/sessions').set(bearer(user.accessToken)).expect(200);
      expect(after.body.map((s: { id: string }) => s.id)).not.toContain(other.id);
    });

    it('revokes all sessions except the calling one', async () => {
      const user = await registerAndLogin(t);
      const others = await Promise.all(
        [1, 2].map(() => t.http().post('/api/auth/login').send({ email: user.email, password: user.password })),
      );
      await t.http().delete('/api/auth/sessions').set(bearer(user.accessToken)).expect(200);
      await t.http().get('/api/auth/me').set(bearer(user.accessToken)).expect(200);
      for (const o of others) {
        await t.http().get('/api/auth/me').set(bearer(o.body.access_token)).expect(401);
        await t.http().post('/api/auth/refresh').send({ refresh_token: o.body.refresh_token }).expect(401);
      }
    });
  });

  describe('me and profile', () => {
    it('needs a bearer token', async () => {
      const res = await t.http().get('/api/auth/me').expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body.detail).toBeDefined();
      await t.http().get('/api/auth/me').set('Authorization', 'Basic abc').expect(401);
    });

    it('returns the user and updates the profile from body or query', async () => {
      const user = await registerAndLogin(t);
      const me = await t.http().get('/api/auth/me').set(bearer(user.accessToken)).expect(200);
      expect(me.body).toMatchObject({ id: user.id, email: user.email, is_active: true });
      const body = await t.http().put('/api/auth/profile').set(bearer(user.accessToken)).send({ full_name: 'New Name' }).expect(200);
      expect(body.body.full_name).toBe('New Name');
      const name = `q${Date.now()}`;
      const viaQuery = await t.http().put('/api/auth/profile').query({ username: name }).set(bearer(user.accessToken)).expect(200);
      expect(viaQuery.body).toMatchObject({ username: name, full_name: 'New Name' });
      const other = await registerAndLogin(t);
      const taken = await t.http().put('/api/auth/profile').set(bearer(other.accessToken)).send({ username: name.toUpperCase() });
      expect(taken.status).toBe(400);
      expect(taken.body).toEqual({ detail: 'Username already taken' });
      // keeping one's own username is not a conflict
      await t.http().put('/api/auth/profile').set(bearer(user.accessToken)).send({ username: name }).expect(200);
    });
  });

  describe('email verification', () => {
    it('verifies once with the mailed token; resend refuses after that', async () => {
      const user = await registerAndLogin(t);
      await t.http().post('/api/auth/resend-verification').set(bearer(user.accessToken)).expect(200);
      const token = lastMailToken(t, user.email, 'verification');
      const ok = await t.http().get(`/api/auth/verify-email/${token}`).expect(200);
      expect(ok.body).toEqual({ message: 'Email verified successfully' });
      const me = await t.http().get('/api/auth/me').set(bearer(user.accessToken)).expect(200);
      expect(me.body.email_verified).toBe(true);
      const again = await t.http().get(`/api/auth/verify-email/${token}`);
      expect(again.status).toBe(400);
      expect(again.body).toEqual({ detail: 'Invalid or expired verification token' });
      const resend = await t.http().post('/api/auth/resend-verification').set(bearer(user.accessToken));
      expect(resend.status).toBe(400);
      expect(resend.body).toEqual({ detail: 'Email already verified' });
    });

    it('refuses garbage and expired tokens', async () => {
      await t.http().get('/api/auth/verify-email/garbage').expect(400);
      const user = await registerAndLogin(t);
      const token = lastMailToken(t, user.email, 'verification');
      await query(TEST_DATABASE_URL, "UPDATE users SET verification_token_expires_at = now() - interval '1 second' WHERE id = $1", [
        user.id,
      ]);
      await t.http().get(`/api/auth/verify-email/${token}`).expect(400);
    });
  });

  describe('password reset', () => {
    it('answers the same for known and unknown emails, and mails only the known one', async () => {
      const user = await registerAndLogin(t);
      const unknownEmail = uniqueEmail();
      const known = await t.http().post('/api/auth/forgot-password').send({ email: user.email }).expect(200);
      const unknown = await t.http().post('/api/auth/forgot-password').send({ email: unknownEmail }).expect(200);
      expect(known.body).toEqual(unknown.body);
      await waitForMailToken(t, user.email, 'password_reset');
      expect(t.mail.outbox().some((m) => m.to === unknownEmail)).toBe(false);
    });

    it('resets with the mailed token, revokes every session, and the token is single-use', async () => {
      const user = await registerAndLogin(t);
      await t.http().post('/api/auth/forgot-password').send({ email: user.email }).expect(200);
      const token = await waitForMailToken(t, user.email, 'password_reset');

      const weak = await t.http().post('/api/auth/reset-password').send({ token, new_password: 'short' });
      expect(weak.status).toBe(400);
      expect(weak.body.detail).toMatch(/at least 8/);

      const ok = await t.http().post('/api/auth/reset-password').send({ token, new_password: 'brand new secret' }).expect(200);
      expect(ok.body).toEqual({ message: expect.any(String) });
      await t.http().get('/api/auth/me').set(bearer(user.accessToken)).expect(401);
      await t.http().post('/api/auth/refresh').send({ refresh_token: user.refreshToken }).expect(401);
      await t.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(401);
      await t.http().post('/api/auth/login').send({ email: user.email, password: 'brand new secret' }).expect(200);

      const reuse = await t.http().post('/api/auth/reset-password').send({ token, new_password: 'another secret' });
      expect(reuse.status).toBe(400);
      expect(reuse.body).toEqual({ detail: 'Invalid or expired reset token' });
    });

    it('takes the new password only in the body', async () => {
      const res = await t.http().post('/api/auth/reset-password').query({ token: 'x', new_password: 'in the url!!' });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/never in the URL/);
    });
  });

  describe('change password', () => {
    it('checks the current password, refuses weak ones, keeps only the calling session', async () => {
      const user = await registerAndLogin(t);
      const other = await t.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
      const wrong = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(user.accessToken))
        .send({ old_password: 'not it at all', new_password: 'whatever long' });
      expect(wrong.status).toBe(401);
      const weak = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(user.accessToken))
        .send({ old_password: user.password, new_password: 'short' });
      expect(weak.status).toBe(400);
      await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(user.accessToken))
        .send({ old_password: user.password, new_password: 'changed secret!' })
        .expect(200);
      await t.http().get('/api/auth/me').set(bearer(user.accessToken)).expect(200);
      await t.http().get('/api/auth/me').set(bearer(other.body.access_token)).expect(401);
      await t.http().post('/api/auth/login').send({ email: user.email, password: 'changed secret!' }).expect(200);
    });

    it('does not accept passwords in the query string', async () => {
      const user = await registerAndLogin(t);
      const res = await t
        .http()
        .post('/api/auth/change-password')
        .set(bearer(user.accessToken))
        .query({ old_password: user.password, new_password: 'changed secret!' });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/never in the URL/);
    });
  });

  describe('access tokens', () => {
    const secret = TEST_ENV.SECRET_KEY;
    let user: Awaited<ReturnType<typeof registerAndLogin>>;
    let sid: string;
    let othersSid: string;
    beforeAll(async () => {
      user = await registerAndLogin(t);
      sid = (jwt.decode(user.accessToken) as { sid: string }).sid;
      othersSid = (jwt.decode((await registerAndLogin(t)).accessToken) as { sid: string }).sid;
    });

    const cases: [string, () => string][] = [
      [
        'a wrong signature',
        () => jwt.sign({ sid, type: 'access' }, 'another-secret-that-is-long-enough-xx', { subject: user.id, expiresIn: 60 }),
      ],
      [
        'alg none',
        () =>
          `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
            JSON.stringify({ sub: user.id, sid, type: 'access', exp: Math.floor(Date.now() / 1000) + 60 }),
          ).toString('base64url')}.`,
      ],
      ['an expired token', () => jwt.sign({ sid, type: 'access', exp: Math.floor(Date.now() / 1000) - 10 }, secret, { subject: user.id })],
      ['a refresh-type token', () => jwt.sign({ sid, type: 'refresh' }, secret, { subject: user.id, expiresIn: 60 })],
      [
        'HS512 with the right key',
        () => jwt.sign({ sid, type: 'access' }, secret, { subject: user.id, expiresIn: 60, algorithm: 'HS512' }),
      ],
      ['an opaque refresh token', () => user.refreshToken],
      [
        'a token of a deleted user',
        () => jwt.sign({ sid, type: 'access' }, secret, { subject: '00000000-0000-4000-8000-000000000000', expiresIn: 60 }),
      ],
      [
        'a token whose sid is another user’s live session',
        () => jwt.sign({ sid: othersSid, type: 'access' }, secret, { subject: user.id, expiresIn: 60 }),
      ],
    ];

    it.each(cases)('refuses %s with 401', async (_name, make) => {
      const res = await t.http().get('/api/auth/me').set(bearer(make()));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body.detail).toEqual(expect.any(String));
    });

    it('accepts a correctly signed one (control)', async () => {
      const token = jwt.sign({ sid, type: 'access' }, secret, { subject: user.id, expiresIn: 60 });
      await t.http().get('/api/auth/me').set(bearer(token)).expect(200);
    });
  });

  it('serves the same handlers under /api/v1', async () => {
    const user = await registerAndLogin(t);
    const res = await t.http().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(200);
    expect(res.body.id).toBe(user.id);
  });
});

describe('login limiter', () => {
  // TRUST_PROXY: the client address is X-Forwarded-For's, so one process can act as many clients
  const from = (t: TestApp, address: string, email: string, password: string) =>
    t.http().post('/api/auth/login').set('X-Forwarded-For', address).send({ email, password });
  const WINDOW_S = 15 * 60;

  const expectLocked = (res: { status: number; headers: Record<string, string>; body: { detail: string } }, scope: RegExp) => {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
    // when to retry, in the detail too: in seconds and as a time
    expect(res.body.detail).toMatch(
      new RegExp(
        `^Too many failed login attempts ${scope.source}\\. Try again in ${retryAfter} seconds \\(at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)\\.$`,
      ),
    );
    const at = Date.parse(/\(at (.+)\)/.exec(res.body.detail)![1]);
    expect(Math.abs(at - (Date.now() + retryAfter * 1000))).toBeLessThan(5_000);
  };

  describe('defaults (LOGIN_MAX_FAILURES=10)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ TRUST_PROXY: 'true' });
    });
    afterAll(() => t.close());

    it('10 wrong passwords from one address lock that address out of the account — not the owner at another address', async () => {
      const bob = await registerAndLogin(t);
      for (let i = 0; i < 10; i++) await from(t, '127.0.0.4', bob.email, 'wrong password').expect(401);
      expectLocked(await from(t, '127.0.0.4', bob.email, bob.password), /for this account from your address/);
      await from(t, '127.0.0.5', bob.email, bob.password).expect(200);
      // the locked address may still use other accounts
      const carol = await registerAndLogin(t);
      await from(t, '127.0.0.4', carol.email, carol.password).expect(200);
    });

    it('the right password from an address starts its count for the account over', async () => {
      const dave = await registerAndLogin(t);
      for (let i = 0; i < 9; i++) await from(t, '127.0.0.11', dave.email, 'wrong password').expect(401);
      await from(t, '127.0.0.11', dave.email, dave.password).expect(200);
      for (let i = 0; i < 9; i++) await from(t, '127.0.0.11', dave.email, 'wrong password').expect(401);
      await from(t, '127.0.0.11', dave.email, dave.password).expect(200);
    });
  });

  it('limits one address across accounts (LOGIN_MAX_FAILURES_PER_IP); unknown emails count the same', async () => {
    const t = await createTestApp({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_IP: '5' });
    try {
      const erin = await registerAndLogin(t);
      for (let i = 0; i < 5; i++) await from(t, '127.0.0.6', uniqueEmail(), 'wrong password').expect(401);
      expectLocked(await from(t, '127.0.0.6', erin.email, erin.password), /from your address/);
      await from(t, '127.0.0.7', erin.email, erin.password).expect(200);
      await from(t, '127.0.0.7', uniqueEmail(), 'wrong password').expect(401);
    } finally {
      await t.close();
    }
  });

  it('limits one account across addresses (LOGIN_MAX_FAILURES_PER_ACCOUNT), so spreading the guesses does not help', async () => {
    const t = await createTestApp({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES: '2', LOGIN_MAX_FAILURES_PER_ACCOUNT: '4' });
    try {
      const [frank, grace] = await Promise.all([registerAndLogin(t), registerAndLogin(t)]);
      for (const address of ['127.0.0.8', '127.0.0.8', '127.0.0.9', '127.0.0.9'])
        await from(t, address, frank.email, 'wrong password').expect(401);
      expectLocked(await from(t, '127.0.0.10', frank.email, frank.password), /for this account/);
      await from(t, '127.0.0.10', grace.email, grace.password).expect(200);
    } finally {
      await t.close();
    }
  });

  it('refuses ceilings below LOGIN_MAX_FAILURES at boot', () => {
    expect(() => validateEnv({ LOGIN_MAX_FAILURES: '20', LOGIN_MAX_FAILURES_PER_IP: '10' })).toThrow(
      /LOGIN_MAX_FAILURES_PER_IP: must be at least LOGIN_MAX_FAILURES/,
    );
    expect(() => validateEnv({ LOGIN_MAX_FAILURES: '20', LOGIN_MAX_FAILURES_PER_ACCOUNT: '10' })).toThrow(
      /LOGIN_MAX_FAILURES_PER_ACCOUNT: must be at least/,
    );
  });

  describe('without TRUST_PROXY, X-Forwarded-For is ignored: limits key on the socket address', () => {
    it('login failures', async () => {
      const t = await createTestApp({ LOGIN_MAX_FAILURES: '3' });
      try {
        const user = await registerAndLogin(t);
        for (let i = 0; i < 3; i++) await from(t, `10.0.0.${i}`, user.email, 'wrong password').expect(401);
        expectLocked(await from(t, '10.0.0.99', user.email, user.password), /for this account from your address/);
      } finally {
        await t.close();
      }
    });

    it('rate limits', async () => {
      const t = await createTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3' });
      try {
        for (let i = 0; i < 3; i++) {
          await t.http().post('/api/auth/forgot-password').set('X-Forwarded-For', `10.1.0.${i}`).send({ email: uniqueEmail() }).expect(200);
        }
        const limited = await t.http().post('/api/auth/forgot-password').set('X-Forwarded-For', '10.1.0.99').send({ email: uniqueEmail() });
        expect(limited.status).toBe(429);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        await t.close();
      }
    });
  });
});
