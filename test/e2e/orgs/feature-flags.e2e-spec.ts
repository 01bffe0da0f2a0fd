import { randomUUID } from 'node:crypto';
import { FeatureFlagsService } from '../../../src/domains/feature-flags/feature-flags.service';
import { createTestApp, type TestApp } from '../../helpers/app';
import { asUser, insertOrganization, inviteAndAccept, makeSuperuser, registerUsers } from '../../helpers/organizations';
import { TcpProxy } from '../../helpers/tcp-proxy';
import { bearer, type TestUser } from '../../helpers/users';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../setup/test-env';
import { query } from '../../helpers/databases';

const flagName = (tag: string) => `test_${tag}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;

describe('feature flags', () => {
  let t: TestApp;
  let admin: TestUser;
  let user: TestUser;
  let other: TestUser;
  let orgOwner: TestUser;
  let flags: FeatureFlagsService;
  beforeAll(async () => {
    t = await createTestApp();
    [admin, user, other, orgOwner] = await registerUsers(t, 4);
    await makeSuperuser(admin.id);
    flags = t.app.get(FeatureFlagsService);
  });
  afterAll(() => t.close());

  const api = (token: string) => asUser(t, { accessToken: token });
  const BASE = '/api/admin/feature-flags';
  const createFlag = async (body: Record<string, unknown>) => (await api(admin.accessToken).post(BASE, body).expect(201)).body;

  describe('admin API (superusers only)', () => {
    it('answers 403 to everyone else and 401 without a token', async () => {
      const name = (await createFlag({ name: flagName('guard') })).name;
      const them = api(user.accessToken);
      for (const res of await Promise.all([
        them.get(BASE),
        them.post(BASE, { name: flagName('x') }),
        them.get(`${BASE}/${name}`),
        them.put(`${BASE}/${name}`, { enabled: true }),
        them.del(`${BASE}/${name}`),
        them.get(`${BASE}/${name}/overrides`),
        them.put(`${BASE}/${name}/overrides`, { user_id: user.id, enabled: true }),
        them.del(`${BASE}/${name}/overrides/${randomUUID()}`),
      ])) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ detail: 'Superuser privileges required' });
      }
      await t.http().get(BASE).expect(401);
    });

    it('lists (the seeded kill switches included), creates, reads, updates and deletes flags', async () => {
      const me = api(admin.accessToken);
      const list = (await me.get(BASE).expect(200)).body as { name: string; enabled: boolean; override_count: number }[];
      for (const ks of ['enable_user_registration', 'enable_file_uploads', 'enable_suggestion_generation', 'enable_workflow_execution']) {
        expect(list.find((f) => f.name === ks)).toMatchObject({ enabled: true, rollout_percentage: 100 });
      }
      const name = flagName('crud');
      const created = await createFlag({ name, description: 'New editor' });
      expect(created).toMatchObject({ name, description: 'New editor', enabled: false, rollout_percentage: 100 });
      expect((await me.post(BASE, { name }).expect(409)).body).toEqual({ detail: 'Feature flag already exists' });
      const updated = await me.put(`${BASE}/${name}`, { enabled: true, rollout_percentage: 25 }).expect(200);
      expect(updated.body).toMatchObject({ enabled: true, rollout_percentage: 25, description: 'New editor' });
      expect((await me.get(`${BASE}/${name}`).expect(200)).body).toMatchObject({ enabled: true, overrides: [] });
      await me.del(`${BASE}/${name}`).expect(200);
      await me.get(`${BASE}/${name}`).expect(404);
      await me.put(`${BASE}/${name}`, { enabled: true }).expect(404);
    });

    it('validates input (422) and refuses to delete a kill switch (409)', async () => {
      const me = api(admin.accessToken);
      for (const body of [
        { name: 'Bad Name' },
        { name: flagName('x'), rollout_percentage: 101 },
        { name: flagName('x'), enabled: 'yes' },
      ]) {
        expect((await me.post(BASE, body)).status).toBe(422);
      }
      const res = await me.del(`${BASE}/enable_user_registration`);
      expect(res.status).toBe(409);
    });

    it('sets (upserts) and deletes user and organization overrides', async () => {
      const me = api(admin.accessToken);
      const name = (await createFlag({ name: flagName('ovr') })).name;
      const orgId = await insertOrganization([{ userId: user.id, role: 'member' }]);
      const first = (await me.put(`${BASE}/${name}/overrides`, { user_id: user.id, enabled: true }).expect(200)).body;
      const again = (await me.put(`${BASE}/${name}/overrides`, { user_id: user.id, enabled: false }).expect(200)).body;
      expect(again).toMatchObject({ id: first.id, user_id: user.id, organization_id: null, enabled: false });
      await me.put(`${BASE}/${name}/overrides`, { organization_id: orgId, enabled: true }).expect(200);
      expect((await me.get(`${BASE}/${name}/overrides`).expect(200)).body).toHaveLength(2);
      expect((await me.get(BASE).expect(200)).body.find((f: { name: string }) => f.name === name).override_count).toBe(2);
      expect((await me.put(`${BASE}/${name}/overrides`, { user_id: user.id, organization_id: orgId, enabled: true })).status).toBe(422);
      expect((await me.put(`${BASE}/${name}/overrides`, { enabled: true })).status).toBe(422);
      expect((await me.put(`${BASE}/${name}/overrides`, { user_id: randomUUID(), enabled: true })).body).toEqual({
        detail: 'User not found',
      });
      await me.del(`${BASE}/${name}/overrides/${first.id}`).expect(200);
      await me.del(`${BASE}/${name}/overrides/${first.id}`).expect(404);
      expect((await me.get(`${BASE}/${name}/overrides`).expect(200)).body).toHaveLength(1);
    });
  });

  describe('evaluation', () => {
    it('percentage rollout: stable per subject, close to the percentage over 10,000 subjects', async () => {
      const name = (await createFlag({ name: flagName('pct'), enabled: true, rollout_percentage: 30 })).name;
      const subjects = Array.from({ length: 10_000 }, () => randomUUID());
      const evaluate = async () => {
        const out: boolean[] = [];
        for (let i = 0; i < subjects.length; i += 1000) {
          out.push(...(await Promise.all(subjects.slice(i, i + 1000).map((userId) => flags.isEnabled(name, { userId })))));
        }
        return out;
      };
      const first = await evaluate();
      const share = first.filter(Boolean).length / subjects.length;
      expect(share).toBeGreaterThan(0.28);
      expect(share).toBeLessThan(0.32);
      await flags.invalidate(name);
      expect(await evaluate()).toEqual(first);
      // another process (its own cache, its own DB read) buckets the same way
      const t2 = await createTestApp();
      try {
        const again = await Promise.all(
          subjects.slice(0, 500).map((userId) => t2.app.get(FeatureFlagsService).isEnabled(name, { userId })),
        );
        expect(again).toEqual(first.slice(0, 500));
      } finally {
        await t2.close();
      }
    });

    it('user override beats org override beats the flag (and membership changes apply at once)', async () => {
      const me = api(admin.accessToken);
      const name = (await createFlag({ name: flagName('prec'), enabled: false })).name;
      const orgId = await insertOrganization([
        { userId: orgOwner.id, role: 'owner' },
        { userId: user.id, role: 'viewer' },
      ]);
      const on = (u: TestUser) => flags.isEnabled(name, { userId: u.id });

      expect([await on(user), await on(other)]).toEqual([false, false]); // the flag
      await me.put(`${BASE}/${name}/overrides`, { organization_id: orgId, enabled: true }).expect(200);
      expect([await on(user), await on(other)]).toEqual([true, false]); // org override beats the flag
      await me.put(`${BASE}/${name}/overrides`, { user_id: user.id, enabled: false }).expect(200);
      expect(await on(user)).toBe(false); // user override beats org override

      await me.put(`${BASE}/${name}`, { enabled: true }).expect(200);
      await me.put(`${BASE}/${name}/overrides`, { organization_id: orgId, enabled: false }).expect(200);
      await me.put(`${BASE}/${name}/overrides`, { user_id: user.id, enabled: true }).expect(200);
      expect([await on(user), await on(other)]).toEqual([true, true]); // user override (on) beats org (off)

      // `other` joins the org through the API: the org override (off) applies at once, and leaving undoes it
      const members = `/api/organizations/${orgId}/members`;
      await inviteAndAccept(t, orgOwner, orgId, other);
      expect(await on(other)).toBe(false);
      await t.http().delete(`${members}/${other.id}`).set(bearer(orgOwner.accessToken)).expect(200);
      expect(await on(other)).toBe(true);
    });

    it('costs no database query once cached (works with PostgreSQL cut off)', async () => {
      const name = (await createFlag({ name: flagName('hot'), enabled: true })).name;
      const orgId = await insertOrganization([{ userId: user.id, role: 'member' }]);
      await api(admin.accessToken).put(`${BASE}/${name}/overrides`, { organization_id: orgId, enabled: false }).expect(200);
      const proxy = await TcpProxy.forUrl(TEST_DATABASE_URL, 5432).start();
      const t2 = await createTestApp({ DATABASE_URL: proxy.url(TEST_DATABASE_URL), DB_CONNECT_TIMEOUT_MS: '500' });
      try {
        const svc = t2.app.get(FeatureFlagsService);
        expect([await svc.isEnabled(name, { userId: user.id }), await svc.isEnabled(name, { userId: other.id })]).toEqual([false, true]);
        proxy.cut();
        const started = Date.now();
        expect([await svc.isEnabled(name, { userId: user.id }), await svc.isEnabled(name, { userId: other.id })]).toEqual([false, true]);
        expect(Date.now() - started).toBeLessThan(1_000);
      } finally {
        await t2.close();
        await proxy.stop();
      }
    });

    it('a change committed while a load is in flight is not overwritten by the old snapshot', async () => {
      const name = (await createFlag({ name: flagName('race'), enabled: true })).name;
      const proxy = await TcpProxy.forUrl(TEST_DATABASE_URL, 5432).start();
      const t2 = await createTestApp({ DATABASE_URL: proxy.url(TEST_DATABASE_URL) });
      try {
        const svc = t2.app.get(FeatureFlagsService);
        await svc.isEnabled(flagName('warm')); // a pooled connection, opened without delay
        proxy.latency(400); // the load reads the old row now, its answer arrives 400 ms later
        const inFlight = svc.isEnabled(name, { userId: user.id });
        await new Promise((r) => setTimeout(r, 100));
        // the change, as the admin API makes it: committed, then invalidated
        await query(TEST_DATABASE_URL, 'UPDATE feature_flags SET enabled = false WHERE name = $1', [name]);
        await svc.invalidate(name);
        expect(await inFlight).toBe(true); // it began before the change
        proxy.latency(0);
        expect(await svc.isEnabled(name, { userId: user.id })).toBe(false);
        expect(await flags.isEnabled(name, { userId: user.id })).toBe(false); // and through Redis, another replica
      } finally {
        await t2.close();
        await proxy.stop();
      }
    });

    it('fails open to PostgreSQL while Redis is down', async () => {
      const name = (await createFlag({ name: flagName('redis'), enabled: true })).name;
      const proxy = await TcpProxy.forUrl(TEST_REDIS_URL, 6379).start();
      const t2 = await createTestApp({ REDIS_URL: proxy.url(TEST_REDIS_URL) });
      try {
        const svc = t2.app.get(FeatureFlagsService);
        proxy.cut();
        const started = Date.now();
        expect(await svc.isEnabled(name, { userId: user.id })).toBe(true);
        expect(await svc.isEnabled('enable_user_registration')).toBe(true);
        expect(await svc.isEnabled(flagName('missing'))).toBe(false);
        expect(Date.now() - started).toBeLessThan(3_000); // at most one command timeout (1 s), then fail-fast
        await t2
          .http()
          .post('/api/auth/register')
          .send({ email: `${randomUUID()}@example.com`, password: 'long enough pw' })
          .expect(201);
      } finally {
        // Redis back before closing: this test is about serving during the outage, not shutting down in one.
        proxy.restore();
        await t2.close();
        await proxy.stop();
      }
    });
  });
});
