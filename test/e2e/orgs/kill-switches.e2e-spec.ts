import { runFlagsCli } from '../../../src/cli/flags';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createScratchDatabase, query } from '../../helpers/databases';
import { makeSuperuser } from '../../helpers/organizations';
import { bearer, registerAndLogin, uniqueEmail } from '../../helpers/users';

/**
 * Kill switches flip global state, so this suite runs on a private database: registering
 * elsewhere in the run never sees registration switched off.
 */
describe('kill switches (@RequireFeature) — register', () => {
  const TTL = 3;
  let db: { url: string; drop: () => Promise<void> };
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    db = await createScratchDatabase('flags');
    t = await createTestApp({ DATABASE_URL: db.url, FEATURE_FLAG_CACHE_TTL_SECONDS: String(TTL) });
    const admin = await registerAndLogin(t);
    await makeSuperuser(admin.id, db.url);
    adminToken = admin.accessToken;
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const register = () =>
    t
      .http()
      .post('/api/auth/register')
      .send({ email: uniqueEmail('ks'), password: 'long enough pw' });
  const setRegistration = (enabled: boolean) =>
    t.http().put('/api/admin/feature-flags/enable_user_registration').set(bearer(adminToken)).send({ enabled }).expect(200);

  async function waitForStatus(status: number, withinSeconds: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const res = await register();
      if (res.status === status) return (Date.now() - started) / 1000;
      if (Date.now() - started > withinSeconds * 1000) throw new Error(`still ${res.status} after ${withinSeconds} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  afterEach(async () => {
    await query(db.url, "UPDATE feature_flags SET enabled = true WHERE name = 'enable_user_registration'");
    await t.http().put('/api/admin/feature-flags/enable_user_registration').set(bearer(adminToken)).send({ enabled: true });
  });

  it('switched off through the admin API: 503 at once, with the legacy detail; on again: 201', async () => {
    await register().expect(201); // the flag is cached now
    await setRegistration(false);
    const res = await register();
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ detail: 'User registration is temporarily disabled' });
    await setRegistration(true);
    await register().expect(201);
  });

  it('changed behind the cache’s back (no invalidation): applies within the cache TTL', async () => {
    await register().expect(201);
    await query(db.url, "UPDATE feature_flags SET enabled = false WHERE name = 'enable_user_registration'");
    // still served from the cache: the hot path does not read the database
    await register().expect(201);
    expect(await waitForStatus(503, TTL + 1)).toBeLessThanOrEqual(TTL + 1);
    await query(db.url, "UPDATE feature_flags SET enabled = true WHERE name = 'enable_user_registration'");
    expect(await waitForStatus(201, TTL + 1)).toBeLessThanOrEqual(TTL + 1);
  });

  it('switched off by an operator with the CLI (no API involved): 503 at once, audited', async () => {
    await register().expect(201);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await runFlagsCli(['set', 'enable_user_registration', 'off'], io, t.config)).toBe(0);
    expect(lines).toEqual(['enable_user_registration: off, rollout 100%', expect.stringMatching(/^cache invalidated/)]);
    expect((await register()).status).toBe(503);
    expect(await runFlagsCli(['set', 'enable_user_registration', 'on'], io, t.config)).toBe(0);
    await register().expect(201);
    const audit = await query<{ user_id: string | null; details: { via: string; after: { enabled: boolean } } }>(
      db.url,
      "SELECT user_id, details FROM audit_logs WHERE resource_type = 'feature_flag' AND details->>'via' = 'cli' ORDER BY created_at",
    );
    expect(audit.map((a) => [a.user_id, a.details.after.enabled])).toEqual([
      [null, false],
      [null, true],
    ]);
  });

  it('CLI: list, and clear failures (unknown flag 1, bad usage 2)', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await runFlagsCli(['list'], io, t.config)).toBe(0);
    expect(lines.join('\n')).toMatch(/enable_user_registration\s+on\s+100%/);
    expect(await runFlagsCli(['set', 'no_such_flag', 'off'], io, t.config)).toBe(1);
    expect(lines.at(-1)).toMatch(/unknown flag "no_such_flag"/);
    expect(await runFlagsCli(['set', 'enable_user_registration', 'maybe'], io, t.config)).toBe(2);
    expect(await runFlagsCli(['rollout', 'enable_user_registration', '150'], io, t.config)).toBe(2);
    expect(await runFlagsCli([], io, t.config)).toBe(2);
  });
});
