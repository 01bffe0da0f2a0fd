import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { query } from '../helpers/databases';
import { connectorId, insertOrganization, registerUsers } from '../helpers/organizations';
import { bearer, uniqueEmail, type TestUser } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

/**
 * Mass assignment stays refused: fields a client must not set — privileges, ownership —
 * are a 422 naming the field on every write that could carry them, and nothing changes.
 * (organization_id is an input of workflows and integrations: there, an organization the
 * caller is not a member of is refused like a missing one.)
 */
const FORBIDDEN = { is_superuser: true, is_active: false, user_id: randomUUID(), organization_id: randomUUID() };
const TAG = `mass-${randomUUID().slice(0, 6)}`;

interface Ctx {
  t: TestApp;
  ada: TestUser;
  bob: TestUser;
  adaOrg: string;
  workflow: string;
  integration: string;
  github: string;
}
type Write = [name: string, send: (c: Ctx, extra: Record<string, unknown>) => Test, fields: (keyof typeof FORBIDDEN)[]];

const asAda = (c: Ctx, req: Test) => req.set(bearer(c.ada.accessToken));
const ALL = Object.keys(FORBIDDEN) as (keyof typeof FORBIDDEN)[];
const githubConfig = { access_token: 'ghp_x_token_value_12345', repository: 'a/b' };

/** Every write that could carry them, and which of the fields it must refuse (the others are its own inputs). */
const WRITES: Write[] = [
  [
    'POST /api/auth/register',
    (c, x) =>
      c.t
        .http()
        .post('/api/auth/register')
        .send({ email: uniqueEmail(TAG), password: 'long enough pw', ...x }),
    ALL,
  ],
  ['PUT /api/auth/profile', (c, x) => asAda(c, c.t.http().put('/api/auth/profile')).send({ full_name: 'Ada', ...x }), ALL],
  ['POST /api/events', (c, x) => asAda(c, c.t.http().post('/api/events')).send({ event_type: 'file_opened', ...x }), ALL],
  ['POST /api/events/batch', (c, x) => asAda(c, c.t.http().post('/api/events/batch')).send([{ event_type: 'file_opened', ...x }]), ALL],
  [
    'POST /api/workflows',
    (c, x) => asAda(c, c.t.http().post('/api/workflows')).send({ name: 'w', steps: [], ...x }),
    ['is_superuser', 'user_id'],
  ],
  ['PUT /api/workflows/{id}', (c, x) => asAda(c, c.t.http().put(`/api/workflows/${c.workflow}`)).send({ name: 'w2', ...x }), ALL],
  [
    'POST /api/integrations',
    (c, x) => asAda(c, c.t.http().post('/api/integrations')).send({ connector_id: c.github, name: 'gh', config: githubConfig, ...x }),
    ['is_superuser', 'user_id'],
  ],
  [
    'PUT /api/integrations/{id}',
    (c, x) => asAda(c, c.t.http().put(`/api/integrations/${c.integration}`)).send({ name: 'gh2', ...x }),
    ['is_superuser', 'user_id', 'organization_id'],
  ],
  ['POST /api/organizations', (c, x) => asAda(c, c.t.http().post('/api/organizations')).send({ name: 'Org', ...x }), ALL],
  ['PUT /api/organizations/{id}', (c, x) => asAda(c, c.t.http().put(`/api/organizations/${c.adaOrg}`)).send({ name: 'Org 2', ...x }), ALL],
  [
    'POST /api/organizations/{id}/members',
    (c, x) => asAda(c, c.t.http().post(`/api/organizations/${c.adaOrg}/members`)).send({ email: c.bob.email, role: 'viewer', ...x }),
    ALL,
  ],
];

describe('mass assignment is refused', () => {
  const c = {} as Ctx;
  let bobOrg: string;
  beforeAll(async () => {
    c.t = await createTestApp();
    [c.ada, c.bob] = await registerUsers(c.t, 2);
    c.adaOrg = await insertOrganization([{ userId: c.ada.id, role: 'owner' }]);
    bobOrg = await insertOrganization([{ userId: c.bob.id, role: 'owner' }]);
    c.github = await connectorId('github');
    c.workflow = (
      await asAda(c, c.t.http().post('/api/workflows'))
        .send({ name: 'w', steps: [{ type: 'delay', ms: 0 }] })
        .expect(201)
    ).body.id;
    c.integration = (
      await asAda(c, c.t.http().post('/api/integrations')).send({ connector_id: c.github, name: 'gh', config: githubConfig }).expect(201)
    ).body.id;
  });
  afterAll(() => c.t.close());

  it.each(WRITES)('%s: 422 extra_forbidden for each privilege or ownership field', async (_name, send, fields) => {
    for (const field of fields) {
      const res = await send(c, { [field]: FORBIDDEN[field] });
      expect(res.status).toBe(422);
      const issue = (res.body.detail as { loc: (string | number)[]; type: string }[]).find((d) => d.loc[d.loc.length - 1] === field);
      expect(issue).toMatchObject({ type: 'extra_forbidden' });
    }
  });

  it('changed nothing: no account registered, ada no superuser and active, her workflow hers, bob not in her org', async () => {
    expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM users WHERE email LIKE $1', [`${TAG}-%`])).toEqual([]);
    const [user] = await query(TEST_DATABASE_URL, 'SELECT is_superuser, is_active FROM users WHERE id = $1', [c.ada.id]);
    expect(user).toEqual({ is_superuser: false, is_active: true });
    const [wf] = await query(TEST_DATABASE_URL, 'SELECT user_id, organization_id, name FROM workflows WHERE id = $1', [c.workflow]);
    expect(wf).toEqual({ user_id: c.ada.id, organization_id: null, name: 'w' });
    expect(
      await query(TEST_DATABASE_URL, 'SELECT 1 FROM organization_members WHERE organization_id = $1 AND user_id = $2', [
        c.adaOrg,
        c.bob.id,
      ]),
    ).toEqual([]);
  });

  it('organization_id of an organization the caller is not in: refused as if it did not exist', async () => {
    const wf = await asAda(c, c.t.http().post('/api/workflows')).send({ name: 'w', steps: [], organization_id: bobOrg });
    expect(wf.status).toBe(404);
    expect(wf.body.detail).toEqual(expect.any(String));
    const integ = await asAda(c, c.t.http().post('/api/integrations')).send({
      connector_id: c.github,
      name: 'gh',
      config: githubConfig,
      organization_id: bobOrg,
    });
    expect(integ.status).toBe(404);
    const rows = await query(
      TEST_DATABASE_URL,
      'SELECT 1 FROM workflows WHERE organization_id = $1 UNION ALL SELECT 1 FROM user_integrations WHERE organization_id = $1',
      [bobOrg],
    );
    expect(rows).toEqual([]);
  });
});
