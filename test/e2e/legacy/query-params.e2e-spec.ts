import { createTestApp, type TestApp } from '../../helpers/app';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';

/**
 * The legacy service read some arguments from the query string (the `*q*` inputs of the
 * contract). Each is accepted as a query parameter and as a JSON body field, by one
 * mechanism (@QueryOrBody), and documented as both in the OpenAPI document. Passwords are
 * the exception: body only, and a password in the URL is refused with a 400 that says so.
 */
interface Param {
  name: string;
  in: string;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Param[]; requestBody?: { required?: boolean; content: Record<string, unknown> } }>>;
}

const Q_INPUTS: [string, string, string[]][] = [
  ['post', '/api/auth/refresh', ['refresh_token']],
  ['put', '/api/auth/profile', ['full_name', 'username']],
  ['delete', '/api/data/delete', ['confirm']],
  ['post', '/api/data/retention/cleanup', ['retention_days']],
  ['post', '/api/workflows/{id}/rollback', ['version_number']],
];

describe('legacy query parameters (*q* inputs)', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_DATA_DELETE_PER_HOUR: '100' });
    user = await registerAndLogin(t);
  });
  afterAll(() => t.close());

  it('documents every *q* input as a query parameter and as an optional JSON body field', async () => {
    const doc = (await t.http().get('/openapi.json').expect(200)).body as OpenApiDoc;
    for (const prefix of ['/api', '/api/v1']) {
      for (const [method, path, names] of Q_INPUTS) {
        const op = doc.paths[path.replace(/^\/api/, prefix)][method];
        const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        expect({ op: `${method} ${path}`, query: names.filter((n) => query.includes(n)) }).toEqual({
          op: `${method} ${path}`,
          query: names,
        });
        expect(op.requestBody?.required).toBeFalsy();
        expect(op.requestBody?.content['application/json']).toBeDefined();
      }
    }
  });

  it('refresh_token: from the query string and from the body', async () => {
    const u = await registerAndLogin(t);
    const viaQuery = await t.http().post('/api/auth/refresh').query({ refresh_token: u.refreshToken }).expect(200);
    await t.http().post('/api/v1/auth/refresh').send({ refresh_token: viaQuery.body.refresh_token }).expect(200);
  });

  it('full_name and username: from the query string and from the body (the body wins)', async () => {
    const name = `q${Date.now()}`;
    const viaQuery = await t
      .http()
      .put('/api/auth/profile')
      .query({ full_name: 'Query Name', username: name })
      .set(bearer(user.accessToken))
      .expect(200);
    expect(viaQuery.body).toMatchObject({ full_name: 'Query Name', username: name });
    const both = await t
      .http()
      .put('/api/auth/profile')
      .query({ full_name: 'From query' })
      .set(bearer(user.accessToken))
      .send({ full_name: 'From body' })
      .expect(200);
    expect(both.body.full_name).toBe('From body');
  });

  it('confirm: from the query string and from the body; missing or false is a 400', async () => {
    const a = await registerAndLogin(t);
    await t.http().delete('/api/data/delete').set(bearer(a.accessToken)).expect(400);
    await t.http().delete('/api/data/delete').query({ confirm: 'false' }).set(bearer(a.accessToken)).expect(400);
    await t.http().delete('/api/data/delete').query({ confirm: 'true' }).set(bearer(a.accessToken)).expect(200);
    const b = await registerAndLogin(t);
    await t.http().delete('/api/data/delete').set(bearer(b.accessToken)).send({ confirm: true }).expect(200);
  });

  it('retention_days: from the query string and from the body', async () => {
    const day = 86_400_000;
    const viaQuery = await t
      .http()
      .post('/api/data/retention/cleanup')
      .query({ retention_days: '30' })
      .set(bearer(user.accessToken))
      .expect(200);
    expect(Math.abs(Date.parse(viaQuery.body.cutoff_date) - (Date.now() - 30 * day))).toBeLessThan(60_000);
    const viaBody = await t
      .http()
      .post('/api/data/retention/cleanup')
      .set(bearer(user.accessToken))
      .send({ retention_days: 7 })
      .expect(200);
    expect(Math.abs(Date.parse(viaBody.body.cutoff_date) - (Date.now() - 7 * day))).toBeLessThan(60_000);
    const bad = await t
      .http()
      .post('/api/data/retention/cleanup')
      .query({ retention_days: 'soon' })
      .set(bearer(user.accessToken))
      .expect(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'retention_days']);
  });

  it('version_number: from the query string and from the body', async () => {
    const wf = await t
      .http()
      .post('/api/workflows')
      .set(bearer(user.accessToken))
      .send({ name: 'v1', steps: [{ type: 'delay', ms: 0 }] })
      .expect(201);
    await t.http().put(`/api/workflows/${wf.body.id}`).set(bearer(user.accessToken)).send({ name: 'v2' }).expect(200);
    const viaQuery = await t
      .http()
      .post(`/api/workflows/${wf.body.id}/rollback`)
      .query({ version_number: '1' })
      .set(bearer(user.accessToken))
      .expect(200);
    expect(viaQuery.body).toMatchObject({ message: 'Rolled back to version 1' });
    const viaBody = await t
      .http()
      .post(`/api/workflows/${wf.body.id}/rollback`)
      .set(bearer(user.accessToken))
      .send({ version_number: 2 })
      .expect(200);
    expect(viaBody.body).toMatchObject({ message: 'Rolled back to version 2' });
  });

  it('passwords are body only: change-password from the query string is a 400 that says what to send', async () => {
    const u = await registerAndLogin(t);
    const res = await t
      .http()
      .post('/api/auth/change-password')
      .query({ old_password: u.password, new_password: 'a brand new password' })
      .set(bearer(u.accessToken));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/only in the JSON body, never in the URL/);
    // nothing changed: the old password still logs in; the body form works
    await t.http().post('/api/auth/login').send({ email: u.email, password: u.password }).expect(200);
    await t
      .http()
      .post('/api/auth/change-password')
      .set(bearer(u.accessToken))
      .send({ old_password: u.password, new_password: 'a brand new password' })
      .expect(200);
    const login = await t.http().post('/api/v1/auth/login?password=x').send({ email: u.email, password: 'a brand new password' });
    expect(login.status).toBe(400);
  });
});
