import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { asUser, auditRows, invitationToken, registerUsers, verifyEmail } from '../../helpers/organizations';
import { bearer, registerAndLogin, type TestUser, uniqueEmail } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

/**
 * Joining an organization needs the invitee's consent. POST …/members invites an address —
 * the same answer whether or not it has an account, nothing of an account shown — and mails
 * a single-use token; the invitee, signed in with that verified address, accepts or
 * declines. Inviters list and revoke pending invitations; every step is audited.
 */
describe('organization invitations', () => {
  let t: TestApp;
  let owner: TestUser;
  let bob: TestUser;
  let orgId: string;
  beforeAll(async () => {
    t = await createTestApp();
    [owner, bob] = await registerUsers(t, 2);
    await verifyEmail(t, bob);
  });
  beforeEach(async () => {
    orgId = (
      await asUser(t, owner)
        .post('/api/organizations', { name: `Team ${randomUUID().slice(0, 6)}` })
        .expect(201)
    ).body.id;
  });
  afterAll(() => t.close());

  const invite = (email: string, role = 'member') => asUser(t, owner).post(`/api/organizations/${orgId}/members`, { email, role });
  const memberIds = async () =>
    (await asUser(t, owner).get(`/api/organizations/${orgId}/members`).expect(200)).body.map((m: { user_id: string }) => m.user_id);
  const accept = (u: TestUser, token: string) => t.http().post('/api/invitations/accept').set(bearer(u.accessToken)).send({ token });

  it('answers the same for an address with an account and one without, and shows nothing of the account', async () => {
    const known = await invite(bob.email, 'admin').expect(201);
    const unknown = await invite(uniqueEmail('nobody'), 'admin').expect(201);
    for (const res of [known, unknown]) {
      expect(Object.keys(res.body).sort()).toEqual(['email', 'expires_at', 'role', 'status']);
      expect(res.body).toMatchObject({ status: 'invited', role: 'admin' });
      expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    }
    expect(JSON.stringify(known.body)).not.toContain(bob.id);
    // not a member until they accept: no access, not listed, no socket room
    expect(await memberIds()).toEqual([owner.id]);
    await asUser(t, bob).get(`/api/organizations/${orgId}`).expect(404);
    // the pending list shows the address the inviter typed, nothing else of the invitee
    const pending = (await asUser(t, owner).get(`/api/organizations/${orgId}/invitations`).expect(200)).body;
    expect(pending).toHaveLength(2);
    for (const p of pending)
      expect(Object.keys(p).sort()).toEqual(['created_at', 'email', 'expires_at', 'id', 'invited_by', 'organization_id', 'role']);
  });

  it('the invitee sees it, accepts it with the mailed token (single use) and becomes a member with the role', async () => {
    await invite(bob.email.toUpperCase(), 'viewer').expect(201);
    const mine = (await asUser(t, bob).get('/api/invitations').expect(200)).body;
    const ours = mine.find((i: { organization: { id: string } }) => i.organization.id === orgId);
    expect(ours).toMatchObject({
      id: expect.any(String),
      role: 'viewer',
      organization: { id: orgId, name: expect.stringMatching(/^Team /) },
    });
    const token = invitationToken(t, bob.email);
    expect((await accept(bob, token).expect(200)).body).toEqual({ message: 'Invitation accepted', organization_id: orgId, role: 'viewer' });
    expect(await memberIds()).toEqual([owner.id, bob.id]);
    await asUser(t, bob).get(`/api/organizations/${orgId}`).expect(200);
    // single use
    await accept(bob, token).expect(404);
    expect((await asUser(t, bob).get('/api/invitations').expect(200)).body.map((i: { id: string }) => i.id)).not.toContain(ours.id);
    const trail = await auditRows({ resourceType: 'invitation', resourceId: ours.id });
    expect(trail.map((r) => [r.action, r.organization_id])).toEqual([
      ['invite', orgId],
      ['accept', orgId],
    ]);
  });

  it('accepting by id from the list, declining, and revoking', async () => {
    await invite(bob.email).expect(201);
    const id = (await asUser(t, bob).get('/api/invitations').expect(200)).body.find(
      (i: { organization: { id: string } }) => i.organization.id === orgId,
    ).id;
    await t.http().post(`/api/invitations/${id}/decline`).set(bearer(bob.accessToken)).expect(200);
    await t.http().post(`/api/invitations/${id}/accept`).set(bearer(bob.accessToken)).expect(404);
    expect(await memberIds()).toEqual([owner.id]);

    const again = await invite(bob.email).expect(201);
    expect(again.body.status).toBe('invited');
    const [pending] = (await asUser(t, owner).get(`/api/organizations/${orgId}/invitations`).expect(200)).body;
    await asUser(t, owner).del(`/api/organizations/${orgId}/invitations/${pending.id}`).expect(200);
    await accept(bob, invitationToken(t, bob.email)).expect(404);
    await asUser(t, owner).del(`/api/organizations/${orgId}/invitations/${pending.id}`).expect(404);

    await invite(bob.email).expect(201);
    const third = (await asUser(t, bob).get('/api/invitations').expect(200)).body.find(
      (i: { organization: { id: string } }) => i.organization.id === orgId,
    ).id;
    await t.http().post(`/api/invitations/${third}/accept`).set(bearer(bob.accessToken)).expect(200);
    expect(await memberIds()).toEqual([owner.id, bob.id]);
    const actions = (await auditRows({ resourceType: 'invitation' })).filter((r) => r.organization_id === orgId).map((r) => r.action);
    expect(actions).toEqual(['invite', 'decline', 'invite', 'revoke', 'invite', 'accept']);
  });

  it('a new invitation replaces a pending one: the first token no longer works', async () => {
    await invite(bob.email).expect(201);
    const first = invitationToken(t, bob.email);
    await invite(bob.email, 'admin').expect(201);
    await accept(bob, first).expect(404);
    expect((await accept(bob, invitationToken(t, bob.email)).expect(200)).body.role).toBe('admin');
  });

  it('only the verified owner of the address can accept; another account gets a clear refusal', async () => {
    // someone registers the invited address first (addresses are not proven at registration)
    const squatter = await registerAndLogin(t);
    await invite(squatter.email, 'admin').expect(201);
    const token = invitationToken(t, squatter.email);
    const unverified = await accept(squatter, token).expect(403);
    expect(unverified.body.detail).toMatch(/Verify your email address/);
    const list = await asUser(t, squatter).get('/api/invitations').expect(403);
    expect(list.body.detail).toMatch(/Verify your email address/);
    // a verified account of another address cannot use the token
    const other = await accept(bob, token).expect(403);
    expect(other.body.detail).toBe('This invitation was sent to another email address');
    expect(await memberIds()).toEqual([owner.id]);
  });

  it('an expired invitation cannot be accepted, and garbage tokens and ids are 404s', async () => {
    await invite(bob.email).expect(201);
    const token = invitationToken(t, bob.email);
    await query(
      TEST_DATABASE_URL,
      "UPDATE organization_invitations SET expires_at = now() - interval '1 minute' WHERE organization_id = $1",
      [orgId],
    );
    const expired = await accept(bob, token).expect(400);
    expect(expired.body.detail).toMatch(/expired/);
    expect((await asUser(t, owner).get(`/api/organizations/${orgId}/invitations`).expect(200)).body).toEqual([]);
    await accept(bob, 'garbage').expect(404);
    await t.http().post('/api/invitations/not-a-uuid/accept').set(bearer(bob.accessToken)).expect(404);
    const missing = await t.http().post('/api/invitations/accept').set(bearer(bob.accessToken)).send({});
    expect(missing.status).toBe(422);
  });

  it('an owner invitation needs an owner who still is one when it is accepted', async () => {
    const [coowner] = await registerUsers(t, 1);
    await query(TEST_DATABASE_URL, "INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, 'owner')", [
      orgId,
      coowner.id,
    ]);
    await asUser(t, coowner).post(`/api/organizations/${orgId}/members`, { email: bob.email, role: 'owner' }).expect(201);
    await asUser(t, owner).put(`/api/organizations/${orgId}/members/${coowner.id}`, { role: 'admin' }).expect(200);
    const res = await accept(bob, invitationToken(t, bob.email)).expect(409);
    expect(res.body.detail).toMatch(/no longer valid/);
  });
});
