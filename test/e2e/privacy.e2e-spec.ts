import { createTestApp, type TestApp } from '../helpers/app';
import { ACTIVITY_ENV, addEvents, eventSeries, get } from '../helpers/activity';
import { query } from '../helpers/databases';
import { bearer, registerAndLogin, type TestUser } from '../helpers/users';
import { binaryParser, readZip } from '../helpers/zip';
import { TEST_DATABASE_URL } from '../setup/test-env';
import { KEPT_ON_DELETION, USER_DATA_TABLES } from '../../src/domains/privacy/account-deletion.service';

const rowsOf = async (table: string, userId: string) =>
  Number((await query<{ n: string }>(TEST_DATABASE_URL, `SELECT count(*) AS n FROM ${table} WHERE user_id = $1`, [userId]))[0].n);

async function seedEverything(t: TestApp, u: TestUser) {
  // in the past, so the analysis behind generate really runs (its state and counts are user data too)
  await addEvents(
    t,
    u,
    eventSeries(30, (i) => ({ file_path: `/p/${i}.py`, tool: i % 2 ? 'vim' : 'git' })),
  );
  await t.http().post('/api/suggestions/generate').set(bearer(u.accessToken)).expect(200);
  await query(
    TEST_DATABASE_URL,
    `INSERT INTO suggestions (user_id, trigger, tools_involved, confidence) VALUES ($1, 'When you save', '["vim"]', 0.5)`,
    [u.id],
  );
  await t.http().post('/api/events/upload').set(bearer(u.accessToken)).attach('file', Buffer.from('file body'), 'note.txt').expect(201);
  await query(
    TEST_DATABASE_URL,
    `INSERT INTO relationships (user_id, source_file, target_file, relation_type) VALUES ($1, 'a', 'b', 'co_edit')`,
    [u.id],
  );
  await query(TEST_DATABASE_URL, `INSERT INTO workflows (user_id, name, steps) VALUES ($1, 'nightly', '[{"type":"noop"}]')`, [u.id]);
}

