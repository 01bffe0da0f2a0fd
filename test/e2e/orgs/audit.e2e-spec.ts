import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { asUser, auditRows, connectorId, inviteAndAccept, makeSuperuser, registerUsers } from '../../helpers/organizations';
import { registerAndLogin, type TestUser, uniqueEmail, waitForMailToken } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

const UA = 'audit-test-agent/1.0';
/** Audit rows whose details name starts with this fail at COMMIT (deferred trigger): the whole change rolls back. */
const ROLLBACK = 'rollback-probe';

describe('audit trail', () => {
  let t: TestApp;
  let ada: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    [ada, bob] = await registerUsers(t, 2);
    await query(
      TEST_DATABASE_URL,
      `CREATE OR REPLACE FUNCTION audit_rollback_probe() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'rollback probe'; END $$`,
    );
    await query(TEST_DATABASE_URL, 'DROP TRIGGER IF EXISTS audit_rollback_probe ON audit_logs');
    await query(
      TEST_DATABASE_URL,
      `CREATE CONSTRAINT TRIGGER audit_rollback_probe AFTER INSERT ON audit_logs
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
         WHEN (NEW.details->>'name' LIKE '${ROLLBACK}%') EXECUTE FUNCTION audit_rollback_probe()`,
    );
  });
  afterAll(async () => {
    await query(TEST_DATABASE_URL, 'DROP TRIGGER IF EXISTS audit_rollback_probe ON audit_logs');
    await t.close();
  });

  const as = (u: TestUser) => asUser(t, u, UA);
  const one = async (filter: Parameters<typeof auditRows>[0]) => {
    const rows = await auditRows(filter);
    expect(rows).toHaveLength(1);
    return rows[0];
  };

  describe('every audited action writes one row (actor, org, action, resource, ip, user agent, details)', () => {
    it('accounts and sessions: register, login, session revocation, profile, password change and reset', async () => {
      const email = uniqueEmail('audit');
      const reg = await t.http().post('/api/auth/register').set('User-Agent', UA).send({ email, password: 'long enough pw' }).expect(201);
      const userId = reg.body.id;
      expect(await one({ action: 'create', resourceType: 'user', resourceId: userId })).toMatchObject({
        user_id: userId,
        user_agent: UA,
        ip_address: expect.any(String),
      });
      const login = async () =>
        (await t.http().post('/api/auth/login').set('User-Agent', UA).send({ email, password: 'long enough pw' }).expect(200)).body;
      const first = await login();
      await login();
      const logins = await auditRows({ action: 'login', userId });
      expect(logins).toHaveLength(2);
      expect(logins[0]).toMatchObject({ resource_type: 'session', user_agent: UA });
      const me = { accessToken: first.access_token } as TestUser;
      await as(me).del(`/api/auth/sessions/${logins[1].resource_id}`).expect(200);
      expect(await one({ action: 'revoke', resourceType: 'session', userId })).toMatchObject({
        resource_id: logins[1].resource_id,
        user_agent: UA,
      });
      await login();
      await as(me).del('/api/auth/sessions').expect(200);
      expect((await one({ action: 'revoke_all', userId })).details).toMatchObject({ revoked: 1 });
      await as(me).put('/api/auth/profile', { full_name: 'Audrey' }).expect(200);
      expect((await one({ action: 'update', resourceType: 'user', resourceId: userId })).details).toEqual({
        before: { full_name: null, username: null },
        after: { full_name: 'Audrey', username: null },
      });
      await as(me).post('/api/auth/change-password', { old_password: 'long enough pw', new_password: 'another long pw' }).expect(200);
      expect(await one({ action: 'password_change', resourceType: 'user', resourceId: userId })).toMatchObject({ user_id: userId });
      await t.http().post('/api/auth/forgot-password').send({ email }).expect(200);
      const token = await waitForMailToken(t, email, 'password_reset');
      await t.http().post('/api/auth/reset-password').set('User-Agent', UA).send({ token, new_password: 'third long pw!' }).expect(200);
      expect(await one({ action: 'password_reset', resourceId: userId })).toMatchObject({ user_id: userId, user_agent: UA });
    });

    it('organizations and members', async () => {
      const org = (await as(ada).post('/api/organizations', { name: 'Audited' }).expect(201)).body;
      expect(await one({ action: 'create', resourceType: 'organization', resourceId: org.id })).toMatchObject({
        user_id: ada.id,
        organization_id: org.id,
        details: { name: 'Audited', slug: org.slug },
      });
      await as(ada).put(`/api/organizations/${org.id}`, { name: 'Audited 2' }).expect(200);
      expect((await one({ action: 'update', resourceType: 'organization', resourceId: org.id })).details).toEqual({
        before: { name: 'Audited', description: null },
        after: { name: 'Audited 2', description: null },
      });
      await inviteAndAccept(t, ada, org.id, bob, 'viewer');
      const [member] = await query<{ id: string }>(
        TEST_DATABASE_URL,
        'SELECT id FROM organization_members WHERE organization_id = $1 AND user_id = $2',
        [org.id, bob.id],
      );
      expect(await one({ action: 'create', resourceType: 'organization_member', resourceId: member.id })).toMatchObject({
        organization_id: org.id,
        user_id: bob.id,
        details: { user_id: bob.id, role: 'viewer', invited_by: ada.id },
      });
      await as(ada).put(`/api/organizations/${org.id}/members/${bob.id}`, { role: 'admin' }).expect(200);
      expect((await one({ action: 'update_role', resourceId: member.id })).details).toEqual({
        user_id: bob.id,
        old_role: 'viewer',
        new_role: 'admin',
      });
      await as(ada).del(`/api/organizations/${org.id}/members/${bob.id}`).expect(200);
      expect(await one({ action: 'delete', resourceType: 'organization_member', resourceId: member.id })).toMatchObject({
        user_id: ada.id,
      });
      await as(ada).del(`/api/organizations/${org.id}`).expect(200);
      // the org is gone: the row outlives it (organization_id nulled by the FK), id and name kept
      expect(await one({ action: 'delete', resourceType: 'organization', resourceId: org.id })).toMatchObject({
        user_id: ada.id,
        organization_id: null,
        details: { name: 'Audited 2' },
      });
    });

    it('integrations (never the secret itself)', async () => {
      const github = await connectorId('github');
      const secret = `ghp_${randomUUID()}`;
      const created = (
        await as(ada)
          .post('/api/integrations', { connector_id: github, name: 'GH', config: { access_token: secret, repository: 'floyo/api' } })
          .expect(201)
      ).body;
      expect(await one({ action: 'create', resourceType: 'integration', resourceId: created.id })).toMatchObject({
        user_id: ada.id,
        details: { name: 'GH', service_type: 'github' },
      });
      await as(ada)
        .put(`/api/integrations/${created.id}`, { config: { access_token: `${secret}-2` } })
        .expect(200);
      const update = await one({ action: 'update', resourceType: 'integration', resourceId: created.id });
      expect(update.details).toEqual({ changed: ['config.access_token'] });
      await as(ada).del(`/api/integrations/${created.id}`).expect(200);
      await one({ action: 'delete', resourceType: 'integration', resourceId: created.id });
      const all = await auditRows({ resourceType: 'integration', resourceId: created.id });
      expect(JSON.stringify(all)).not.toContain(secret);
    });

    it('feature flags and overrides', async () => {
      const root = await registerAndLogin(t);
      await makeSuperuser(root.id);
      const name = `audit_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
      const flag = (await as(root).post('/api/admin/feature-flags', { name }).expect(201)).body;
      await one({ action: 'create', resourceType: 'feature_flag', resourceId: flag.id });
      await as(root).put(`/api/admin/feature-flags/${name}`, { enabled: true }).expect(200);
      expect((await one({ action: 'update', resourceType: 'feature_flag', resourceId: flag.id })).details).toMatchObject({
        name,
        before: { enabled: false },
        after: { enabled: true },
      });
      const override = (await as(root).put(`/api/admin/feature-flags/${name}/overrides`, { user_id: bob.id, enabled: false }).expect(200))
        .body;
      await one({ action: 'set', resourceType: 'feature_flag_override', resourceId: override.id });
      await as(root).del(`/api/admin/feature-flags/${name}/overrides/${override.id}`).expect(200);
      await one({ action: 'delete', resourceType: 'feature_flag_override', resourceId: override.id });
      await as(root).del(`/api/admin/feature-flags/${name}`).expect(200);
      expect(await one({ action: 'delete', resourceType: 'feature_flag', resourceId: flag.id })).toMatchObject({ user_id: root.id });
    });
  });

  describe('rows are written in the same transaction as the change', () => {
    it('a create that rolls back leaves neither the organization nor its audit row', async () => {
      const name = `${ROLLBACK} ${randomUUID()}`;
      const res = await as(ada).post('/api/organizations', { name });
      expect(res.status).toBe(500);
      expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM organizations WHERE name = $1', [name])).toHaveLength(0);
      expect(await query(TEST_DATABASE_URL, "SELECT 1 FROM audit_logs WHERE details->>'name' = $1", [name])).toHaveLength(0);
      // control: the same action without the probe commits both
      const kept = `kept ${randomUUID()}`;
      const ok = await as(ada).post('/api/organizations', { name: kept }).expect(201);
      await one({ action: 'create', resourceType: 'organization', resourceId: ok.body.id });
    });

    it('an integration create and an organization delete that roll back leave no audit row and no change', async () => {
      const github = await connectorId('github');
      const name = `${ROLLBACK}-${randomUUID()}`;
      expect(
        (await as(ada).post('/api/integrations', { connector_id: github, name, config: { access_token: 't', repository: 'floyo/api' } }))
          .status,
      ).toBe(500);
      expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM user_integrations WHERE name = $1', [name])).toHaveLength(0);
      expect(
        await auditRows({ resourceType: 'integration', userId: ada.id }).then((r) => r.filter((x) => x.details.name === name)),
      ).toEqual([]);

      const org = (await as(ada).post('/api/organizations', { name: 'to be renamed' }).expect(201)).body;
      await query(TEST_DATABASE_URL, 'UPDATE organizations SET name = $1 WHERE id = $2', [name, org.id]);
      expect((await as(ada).del(`/api/organizations/${org.id}`)).status).toBe(500);
      expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM organizations WHERE id = $1', [org.id])).toHaveLength(1);
      expect(await auditRows({ action: 'delete', resourceType: 'organization', resourceId: org.id })).toEqual([]);
    });
  });

  describe('GET /api/audit-logs', () => {
    it('returns the caller’s own actions, newest first, filtered and paginated', async () => {
      const u = await registerAndLogin(t);
      const github = await connectorId('github');
      for (const n of ['one', 'two', 'three']) {
        await as(u)
          .post('/api/integrations', { connector_id: github, name: n, config: { access_token: 't', repository: 'floyo/api' } })
          .expect(201);
      }
      await as(u).post('/api/organizations', { name: 'Mine' }).expect(201);
      type Row = { action: string; resource_type: string; user_id: string };
      const all = (await as(u).get('/api/audit-logs').expect(200)).body as Row[];
      expect(all.every((r) => r.user_id === u.id)).toBe(true);
      expect(all[0]).toMatchObject({ action: 'create', resource_type: 'organization' });
      expect(Object.keys(all[0]).sort()).toEqual(
        [
          'action',
          'created_at',
          'details',
          'id',
          'ip_address',
          'organization_id',
          'resource_id',
          'resource_type',
          'user_agent',
          'user_id',
        ].sort(),
      );
      const integrations = (await as(u).get('/api/audit-logs?resource_type=integration&action=create').expect(200)).body;
      expect(integrations.map((r: { details: { name: string } }) => r.details.name)).toEqual(['three', 'two', 'one']);
      const page = (await as(u).get('/api/audit-logs?resource_type=integration&limit=1&offset=1').expect(200)).body;
      expect(page.map((r: { details: { name: string } }) => r.details.name)).toEqual(['two']);
      const logins = (await as(u).get('/api/audit-logs?action=login').expect(200)).body;
      expect(logins).toHaveLength(1);
    });

    it('an organization’s trail for its owners and admins; 403 for others; 422 for bad parameters', async () => {
      const org = (await as(ada).post('/api/organizations', { name: 'Trail' }).expect(201)).body;
      await inviteAndAccept(t, ada, org.id, bob, 'member');
      const trail = (await as(ada).get(`/api/audit-logs?organization_id=${org.id}`).expect(200)).body;
      const entries = trail.map((r: { action: string; resource_type: string }) => `${r.action} ${r.resource_type}`);
      // the acceptance's two rows share one transaction (and timestamp)
      expect(entries.slice(0, 2).sort()).toEqual(['accept invitation', 'create organization_member']);
      expect(entries.slice(2)).toEqual(['invite invitation', 'create organization']);
      const denied = await as(bob).get(`/api/audit-logs?organization_id=${org.id}`);
      expect(denied.status).toBe(403);
      const outsider = await registerAndLogin(t);
      expect((await as(outsider).get(`/api/audit-logs?organization_id=${org.id}`)).status).toBe(403);
      for (const q of ['limit=0', 'limit=501', 'offset=-1', 'limit=abc', 'organization_id=nope']) {
        expect((await as(ada).get(`/api/audit-logs?${q}`)).status).toBe(422);
      }
    });
  });
});
