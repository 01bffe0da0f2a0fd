import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { insertOrganization, makeSuperuser } from '../../helpers/organizations';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

/**
 * Fetch wrappers send `Content-Type: application/json` on every request, with or without a
 * body. An empty body with a JSON content type is "no body" on every route, as it was for
 * the legacy service; where a route needs a body, the 422 names the missing fields.
 */
interface Operation {
  requestBody?: { required?: boolean; content: Record<string, unknown> };
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
}

const JSON_HEADER = { 'Content-Type': 'application/json' };
/** A complaint about the body being empty (or not JSON), whatever its status. */
const EMPTY_BODY_COMPLAINT = /body cannot be empty|json_invalid|content-type/i;

describe('an empty body sent as application/json', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      AUTH_PRINCIPAL_CACHE_MS: '0',
      RATE_LIMIT_GENERATE_PER_HOUR: '1000',
      RATE_LIMIT_DATA_DELETE_PER_HOUR: '1000',
    });
    user = await registerAndLogin(t);
  });
  afterAll(() => t.close());

  const send = (method: string, url: string, who: TestUser = user) =>
    t.http()[method as 'post'](url).set(bearer(who.accessToken)).set(JSON_HEADER).send('');

  async function suggestionOf(u: TestUser): Promise<string> {
    const [row] = await query<{ id: string }>(
      TEST_DATABASE_URL,
      `INSERT INTO suggestions (user_id, trigger, suggested_integration, confidence) VALUES ($1, 'When you save', 'Slack: tell the team', 0.5) RETURNING id`,
      [u.id],
    );
    return row.id;
  }
  async function workflowOf(u: TestUser): Promise<string> {
    const res = await t
      .http()
      .post('/api/workflows')
      .set(bearer(u.accessToken))
      .send({ name: 'wf', steps: [{ type: 'delay', ms: 0 }] })
      .expect(201);
    return res.body.id;
  }

  it('is no body on the routes the SPA calls that way', async () => {
    const suggestion = await suggestionOf(user);
    const workflow = await workflowOf(user);
    const other = await t.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    const [session] = await query<{ id: string }>(
      TEST_DATABASE_URL,
      'SELECT s.id FROM user_sessions s JOIN refresh_tokens t ON t.session_id = s.id WHERE t.token_hash = encode(sha256($1::bytea), $2)',
      [other.body.refresh_token, 'hex'],
    );
    const cases: [string, string, number][] = [
      ['post', '/api/suggestions/generate', 200],
      ['post', `/api/suggestions/${suggestion}/bookmark`, 200],
      ['post', `/api/suggestions/${suggestion}/apply`, 200],
      ['post', `/api/suggestions/${suggestion}/dismiss`, 200],
      ['post', `/api/workflows/${workflow}/activate`, 200],
      ['post', `/api/workflows/${workflow}/execute`, 200],
      ['post', `/api/workflows/${workflow}/deactivate`, 200],
      ['delete', `/api/auth/sessions/${session.id}`, 200],
      ['delete', `/api/workflows/${workflow}`, 200],
      ['post', '/api/v1/suggestions/generate', 200],
    ];
    for (const [method, url, status] of cases) {
      const res = await send(method, url);
      expect(`${method} ${url} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toBe(
        `${method} ${url} -> ${status} ${JSON.stringify(res.body).slice(0, 200)}`,
      );
    }
  });

  it('is no body on every documented operation that needs none', async () => {
    const admin = await registerAndLogin(t);
    await makeSuperuser(admin.id);
    const doc = (await t.http().get('/openapi.json').expect(200)).body as OpenApiDoc;
    // real ids for the path parameters, so the requests reach their handlers
    const org = await insertOrganization([
      { userId: admin.id, role: 'owner' },
      { userId: user.id, role: 'member' },
    ]);
    const ids: Record<string, string> = {
      id: await workflowOf(admin),
      orgId: org,
      userId: user.id,
      executionId: randomUUID(),
      name: 'enable_file_uploads',
      overrideId: randomUUID(),
      token: 'not-a-token',
    };
    const ops: string[] = [];
    const complaints: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/') || path.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries(item)) {
        if (op.requestBody?.required) continue;
        if (op.requestBody && !op.requestBody.content['application/json']) continue; // multipart
        // the account deletion and session revocation would end the caller: a user of their own
        const caller = method === 'delete' && ['/api/data/delete', '/api/auth/sessions'].includes(path) ? await registerAndLogin(t) : admin;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(ids[name] ?? randomUUID()));
        const res = await send(method, url, caller);
        ops.push(`${method.toUpperCase()} ${path}`);
        // a complaint is a refusal (a 2xx body may well mention a content type, e.g. the connector catalogue)
        if (res.status >= 400 && EMPTY_BODY_COMPLAINT.test(JSON.stringify(res.body)))
          complaints.push(`${method.toUpperCase()} ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(ops.length).toBeGreaterThan(25);
    expect(complaints).toEqual([]);
  });

  it('where a route needs a body, the 422 names the missing fields', async () => {
    const res = await send('post', '/api/events').expect(422);
    expect(res.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc: ['body', 'event_type'], type: 'missing' })]));
    const login = await t.http().post('/api/auth/login').set(JSON_HEADER).send('').expect(422);
    expect(login.body.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual(
      expect.arrayContaining(['body.email', 'body.password']),
    );
  });

  it('still refuses a body that is not JSON, and whitespace is no body', async () => {
    const bad = await t.http().post('/api/events').set(bearer(user.accessToken)).set(JSON_HEADER).send('{"event_type":').expect(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' });
    const suggestion = await suggestionOf(user);
    await t.http().post(`/api/suggestions/${suggestion}/bookmark`).set(bearer(user.accessToken)).set(JSON_HEADER).send(' \r\n').expect(200);
    // prototype poisoning is still refused by the JSON parser
    const poisoned = await t
      .http()
      .post('/api/events')
      .set(bearer(user.accessToken))
      .set(JSON_HEADER)
      .send('{"event_type":"x","__proto__":{"a":1}}');
    expect(poisoned.status).toBeGreaterThanOrEqual(400);
    expect(poisoned.status).toBeLessThan(500);
  });
});