describe('privacy API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(ACTIVITY_ENV);
  });
  afterAll(() => t.close());

  const exportZip = (u: TestUser) => t.http().get('/api/data/export').set(bearer(u.accessToken)).buffer(true).parse(binaryParser);

  describe('GET /api/data/export', () => {
    it('streams a ZIP named floyo_data_export_YYYYMMDD.zip holding user_data.json with all the user’s data, nobody else’s', async () => {
      const u = await registerAndLogin(t);
      const other = await registerAndLogin(t);
      await seedEverything(t, u);
      await addEvents(
        t,
        other,
        eventSeries(5, () => ({ file_path: '/secret/other.rs' })),
      );
      await addEvents(
        t,
        u,
        eventSeries(2300, (i) => ({ file_path: `/bulk/${i}.txt` }), Date.parse('2024-01-01')),
      );

      const res = await exportZip(u).expect(200);
      const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      expect(res.headers['content-type']).toBe('application/zip');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="floyo_data_export_${today}.zip"`);
      const files = readZip(res.body as Buffer);
      expect([...files.keys()]).toEqual(['user_data.json']);
      const data = JSON.parse(files.get('user_data.json')!.toString('utf8'));
      expect(Object.keys(data)).toEqual([
        'exported_at',
        'format_version',
        'user',
        'config',
        'events',
        'patterns',
        'suggestions',
        'workflows',
      ]);
      expect(data.user).toMatchObject({ id: u.id, email: u.email });
      expect(data.user.password_hash).toBeUndefined();
      expect(data.config.tracking_config.retention_days).toBe(90);
      expect(data.events).toHaveLength(2331);
      expect(new Set(data.events.map((e: { id: string }) => e.id)).size).toBe(2331);
      expect(data.events.some((e: { file_path: string }) => e.file_path === '/secret/other.rs')).toBe(false);
      expect(data.patterns.map((p: { file_extension: string }) => p.file_extension).sort()).toEqual(['.py', '.txt']);
      expect(data.suggestions.length).toBeGreaterThan(0);
      expect(data.workflows).toEqual([expect.objectContaining({ name: 'nightly', steps: [{ type: 'noop' }] })]);
      expect(data.workflows[0].cursor_ts).toBeUndefined();

      const empty = JSON.parse(
        readZip((await exportZip(other).expect(200)).body as Buffer)
          .get('user_data.json')!
          .toString(),
      );
      expect(empty.events).toHaveLength(5);
      expect(empty.suggestions).toEqual([]);
      expect(empty.workflows).toEqual([]);
      await t.http().get('/api/data/export').expect(401);
    });
  });

  describe('DELETE /api/data/delete', () => {
    it('requires confirm=true (400 otherwise) and deletes nothing without it', async () => {
      const u = await registerAndLogin(t);
      await addEvents(t, u, eventSeries(3));
      for (const url of ['/api/data/delete', '/api/data/delete?confirm=false', '/api/data/delete?confirm=nope']) {
        const res = await t.http().delete(url).set(bearer(u.accessToken)).expect(400);
        expect(res.body).toEqual({ detail: 'Deletion must be confirmed with confirm=true' });
      }
      await t.http().delete('/api/data/delete').set(bearer(u.accessToken)).send({ confirm: false }).expect(400);
      await t.http().delete('/api/data/delete?confirm=true&also=1').set(bearer(u.accessToken)).expect(422);
      expect(await rowsOf('events', u.id)).toBe(3);
      await get(t, u, '/api/auth/me').expect(200);
    });

    it('erases every row and file, revokes sessions, anonymises the account (no login), audits it; others untouched', async () => {
      const u = await registerAndLogin(t);
      const bystander = await registerAndLogin(t);
      await seedEverything(t, u);
      await seedEverything(t, bystander);
      const second = await t.http().post('/api/auth/login').send({ email: u.email, password: u.password }).expect(200);

      const res = await t.http().delete('/api/data/delete').set(bearer(u.accessToken)).send({ confirm: true }).expect(200);
      expect(res.body).toEqual({ message: expect.any(String) });

      for (const table of USER_DATA_TABLES) expect({ table, rows: await rowsOf(table, u.id) }).toEqual({ table, rows: 0 });
      const [user] = await query<Record<string, unknown>>(
        TEST_DATABASE_URL,
        'SELECT email, username, full_name, is_active, deleted_at, password_hash FROM users WHERE id = $1',
        [u.id],
      );
      expect(user).toMatchObject({ email: `deleted-${u.id}@deleted.invalid`, username: null, full_name: null, is_active: false });
      expect(user.deleted_at).not.toBeNull();
      expect(user.password_hash).toBe('!');
      const live = await query(TEST_DATABASE_URL, 'SELECT 1 FROM user_sessions WHERE user_id = $1 AND revoked_at IS NULL', [u.id]);
      expect(live).toHaveLength(0);
      const [audit] = await query<{ action: string; resource_id: string; details: { deleted: Record<string, number> } }>(
        TEST_DATABASE_URL,
        `SELECT action, resource_id, details FROM audit_logs WHERE user_id = $1 AND action = 'data_delete'`,
        [u.id],
      );
      expect(audit).toMatchObject({ resource_id: u.id, details: { deleted: expect.objectContaining({ events: 31, files: 1 }) } });

      await get(t, u, '/api/events').expect(401);
      await t.http().get('/api/auth/me').set(bearer(second.body.access_token)).expect(401);
      await t.http().post('/api/auth/refresh').send({ refresh_token: second.body.refresh_token }).expect(401);
      await t.http().post('/api/auth/login').send({ email: u.email, password: u.password }).expect(401);

      expect(await rowsOf('events', bystander.id)).toBe(31);
      const relationships = await rowsOf('relationships', bystander.id); // 1 seeded + what the analysis found
      expect(relationships).toBeGreaterThan(1);
      expect((await get(t, bystander, '/api/stats').expect(200)).body).toMatchObject({
        total_events: 31,
        total_relationships: relationships,
      });
      expect(await rowsOf('workflows', bystander.id)).toBe(1);
    });

    it('covers every table that references a user (a new one must be added to the deletion or explicitly kept)', async () => {
      const refs = await query<{ table: string; column: string }>(
        TEST_DATABASE_URL,
        `SELECT c.conrelid::regclass::text AS table, a.attname AS column
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
          WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass`,
      );
      const covered = new Set<string>([...USER_DATA_TABLES, ...Object.keys(KEPT_ON_DELETION)]);
      const missing = refs
        .filter((r) => !(r.column === 'user_id' ? covered.has(r.table) : covered.has(`${r.table}.${r.column}`) || covered.has(r.table)))
        .map((r) => `${r.table}.${r.column}`);
      expect(missing).toEqual([]);
    });
  });

  describe('POST /api/data/retention/cleanup', () => {
    it('deletes the caller’s events older than retention_days (default 90), answering {message, deleted_count, cutoff_date}', async () => {
      const u = await registerAndLogin(t);
      const other = await registerAndLogin(t);
      const day = 86_400_000;
      await addEvents(t, u, [
        ...eventSeries(4, () => ({}), Date.now() - 200 * day),
        ...eventSeries(3, () => ({}), Date.now() - 60 * day),
        ...eventSeries(2, () => ({}), Date.now()),
      ]);
      await addEvents(
        t,
        other,
        eventSeries(5, () => ({}), Date.now() - 400 * day),
      );
      const before = Date.now();
      const res = await t.http().post('/api/data/retention/cleanup').set(bearer(u.accessToken)).expect(200);
      expect(res.body).toEqual({ message: 'Deleted 4 events older than 90 days', deleted_count: 4, cutoff_date: expect.any(String) });
      const cutoff = Date.parse(res.body.cutoff_date);
      expect(Math.abs(cutoff - (before - 90 * day))).toBeLessThan(10_000);
      const again = await t.http().post('/api/data/retention/cleanup?retention_days=30').set(bearer(u.accessToken)).expect(200);
      expect(again.body).toMatchObject({ deleted_count: 3, message: 'Deleted 3 events older than 30 days' });
      const body = await t.http().post('/api/data/retention/cleanup').set(bearer(u.accessToken)).send({ retention_days: 1 }).expect(200);
      expect(body.body.deleted_count).toBe(0);
      expect((await get(t, u, '/api/events').expect(200)).body.total).toBe(2);
      expect((await get(t, u, '/api/stats').expect(200)).body.total_events).toBe(2);
      expect(await rowsOf('events', other.id)).toBe(5);
    });

    it.each(['retention_days=0', 'retention_days=-3', 'retention_days=abc', 'retention_days=1.5', 'retention_days=100000', 'days=5'])(
      'refuses %s with 422',
      async (qs) => {
        const u = await registerAndLogin(t);
        await addEvents(
          t,
          u,
          eventSeries(2, () => ({}), Date.parse('2000-01-01')),
        );
        const res = await t.http().post(`/api/data/retention/cleanup?${qs}`).set(bearer(u.accessToken)).expect(422);
        expect(res.body.detail[0].loc[0]).toBe('query');
        expect(await rowsOf('events', u.id)).toBe(2);
      },
    );
  });
});
