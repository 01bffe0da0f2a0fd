import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../helpers/app';
import { bearer, registerAndLogin, type TestUser, uniqueEmail } from '../../helpers/users';

/**
 * Differences from the legacy contract that a client would hit, found by walking it route by
 * route (docs/legacy-compatibility.md), each fixed here.
 */
describe('the legacy contract, as clients use it', () => {
  let t: TestApp;
  let user: TestUser;
  const ORIGIN = 'http://localhost:3000';
  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: ORIGIN });
    user = await registerAndLogin(t);
  });
  afterAll(() => t.close());

  it('a browser may send every method the API serves: the CORS preflight allows PUT, PATCH and DELETE', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'POST']) {
      const res = await t
        .http()
        .options('/api/config')
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['access-control-allow-methods'].split(/, */)).toContain(method);
    }
    // and still only for the configured origins
    const other = await t.http().options('/api/config').set('Origin', 'http://evil.example').set('Access-Control-Request-Method', 'PUT');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a read ignores query parameters it does not read (cache busters), as the legacy service did; a write refuses them', async () => {
    const auth = bearer(user.accessToken);
    await t.http().get('/api/events?_=1700000000000').set(auth).expect(200);
    await t.http().get('/api/events?limit=5&page=2&utm_source=x').set(auth).expect(200);
    await t.http().get('/api/patterns?_=1').set(auth).expect(200);
    await t.http().get('/api/suggestions?_=1').set(auth).expect(200);
    await t.http().get('/api/events/export?format=csv&_=1').set(auth).expect(200);
    await t.http().get('/api/audit-logs?skip=1').set(auth).expect(200);
    // a write is exact: `?days=5` must not run the clean-up with its default of 90 days
    const days = await t.http().post('/api/data/retention/cleanup?days=5').set(auth).expect(422);
    expect(days.body.detail).toEqual([{ loc: ['query', 'days'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }]);
    // what is read is still validated, located where it was sent
    const bad = await t.http().get('/api/events?limit=1000&_=1').set(auth).expect(422);
    expect(bad.body.detail).toEqual([expect.objectContaining({ loc: ['query', 'limit'] })]);
    const q = await t.http().post('/api/data/retention/cleanup?retention_days=abc').set(auth).expect(422);
    expect(q.body.detail[0].loc).toEqual(['query', 'retention_days']);
    const body = await t.http().post('/api/data/retention/cleanup').set(auth).send({ retention_days: 'abc' }).expect(422);
    expect(body.body.detail[0].loc).toEqual(['body', 'retention_days']);
    // an unknown field of a JSON body is still refused (a typo must not vanish)
    const typo = await t.http().post('/api/events').set(auth).send({ event_type: 'x', fil_path: '/a' }).expect(422);
    expect(typo.body.detail[0]).toMatchObject({ loc: ['body', 'fil_path'], type: 'extra_forbidden' });
  });

  it('a blank optional username (as forms send it) is no username', async () => {
    const email = uniqueEmail('blank');
    const res = await t
      .http()
      .post('/api/auth/register')
      .send({ email, password: 'long enough pw', username: '', full_name: '' })
      .expect(201);
    expect(res.body.username).toBeNull();
    const named = await t
      .http()
      .put('/api/auth/profile')
      .set(bearer(user.accessToken))
      .send({ username: `n${Date.now()}` })
      .expect(200);
    expect(named.body.username).toMatch(/^n\d+$/);
    const cleared = await t.http().put('/api/auth/profile').set(bearer(user.accessToken)).send({ username: '' }).expect(200);
    expect(cleared.body.username).toBeNull();
  });

  it('a malformed id in the path is a 404 like a missing resource, with its own detail', async () => {
    const auth = bearer(user.accessToken);
    const wf = await t
      .http()
      .post('/api/workflows')
      .set(auth)
      .send({ name: 'w', steps: [{ type: 'delay', ms: 0 }] })
      .expect(201);
    const cases: [string, string, string][] = [
      ['delete', '/api/auth/sessions/not-a-uuid', 'Session not found'],
      ['get', `/api/workflows/${wf.body.id}/executions/xyz`, 'Execution not found'],
      ['post', '/api/suggestions/xyz/apply', 'Suggestion not found'],
      ['post', '/api/suggestions/xyz/bookmark', 'Suggestion not found'],
      ['get', '/api/events/xyz/file', 'File not found'],
      ['get', '/api/workflows/xyz', 'Workflow not found'],
      ['delete', `/api/auth/sessions/${randomUUID()}`, 'Session not found'],
    ];
    for (const [method, url, detail] of cases) {
      const res = await t.http()[method as 'get'](url).set(auth);
      expect(`${method} ${url} ${res.status} ${JSON.stringify(res.body)}`).toBe(`${method} ${url} 404 ${JSON.stringify({ detail })}`);
    }
  });

  it('a trailing slash reaches the route without it', async () => {
    const auth = bearer(user.accessToken);
    await t.http().get('/api/events/').set(auth).expect(200);
    await t.http().get('/api/v1/organizations/').set(auth).expect(200);
    await t.http().post('/api/events/').set(auth).send({ event_type: 'slash' }).expect(201);
  });
});
