import { createTestApp, type TestApp } from '../helpers/app';
import { ACTIVITY_ENV, addEvents, eventSeries, get } from '../helpers/activity';
import { query } from '../helpers/databases';
import { bearer, registerAndLogin, type TestUser } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

const DEFAULT_CONFIG = {
  monitored_directories: [],
  exclude_patterns: ['\\.git/', '__pycache__/', '\\.pyc$', 'node_modules/', '\\.floyo/'],
  tracking_config: { enable_file_watcher: true, enable_command_tracking: true, max_events: 1000, retention_days: 90 },
  suggestions_config: { max_suggestions: 5, use_actual_file_paths: true },
  privacy_config: { anonymize_paths: false, exclude_sensitive_dirs: [] },
};

const actualCounts = async (userId: string) =>
  (
    await query<Record<string, number>>(
      TEST_DATABASE_URL,
      `SELECT (SELECT count(*)::int FROM events WHERE user_id = $1) AS total_events,
              (SELECT count(*)::int FROM patterns WHERE user_id = $1) AS total_patterns,
              (SELECT count(*)::int FROM relationships WHERE user_id = $1) AS total_relationships,
              (SELECT count(*)::int FROM suggestions WHERE user_id = $1) AS total_suggestions`,
      [userId],
    )
  )[0];

