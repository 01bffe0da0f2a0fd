import { createTestApp, type TestApp } from '../helpers/app';
import { get } from '../helpers/activity';
import { query } from '../helpers/databases';
import { bearer, registerAndLogin } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

describe('activity routes: rate limits and kill switches', () => {
  describe('the legacy per-route limits (defaults: batch 5/min, generate 10/h, data delete 1/h)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        RATE_LIMIT_BATCH_PER_MINUTE: '5',
        RATE_LIMIT_GENERATE_PER_HOUR: '10',
        RATE_LIMIT_DATA_DELETE_PER_HOUR: '1',
      });
    });
    afterAll(() => t.close());

    it('batch: the 6th call within a minute is 429 with Retry-After; other routes and users are unaffected', async () => {
      const u = await registerAndLogin(t);
      for (let i = 0; i < 5; i++)
        await t
          .http()
          .post('/api/events/batch')
          .set(bearer(u.accessToken))
          .send([{ event_type: 'x' }])
          .expect(201);
      const res = await t
        .http()
        .post('/api/events/batch')
        .set(bearer(u.accessToken))
        .send([{ event_type: 'x' }])
        .expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body.detail).toEqual(expect.any(String));
      await t.http().post('/api/events').set(bearer(u.accessToken)).send({ event_type: 'x' }).expect(201);
      const other = await registerAndLogin(t);
      await t
        .http()
        .post('/api/events/batch')
        .set(bearer(other.accessToken))
        .send([{ event_type: 'x' }])
        .expect(201);
    });

    it('generate: the 11th call within an hour is 429', async () => {
      const u = await registerAndLogin(t);
      for (let i = 0; i < 10; i++) await t.http().post('/api/suggestions/generate').set(bearer(u.accessToken)).expect(200);
      const res = await t.http().post('/api/suggestions/generate').set(bearer(u.accessToken)).expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('data delete: one call per hour (an unconfirmed one counts too)', async () => {
      const u = await registerAndLogin(t);
      await t.http().delete('/api/data/delete').set(bearer(u.accessToken)).expect(400);
      await t.http().delete('/api/data/delete?confirm=true').set(bearer(u.accessToken)).expect(429);
      await get(t, u, '/api/events').expect(200);
    });
  });

  it('events create/list, patterns and suggestions are each limited to RATE_LIMIT_PER_MINUTE per user', async () => {
    const t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const u = await registerAndLogin(t);
      const calls = [
        () => t.http().post('/api/events').set(bearer(u.accessToken)).send({ event_type: 'x' }),
        () => get(t, u, '/api/events'),
        () => get(t, u, '/api/patterns'),
        () => get(t, u, '/api/suggestions'),
      ];
      for (const call of calls) {
        for (let i = 0; i < 3; i++) expect((await call()).status).toBeLessThan(300);
        const limited = await call();
        expect(limited.status).toBe(429);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      await t.close();
    }
  });

  it('uploads and generation answer 503 while their kill switch is off for the caller', async () => {
    const t = await createTestApp();
    try {
      const off = await registerAndLogin(t);
      const on = await registerAndLogin(t);
      for (const flag of ['enable_file_uploads', 'enable_suggestion_generation']) {
        await query(
          TEST_DATABASE_URL,
          `INSERT INTO feature_flag_overrides (flag_id, user_id, enabled) SELECT id, $2, false FROM feature_flags WHERE name = $1`,
          [flag, off.id],
        );
      }
      const upload = await t
        .http()
        .post('/api/events/upload')
        .set(bearer(off.accessToken))
        .attach('file', Buffer.from('x'), 'x.txt')
        .expect(503);
      expect(upload.body.detail).toMatch(/temporarily disabled/);
      const generate = await t.http().post('/api/suggestions/generate').set(bearer(off.accessToken)).expect(503);
      expect(generate.body.detail).toMatch(/temporarily disabled/);
      expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM events WHERE user_id = $1', [off.id])).toHaveLength(0);
      await t.http().post('/api/events/upload').set(bearer(on.accessToken)).attach('file', Buffer.from('x'), 'x.txt').expect(201);
      await t.http().post('/api/suggestions/generate').set(bearer(on.accessToken)).expect(200);
    } finally {
      await t.close();
    }
  });
});
