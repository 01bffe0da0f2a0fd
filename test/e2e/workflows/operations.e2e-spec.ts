import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { ExecutionsRepository } from '../../../src/domains/workflows/executions.repository';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { bearer, registerAndLogin } from '../../helpers/users';
import { TEST_DATABASE_URL } from '../../setup/test-env';

describe('workflow operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('queue dashboard (/admin/queues)', () => {
    it('is for superusers only', async () => {
      await t.http().get('/admin/queues').expect(401);
      await t.http().get('/admin/queues').set(bearer('not-a-jwt')).expect(401);
      const user = await registerAndLogin(t);
      const forbidden = await t.http().get('/admin/queues').set(bearer(user.accessToken)).expect(403);
      expect(forbidden.body).toEqual({ detail: 'Superuser privileges required' });
      await t.http().get('/admin/queues/api/queues').set(bearer(user.accessToken)).expect(403);
      // the dashboard's API and its actions too, anonymous or not
      await t.http().get('/admin/queues/api/queues').expect(401);
      await t.http().put('/admin/queues/api/queues/workflows/pause').expect(401);
      await t.http().put('/admin/queues/api/queues/workflows/pause').set(bearer(user.accessToken)).expect(403);
      await t.http().put('/admin/queues/api/queues/workflows/clean/failed').set(bearer(user.accessToken)).expect(403);
      await t.http().get('/admin/queues').query({ token: user.accessToken }).expect(403);
      expect(await t.app.get<Queue>(getQueueToken('workflows'), { strict: false }).isPaused()).toBe(false);

      await query(TEST_DATABASE_URL, 'UPDATE users SET is_superuser = true WHERE id = $1', [user.id]);
      // a change made in the database reaches tokens already in use within AUTH_PRINCIPAL_CACHE_MS; a new login at once
      const login = await t.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
      user.accessToken = login.body.access_token as string;
      const page = await t.http().get('/admin/queues').set(bearer(user.accessToken)).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const api = await t.http().get('/admin/queues/api/queues').set(bearer(user.accessToken)).expect(200);
      expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['analysis', 'maintenance', 'schedules', 'workflows']);
    });

    it('keeps a browser session in a scoped HttpOnly cookie', async () => {
      const admin = await registerAndLogin(t);
      await query(TEST_DATABASE_URL, 'UPDATE users SET is_superuser = true WHERE id = $1', [admin.id]);
      const first = await t.http().get('/admin/queues').query({ token: admin.accessToken }).expect(200);
      const cookie = first.headers['set-cookie'][0];
      expect(cookie).toMatch(/^floyo_queues=.+; Path=\/admin\/queues; HttpOnly; SameSite=Strict/);
      await t.http().get('/admin/queues/api/queues').set('Cookie', cookie.split(';')[0]).expect(200);
      // revoking the session locks the dashboard too
      await t.http().delete('/api/auth/sessions').set(bearer(admin.accessToken)).expect(200);
      const me = await t.http().get('/api/auth/sessions').set(bearer(admin.accessToken)).expect(200);
      await t.http().delete(`/api/auth/sessions/${me.body[0].id}`).set(bearer(admin.accessToken)).expect(200);
      await t.http().get('/admin/queues/api/queues').set('Cookie', cookie.split(';')[0]).expect(401);
    });
  });

  it('purges executions older than the retention, keeping recent and unfinished ones', async () => {
    const user = await registerAndLogin(t);
    const w = (
      await t
        .http()
        .post('/api/workflows')
        .set(bearer(user.accessToken))
        .send({ name: 'p', steps: [{ type: 'delay', ms: 0 }] })
        .expect(201)
    ).body;
    const insert = (status: string, ageDays: number) =>
      query<{ id: string }>(
        TEST_DATABASE_URL,
        `INSERT INTO workflow_executions (workflow_id, status, created_at) VALUES ($1, $2, now() - make_interval(days => $3)) RETURNING id`,
        [w.id, status, ageDays],
      );
    const [old] = await insert('completed', 40);
    const [oldFailed] = await insert('failed', 31);
    const [recent] = await insert('completed', 5);
    const [stuck] = await insert('running', 40);
    const executions = t.app.get(ExecutionsRepository);
    expect(await executions.purgeOlderThan(30, 1)).toBeGreaterThanOrEqual(2);
    const left = (await query<{ id: string }>(TEST_DATABASE_URL, 'SELECT id FROM workflow_executions WHERE workflow_id = $1', [w.id])).map(
      (r) => r.id,
    );
    expect(left).toEqual(expect.arrayContaining([recent.id, stuck.id]));
    expect(left).not.toContain(old.id);
    expect(left).not.toContain(oldFailed.id);
  });
});
