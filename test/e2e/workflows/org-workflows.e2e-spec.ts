import { createTestApp, type TestApp } from '../../helpers/app';
import { insertOrganization, type OrgRole, registerUsers } from '../../helpers/organizations';
import { bearer, type TestUser } from '../../helpers/users';

/**
 * Organization workflows: what each role may do (the legacy RBAC table), written as a
 * table — a new workflow route must be added here. Outsiders see 404 everywhere.
 */
type Caller = OrgRole | 'outsider';
const CALLERS: Caller[] = ['owner', 'admin', 'member', 'viewer', 'outsider'];

interface Route {
  name: string;
  call: (t: TestApp, token: string, ctx: { orgId: string; wf: string }) => Promise<number>;
  /** Expected status per caller. */
  expect: Record<Caller, number>;
}

const status = async (p: PromiseLike<{ status: number }>) => (await p).status;

const ROUTES: Route[] = [
  {
    name: 'POST /api/workflows (in the org)',
    call: (t, tok, c) =>
      status(
        t
          .http()
          .post('/api/workflows')
          .set(bearer(tok))
          .send({ name: 'n', steps: [{ type: 'delay', ms: 0 }], organization_id: c.orgId }),
      ),
    expect: { owner: 201, admin: 201, member: 201, viewer: 403, outsider: 404 },
  },
  {
    name: 'GET /api/workflows?organization_id',
    call: (t, tok, c) => status(t.http().get('/api/workflows').query({ organization_id: c.orgId }).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404 },
  },
  {
    name: 'GET /api/workflows/{id}',
    call: (t, tok, c) => status(t.http().get(`/api/workflows/${c.wf}`).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404 },
  },
  {
    name: 'GET /api/workflows/{id}/versions',
    call: (t, tok, c) => status(t.http().get(`/api/workflows/${c.wf}/versions`).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404 },
  },
  {
    name: 'GET /api/workflows/{id}/executions',
    call: (t, tok, c) => status(t.http().get(`/api/workflows/${c.wf}/executions`).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404 },
  },
  {
    name: 'PUT /api/workflows/{id}',
    call: (t, tok, c) =>
      status(
        t
          .http()
          .put(`/api/workflows/${c.wf}`)
          .set(bearer(tok))
          .send({ description: `by ${tok.slice(-6)}` }),
      ),
    expect: { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404 },
  },
  {
    name: 'POST /api/workflows/{id}/rollback',
    call: (t, tok, c) => status(t.http().post(`/api/workflows/${c.wf}/rollback`).set(bearer(tok)).send({ version_number: 1 })),
    expect: { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404 },
  },
  {
    name: 'POST /api/workflows/{id}/deactivate',
    call: (t, tok, c) => status(t.http().post(`/api/workflows/${c.wf}/deactivate`).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404 },
  },
  {
    name: 'POST /api/workflows/{id}/activate',
    call: (t, tok, c) => status(t.http().post(`/api/workflows/${c.wf}/activate`).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404 },
  },
  {
    name: 'POST /api/workflows/{id}/execute',
    call: (t, tok, c) => status(t.http().post(`/api/workflows/${c.wf}/execute`).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404 },
  },
  {
    name: 'POST /api/workflows/{id}/hook/rotate',
    call: (t, tok, c) => status(t.http().post(`/api/workflows/${c.wf}/hook/rotate`).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404 },
  },
  {
    name: 'DELETE /api/workflows/{id}',
    call: (t, tok, c) => status(t.http().delete(`/api/workflows/${c.wf}`).set(bearer(tok))),
    expect: { owner: 200, admin: 200, member: 403, viewer: 403, outsider: 404 },
  },
];

describe('organization workflows: permission matrix', () => {
  let t: TestApp;
  const users = {} as Record<Caller, TestUser>;
  let orgId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const list = await registerUsers(t, CALLERS.length);
    CALLERS.forEach((c, i) => (users[c] = list[i]));
    orgId = await insertOrganization(
      (['owner', 'admin', 'member', 'viewer'] as OrgRole[]).map((role) => ({ userId: users[role].id, role })),
    );
  });
  afterAll(() => t.close());

  it('covers every workflow route', () => {
    const served = t.routes
      .filter((r) => r.url.startsWith('/api/workflows') && !['HEAD', 'OPTIONS'].includes(r.method))
      .map((r) => `${r.method} ${r.url}`);
    // one row per route; the executions detail route is covered by the executions list row's rule
    expect(served.length).toBe(ROUTES.length + 1);
  });

  for (const route of ROUTES) {
    it.each(CALLERS)(`${route.name} as %s`, async (caller) => {
      // a fresh org workflow per check, created by the owner (a webhook trigger: it has a hook to rotate)
      const wf = (
        await t
          .http()
          .post('/api/workflows')
          .set(bearer(users.owner.accessToken))
          .send({ name: 'shared', steps: [{ type: 'delay', ms: 0 }], organization_id: orgId, trigger: { type: 'webhook' } })
          .expect(201)
      ).body.id as string;
      expect(await route.call(t, users[caller].accessToken, { orgId, wf })).toBe(route.expect[caller]);
    });
  }

  it('lists an org’s workflows for members and keeps them out of personal lists', async () => {
    const created = (
      await t
        .http()
        .post('/api/workflows')
        .set(bearer(users.member.accessToken))
        .send({ name: 'team', steps: [], organization_id: orgId })
        .expect(201)
    ).body;
    expect(created.organization_id).toBe(orgId);
    const orgList = await t
      .http()
      .get('/api/workflows')
      .query({ organization_id: orgId, limit: 100 })
      .set(bearer(users.viewer.accessToken))
      .expect(200);
    expect(orgList.body.items.map((w: { id: string }) => w.id)).toContain(created.id);
    const personal = await t.http().get('/api/workflows').set(bearer(users.member.accessToken)).expect(200);
    expect(personal.body.items.map((w: { id: string }) => w.id)).not.toContain(created.id);
  });
});
