import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { asUser, auditRows, connectorId, insertOrganization, registerUsers } from '../../helpers/organizations';
import type { TestUser } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

/**
 * Erasing an account (DELETE /api/data/delete) removes the user's own data only: what they
 * made for an organization stays with it (audited in its trail), an organization they were
 * the only member of goes with them, and the last owner of one with other members must hand
 * ownership over first (409 naming it).
 */
describe('account erasure and organizations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_DATA_DELETE_PER_HOUR: '1000' });
  });
  afterAll(() => t.close());

  const erase = (u: TestUser) => asUser(t, u).del('/api/data/delete?confirm=true');
  const workflow = async (u: TestUser, organizationId?: string) =>
    (
      await asUser(t, u)
        .post('/api/workflows', {
          name: `wf ${randomUUID().slice(0, 6)}`,
          steps: [{ type: 'delay', ms: 0 }],
          organization_id: organizationId,
        })
        .expect(201)
    ).body.id as string;
  const integration = async (u: TestUser, organizationId?: string) =>
    (
      await asUser(t, u)
        .post('/api/integrations', {
          connector_id: await connectorId('slack'),
          name: 'chat',
          config: { webhook_url: 'https://hooks.slack.com/services/T/B/X' },
          organization_id: organizationId,
        })
        .expect(201)
    ).body.id as string;

  it("a member's erasure leaves the organization's workflows and integrations with it, audited in its trail", async () => {
    const [owner, member] = await registerUsers(t, 2);
    const orgId = await insertOrganization([
      { userId: owner.id, role: 'owner' },
      { userId: member.id, role: 'member' },
    ]);
    const orgWorkflow = await workflow(member, orgId);
    const orgIntegration = await integration(member, orgId);
    const ownWorkflow = await workflow(member);
    const ownIntegration = await integration(member);
    // a member may not delete the organization's workflow …
    await asUser(t, member).del(`/api/workflows/${orgWorkflow}`).expect(403);
    // … and erasing their account does not do it either
    await erase(member).expect(200);
    await asUser(t, owner).get(`/api/workflows/${orgWorkflow}`).expect(200);
    await asUser(t, owner).get(`/api/integrations/${orgIntegration}`).expect(200);
    const left = await query<{ id: string }>(
      TEST_DATABASE_URL,
      'SELECT id FROM workflows WHERE id = ANY($1) UNION ALL SELECT id FROM user_integrations WHERE id = ANY($1)',
      [[orgWorkflow, orgIntegration, ownWorkflow, ownIntegration]],
    );
    expect(left.map((r) => r.id).sort()).toEqual([orgWorkflow, orgIntegration].sort());
    // the creator is the anonymised account now
    const [creator] = await query<{ email: string; full_name: string | null }>(
      TEST_DATABASE_URL,
      'SELECT u.email, u.full_name FROM workflows w JOIN users u ON u.id = w.user_id WHERE w.id = $1',
      [orgWorkflow],
    );
    expect(creator.email).toMatch(/@deleted\.invalid$/);
    const members = (await asUser(t, owner).get(`/api/organizations/${orgId}/members`).expect(200)).body;
    expect(members.map((m: { user_id: string }) => m.user_id)).toEqual([owner.id]);
    const trail = (await asUser(t, owner).get(`/api/audit-logs?organization_id=${orgId}`).expect(200)).body;
    expect(trail[0]).toMatchObject({
      action: 'delete',
      resource_type: 'organization_member',
      details: { user_id: member.id, role: 'member', account_deleted: true, kept: { workflows: 1, integrations: 1 } },
    });
  });

  it('the last owner of an organization with other members is refused (409 naming it) and nothing is deleted', async () => {
    const [owner, member] = await registerUsers(t, 2);
    const name = `Acme ${randomUUID().slice(0, 6)}`;
    const org = (await asUser(t, owner).post('/api/organizations', { name }).expect(201)).body;
    await query(TEST_DATABASE_URL, "INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, 'member')", [
      org.id,
      member.id,
    ]);
    const own = await workflow(owner);
    const res = await erase(owner).expect(409);
    expect(res.body.detail).toContain(`${name} (${org.slug})`);
    expect(res.body.detail).toMatch(/make one of them an owner/);
    expect(res.body.organizations).toEqual([{ id: org.id, name, slug: org.slug }]);
    await asUser(t, owner).get('/api/auth/me').expect(200);
    await asUser(t, owner).get(`/api/workflows/${own}`).expect(200);
    // after handing ownership over, the erasure goes through
    await asUser(t, owner).put(`/api/organizations/${org.id}/members/${member.id}`, { role: 'owner' }).expect(200);
    await erase(owner).expect(200);
    await asUser(t, member).get(`/api/organizations/${org.id}`).expect(200);
  });

  it('an organization whose only member is the user is deleted with the account (audited)', async () => {
    const [solo] = await registerUsers(t, 1);
    const org = (await asUser(t, solo).post('/api/organizations', { name: 'Just me' }).expect(201)).body;
    const orgWorkflow = await workflow(solo, org.id);
    await query(
      TEST_DATABASE_URL,
      `INSERT INTO organization_invitations (organization_id, email, role, token_hash, invited_by, expires_at)
       VALUES ($1, 'someone@example.com', 'member', encode(sha256('x'::bytea), 'hex'), $2, now() + interval '1 day')`,
      [org.id, solo.id],
    );
    await erase(solo).expect(200);
    expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM organizations WHERE id = $1', [org.id])).toHaveLength(0);
    expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM workflows WHERE id = $1', [orgWorkflow])).toHaveLength(0);
    const [row] = await auditRows({ action: 'delete', resourceType: 'organization', resourceId: org.id });
    expect(row.details).toMatchObject({ name: 'Just me', reason: 'account_deleted' });
  });

  it('invitations addressed to the erased account are deleted; those it sent stay with the organization', async () => {
    const [owner, invitee] = await registerUsers(t, 2);
    const orgId = await insertOrganization([{ userId: owner.id, role: 'owner' }]);
    await asUser(t, owner).post(`/api/organizations/${orgId}/members`, { email: invitee.email, role: 'member' }).expect(201);
    await asUser(t, owner).post(`/api/organizations/${orgId}/members`, { email: 'colleague@example.com' }).expect(201);
    await erase(invitee).expect(200);
    const left = await query<{ email: string }>(
      TEST_DATABASE_URL,
      'SELECT email FROM organization_invitations WHERE organization_id = $1',
      [orgId],
    );
    expect(left.map((r) => r.email)).toEqual(['colleague@example.com']);
  });
});