describe('stats and config API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(ACTIVITY_ENV);
  });
  afterAll(() => t.close());

  const put = (u: TestUser, body: unknown) =>
    t
      .http()
      .put('/api/config')
      .set(bearer(u.accessToken))
      .send(body as object);

  describe('GET /api/stats', () => {
    it('starts at zero and follows every insert and delete, matching the rows', async () => {
      const u = await registerAndLogin(t);
      expect((await get(t, u, '/api/stats').expect(200)).body).toEqual({
        total_events: 0,
        total_patterns: 0,
        total_relationships: 0,
        total_suggestions: 0,
      });
      await addEvents(
        t,
        u,
        eventSeries(120, (i) => ({ file_path: `/f/${i}.${['py', 'md', 'ts'][i % 3]}` })),
      );
      await query(
        TEST_DATABASE_URL,
        `INSERT INTO relationships (user_id, source_file, target_file, relation_type) VALUES ($1, 'a', 'b', 'co_edit'), ($1, 'b', 'c', 'co_edit')`,
        [u.id],
      );
      const stats = (await get(t, u, '/api/stats').expect(200)).body;
      expect(stats).toEqual({ total_events: 120, total_patterns: 3, total_relationships: 2, total_suggestions: 0 });
      expect(stats).toEqual(await actualCounts(u.id));

      await query(
        TEST_DATABASE_URL,
        `UPDATE events SET "timestamp" = now() - interval '400 days' WHERE user_id = $1 AND file_path LIKE '%.md'`,
        [u.id],
      );
      await t.http().post('/api/data/retention/cleanup?retention_days=365').set(bearer(u.accessToken)).expect(200);
      await query(TEST_DATABASE_URL, `DELETE FROM relationships WHERE user_id = $1 AND source_file = 'a'`, [u.id]);
      const after = (await get(t, u, '/api/stats').expect(200)).body;
      expect(after).toEqual({ total_events: 80, total_patterns: 3, total_relationships: 1, total_suggestions: 0 });
      expect(after).toEqual(await actualCounts(u.id));
      expect((await get(t, u, '/api/events').expect(200)).body.total).toBe(80);
    });

    it('stays exact under concurrent writers', async () => {
      const u = await registerAndLogin(t);
      await Promise.all([
        ...Array.from({ length: 6 }, (_, b) =>
          addEvents(
            t,
            u,
            eventSeries(200, (i) => ({ file_path: `/c/${b}-${i}.${b % 2 ? 'rs' : 'go'}` })),
          ),
        ),
        ...Array.from({ length: 20 }, () =>
          t.http().post('/api/events').set(bearer(u.accessToken)).send({ event_type: 'x', file_path: 'one.rs' }).expect(201),
        ),
      ]);
      const stats = (await get(t, u, '/api/stats').expect(200)).body;
      expect(stats.total_events).toBe(1220);
      expect(stats).toEqual(await actualCounts(u.id));
      const [rs] = await query<{ count: number }>(
        TEST_DATABASE_URL,
        `SELECT count FROM patterns WHERE user_id = $1 AND file_extension = '.rs'`,
        [u.id],
      );
      expect(rs.count).toBe(620);
    });

    it('is per user', async () => {
      const a = await registerAndLogin(t);
      const b = await registerAndLogin(t);
      await addEvents(t, a, eventSeries(3));
      expect((await get(t, b, '/api/stats').expect(200)).body.total_events).toBe(0);
      await t.http().get('/api/stats').expect(401);
    });
  });

  describe('/api/config', () => {
    it('GET returns the defaults (created when missing)', async () => {
      const u = await registerAndLogin(t);
      expect((await get(t, u, '/api/config').expect(200)).body).toEqual(DEFAULT_CONFIG);
      await query(TEST_DATABASE_URL, 'DELETE FROM user_configs WHERE user_id = $1', [u.id]);
      expect((await get(t, u, '/api/config').expect(200)).body).toEqual(DEFAULT_CONFIG);
      expect(await query(TEST_DATABASE_URL, 'SELECT 1 FROM user_configs WHERE user_id = $1', [u.id])).toHaveLength(1);
    });

    it('PUT updates only what is sent: lists replaced, nested objects merged', async () => {
      const u = await registerAndLogin(t);
      const res = await put(u, {
        monitored_directories: ['/home/ada/work'],
        tracking_config: { retention_days: 30 },
        privacy_config: { exclude_sensitive_dirs: ['/home/ada/.ssh'] },
      }).expect(200);
      expect(res.body).toEqual({
        ...DEFAULT_CONFIG,
        monitored_directories: ['/home/ada/work'],
        tracking_config: { ...DEFAULT_CONFIG.tracking_config, retention_days: 30 },
        privacy_config: { anonymize_paths: false, exclude_sensitive_dirs: ['/home/ada/.ssh'] },
      });
      expect((await get(t, u, '/api/config').expect(200)).body).toEqual(res.body);
      const second = await put(u, { suggestions_config: { max_suggestions: 10 }, exclude_patterns: [] }).expect(200);
      expect(second.body).toMatchObject({
        monitored_directories: ['/home/ada/work'],
        exclude_patterns: [],
        suggestions_config: { max_suggestions: 10, use_actual_file_paths: true },
        tracking_config: { retention_days: 30, max_events: 1000 },
      });
      expect((await put(u, {}).expect(200)).body).toEqual(second.body);
      const other = await registerAndLogin(t);
      expect((await get(t, other, '/api/config').expect(200)).body).toEqual(DEFAULT_CONFIG);
    });

    it.each([
      ['an unknown top-level key', { theme: 'dark' }, ['body', 'theme']],
      ['an unknown nested key', { tracking_config: { foo: 1 } }, ['body', 'tracking_config', 'foo']],
      ['a list that is a string', { monitored_directories: '/home' }, ['body', 'monitored_directories']],
      ['a list of numbers', { exclude_patterns: [1, 2] }, ['body', 'exclude_patterns']],
      ['a nested object that is a list', { tracking_config: [1] }, ['body', 'tracking_config']],
      ['null for a field', { privacy_config: null }, ['body', 'privacy_config']],
      [
        'a boolean that is a string',
        { tracking_config: { enable_file_watcher: 'yes' } },
        ['body', 'tracking_config', 'enable_file_watcher'],
      ],
      ['retention_days below 1', { tracking_config: { retention_days: 0 } }, ['body', 'tracking_config', 'retention_days']],
      ['a fractional max_events', { tracking_config: { max_events: 1.5 } }, ['body', 'tracking_config', 'max_events']],
      ['a huge max_suggestions', { suggestions_config: { max_suggestions: 1000 } }, ['body', 'suggestions_config', 'max_suggestions']],
    ])('PUT refuses %s with 422 and changes nothing', async (_name, body, loc) => {
      const u = await registerAndLogin(t);
      const res = await put(u, body).expect(422);
      expect(res.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc })]));
      expect((await get(t, u, '/api/config').expect(200)).body).toEqual(DEFAULT_CONFIG);
    });

    it('PUT refuses a non-object body and absurdly nested input with 422', async () => {
      const u = await registerAndLogin(t);
      await put(u, [1, 2]).expect(422);
      const deep = '{"monitored_directories":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}';
      await t.http().put('/api/config').set(bearer(u.accessToken)).set('Content-Type', 'application/json').send(deep).expect(422);
      await t.http().put('/api/config').send({}).expect(401);
    });
  });
});
