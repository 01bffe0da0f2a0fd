import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { asUser, insertOrganization, invitationToken, inviteAndAccept, registerUsers } from '../../helpers/organizations';
import type { TestUser } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

describe('organizations and members (/api/organizations)', () => {
  let t: TestApp;
  let ada: TestUser;
  let bob: TestUser;
  let cy: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    [ada, bob, cy] = await registerUsers(t, 3);
  });
  afterAll(() => t.close());

  const as = (u: TestUser) => asUser(t, u);

  describe('organizations', () => {
    it('creates one with the caller as owner and the legacy response shape', async () => {
      const name = `Acme ${randomUUID().slice(0, 8)}`;
      const res = await as(ada).post('/api/organizations', { name, description: 'Rockets' }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name,
        slug: name.toLowerCase().replace(' ', '-'),
        description: 'Rockets',
        subscription_tier: 'free',
        is_active: true,
        created_at: expect.any(String),
        role: 'owner',
      });
      const [m] = await query(TEST_DATABASE_URL, 'SELECT role FROM organization_members WHERE organization_id = $1 AND user_id = $2', [
        res.body.id,
        ada.id,
      ]);
      expect(m).toEqual({ role: 'owner' });
    });

    it('derives unique slugs: acme, acme-1, acme-2 …', async () => {
      const name = `Slugtest ${randomUUID().slice(0, 6)}`;
      const base = name.toLowerCase().replace(' ', '-');
      const slugs = [];
      for (const u of [ada, bob, ada]) slugs.push((await as(u).post('/api/organizations', { name }).expect(201)).body.slug);
      expect(slugs).toEqual([base, `${base}-1`, `${base}-2`]);
    });

    it('gives distinct slugs to concurrent creations with the same name', async () => {
      const name = `Race ${randomUUID().slice(0, 6)}`;
      const base = name.toLowerCase().replace(' ', '-');
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => as([ada, bob, cy][i % 3]).post('/api/organizations', { name })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
      const slugs = results.map((r) => r.body.slug as string);
      expect(new Set(slugs).size).toBe(12);
      expect(slugs.sort()).toEqual([base, ...Array.from({ length: 11 }, (_, i) => `${base}-${i + 1}`)].sort());
    });

    it('validates the body (422) and never 500s on odd names', async () => {
      const res = await as(ada).post('/api/organizations', { name: '   ', extra: 1 });
      expect(res.status).toBe(422);
      expect(res.body.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual(expect.arrayContaining(['body.name', 'body.extra']));
      const odd = await as(ada).post('/api/organizations', { name: '東京 🚀' }).expect(201);
      expect(odd.body.slug).toMatch(/^org(-\d+)?$/);
    });

    it('lists only the caller’s organizations, with their role', async () => {
      const mine = (await as(cy).post('/api/organizations', { name: 'Cy Co' }).expect(201)).body;
      const joined = await insertOrganization([
        { userId: ada.id, role: 'owner' },
        { userId: cy.id, role: 'viewer' },
      ]);
      const list = (await as(cy).get('/api/organizations').expect(200)).body as { id: string; role: string }[];
      expect(list.find((o) => o.id === mine.id)?.role).toBe('owner');
      expect(list.find((o) => o.id === joined)?.role).toBe('viewer');
      const bobs = (await as(bob).get('/api/organizations').expect(200)).body as { id: string }[];
      expect(bobs.map((o) => o.id)).not.toContain(mine.id);
    });

    it('updates name and description (slug unchanged) and deletes (owner only)', async () => {
      const org = (
        await as(ada)
          .post('/api/organizations', { name: `Old ${randomUUID().slice(0, 6)}` })
          .expect(201)
      ).body;
      const upd = await as(ada).put(`/api/organizations/${org.id}`, { name: 'New name', description: null }).expect(200);
      expect(upd.body).toMatchObject({ name: 'New name', description: null, slug: org.slug });
      expect((await as(ada).get(`/api/organizations/${org.id}`).expect(200)).body.name).toBe('New name');
      expect((await as(ada).del(`/api/organizations/${org.id}`).expect(200)).body).toEqual({
        message: 'Organization deleted successfully',
      });
      await as(ada).get(`/api/organizations/${org.id}`).expect(404);
      expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM organization_members WHERE organization_id = $1', [org.id])).toHaveLength(0);
    });
  });

  describe('members', () => {
    let orgId: string;
    beforeEach(async () => {
      orgId = (await as(ada).post('/api/organizations', { name: 'Team' }).expect(201)).body.id;
    });
    const members = async () =>
      (await as(ada).get(`/api/organizations/${orgId}/members`).expect(200)).body as { user_id: string; role: string; email: string }[];

    it('invites by email with a role; once accepted: lists members, changes a role, removes', async () => {
      const joined = await inviteAndAccept(t, ada, orgId, { ...bob, email: bob.email.toUpperCase() }, 'admin');
      expect(joined).toEqual({ message: 'Invitation accepted', organization_id: orgId, role: 'admin' });
      const list = await members();
      expect(list.find((m) => m.user_id === bob.id)).toMatchObject({ email: bob.email, role: 'admin', invited_by: ada.id });
      expect(list.map((m) => [m.user_id, m.role])).toEqual([
        [ada.id, 'owner'],
        [bob.id, 'admin'],
      ]);
      await as(bob).put(`/api/organizations/${orgId}/members/${bob.id}`, { role: 'member' }).expect(200);
      expect((await members()).find((m) => m.user_id === bob.id)?.role).toBe('member');
      await as(ada).del(`/api/organizations/${orgId}/members/${bob.id}`).expect(200);
      expect((await members()).map((m) => m.user_id)).toEqual([ada.id]);
      await as(bob).get(`/api/organizations/${orgId}`).expect(404);
    });

    it('refuses a second membership (409 at acceptance), bad roles (422) and unknown members (404)', async () => {
      await inviteAndAccept(t, ada, orgId, bob);
      await as(ada).post(`/api/organizations/${orgId}/members`, { email: bob.email }).expect(201);
      const dup = await t
        .http()
        .post('/api/invitations/accept')
        .set('Authorization', `Bearer ${bob.accessToken}`)
        .send({ token: invitationToken(t, bob.email) });
      expect(dup.status).toBe(409);
      expect(dup.body.detail).toBe('User is already a member of this organization');
      const bad = await as(ada).post(`/api/organizations/${orgId}/members`, { email: cy.email, role: 'god' });
      expect(bad.status).toBe(422);
      expect(bad.body.detail[0].loc).toEqual(['body', 'role']);
      await as(ada).put(`/api/organizations/${orgId}/members/${cy.id}`, { role: 'viewer' }).expect(404);
      await as(ada).del(`/api/organizations/${orgId}/members/not-a-uuid`).expect(404);
    });

    it('only owners grant or take away the owner role', async () => {
      await inviteAndAccept(t, ada, orgId, bob, 'admin');
      const promote = await as(bob).post(`/api/organizations/${orgId}/members`, { email: cy.email, role: 'owner' });
      expect(promote.status).toBe(403);
      await as(bob).put(`/api/organizations/${orgId}/members/${ada.id}`, { role: 'member' }).expect(403);
      await as(bob).del(`/api/organizations/${orgId}/members/${ada.id}`).expect(403);
      await as(ada).post(`/api/organizations/${orgId}/members`, { email: cy.email, role: 'owner' }).expect(201);
    });

    describe('last-owner protection', () => {
      it('refuses to demote or remove the last owner (409), and to let them leave', async () => {
        const demote = await as(ada).put(`/api/organizations/${orgId}/members/${ada.id}`, { role: 'admin' });
        expect(demote.status).toBe(409);
        expect(demote.body).toEqual({ detail: 'An organization must keep at least one owner' });
        await as(ada).del(`/api/organizations/${orgId}/members/${ada.id}`).expect(409);
        await as(ada).del(`/api/organizations/${orgId}/members/me`).expect(409);
        expect((await members()).map((m) => m.role)).toEqual(['owner']);
      });

      it('allows it once another owner exists', async () => {
        await inviteAndAccept(t, ada, orgId, bob, 'owner');
        await as(ada).put(`/api/organizations/${orgId}/members/${ada.id}`, { role: 'admin' }).expect(200);
        await as(bob).del(`/api/organizations/${orgId}/members/${bob.id}`).expect(409);
      });

      it('two owners demoting each other at the same time leave exactly one owner', async () => {
        await inviteAndAccept(t, ada, orgId, bob, 'owner');
        const [a, b] = await Promise.all([
          as(ada).put(`/api/organizations/${orgId}/members/${bob.id}`, { role: 'member' }),
          as(bob).put(`/api/organizations/${orgId}/members/${ada.id}`, { role: 'member' }),
        ]);
        // The second one either finds the caller demoted (403) or the last owner (409).
        expect([a.status, b.status].sort()).toEqual(expect.arrayContaining([200]));
        expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
        const owners = await query(TEST_DATABASE_URL, "SELECT 1 FROM organization_members WHERE organization_id = $1 AND role = 'owner'", [
          orgId,
        ]);
        expect(owners).toHaveLength(1);
      });
    });
  });
});
