import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../helpers/app';
import { ACTIVITY_ENV, addEvents, eventSeries, get } from '../helpers/activity';
import { parseCsvRecords } from '../helpers/csv';
import { query } from '../helpers/databases';
import { bearer, registerAndLogin, type TestUser } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

/** Inserts suggestions straight into the table (the list/action routes are what is under test). */
async function seedSuggestions(
  userId: string,
  rows: { confidence: number; dismissed?: boolean; applied?: boolean; ageMinutes?: number }[],
) {
  const ids: string[] = [];
  for (const [i, r] of rows.entries()) {
    const [row] = await query<{ id: string }>(
      TEST_DATABASE_URL,
      `INSERT INTO suggestions (user_id, trigger, tools_involved, suggested_integration, reasoning, confidence, is_dismissed, is_applied, created_at)
       VALUES ($1, $2, '["vim"]', 'slack', 'seeded', $3, $4, $5, now() - make_interval(mins => $6)) RETURNING id`,
      [userId, `trigger ${i}`, r.confidence, r.dismissed ?? false, r.applied ?? false, r.ageMinutes ?? i],
    );
    ids.push(row.id);
  }
  return ids;
}

describe('patterns and suggestions API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(ACTIVITY_ENV);
  });
  afterAll(() => t.close());

  const post = (u: TestUser, url: string) => t.http().post(url).set(bearer(u.accessToken));

  describe('patterns', () => {
    it('are kept current at ingest: count, last_used and the distinct tools per extension', async () => {
      const u = await registerAndLogin(t);
      await addEvents(t, u, [
        { event_type: 'open', file_path: '/a/x.PY', tool: 'vim', timestamp: '2025-01-01T00:00:00Z' },
        { event_type: 'open', file_path: '/a/y.py', tool: 'vscode', timestamp: '2025-01-03T00:00:00Z' },
        { event_type: 'open', file_path: '/a/z.md', timestamp: '2025-01-02T00:00:00Z' },
        { event_type: 'cmd', tool: 'git' },
        { event_type: 'open', file_path: '/a/Makefile', tool: 'make' },
      ]);
      await addEvents(t, u, [
        { event_type: 'open', file_path: '/b/w.py', tool: 'vim', timestamp: '2024-06-01T00:00:00Z' },
        { event_type: 'open', file_path: '/b/v.py', tool: 'pycharm', timestamp: '2025-02-01T00:00:00Z' },
      ]);
      await post(u, '/api/events').send({ event_type: 'open', file_path: 'C:\\notes\\q.md', tool: 'notepad' }).expect(201);
      const res = (await get(t, u, '/api/patterns').expect(200)).body;
      expect(res).toMatchObject({ total: 2, skip: 0, limit: 20, has_more: false });
      const [py, md] = res.items;
      expect(py).toEqual({
        id: expect.any(String),
        file_extension: '.py',
        count: 4,
        last_used: '2025-02-01T00:00:00.000Z',
        tools: ['vim', 'vscode', 'pycharm'],
      });
      expect(md).toMatchObject({ file_extension: '.md', count: 2, tools: ['notepad'] });
      expect(Date.parse(md.last_used)).toBeGreaterThan(Date.parse('2025-06-01'));
      expect((await get(t, u, '/api/stats').expect(200)).body).toMatchObject({ total_events: 8, total_patterns: 2 });
    });

    it('lists with filter, sort and the pagination envelope; refuses bad parameters', async () => {
      const u = await registerAndLogin(t);
      const exts = ['.a', '.b', '.c', '.d', '.e'];
      await addEvents(
        t,
        u,
        exts.flatMap((ext, i) => eventSeries(i + 1, () => ({ file_path: `/f/file${ext}` }))),
      );
      const list = async (qs: string) => (await get(t, u, `/api/patterns?${qs}`).expect(200)).body;
      expect((await list('')).items.map((p: { file_extension: string }) => p.file_extension)).toEqual(['.e', '.d', '.c', '.b', '.a']);
      expect((await list('sort_by=count&sort_order=asc')).items.map((p: { count: number }) => p.count)).toEqual([1, 2, 3, 4, 5]);
      expect((await list('sort_by=file_extension&sort_order=asc')).items[0].file_extension).toBe('.a');
      expect(await list('limit=2')).toMatchObject({ total: 5, has_more: true });
      expect(await list('limit=2&skip=3')).toMatchObject({ total: 5, has_more: false });
      expect(await list('limit=2&skip=2')).toMatchObject({ total: 5, has_more: true });
      expect(await list('skip=5')).toMatchObject({ items: [], total: 5, has_more: false });
      expect(await list('file_extension=.c')).toMatchObject({ total: 1, items: [expect.objectContaining({ count: 3 })] });
      expect((await list('file_extension=C')).total).toBe(1);
      expect((await list('file_extension=.zzz')).total).toBe(0);
      for (const qs of ['sort_by=count;drop table patterns', 'sort_by=user_id', 'sort_order=up', 'limit=101', 'skip=-1', 'limit=x']) {
        const res = await get(t, u, `/api/patterns?${qs}`).expect(422);
        expect(res.body.detail[0].loc[0]).toBe('query');
      }
      expect((await list('nope=1')).total).toBe(5); // a parameter the route does not read is ignored
      const other = await registerAndLogin(t);
      expect((await get(t, other, '/api/patterns').expect(200)).body).toEqual({ items: [], total: 0, skip: 0, limit: 20, has_more: false });
    });

    it('exports as JSON and CSV, only the caller’s', async () => {
      const u = await registerAndLogin(t);
      const other = await registerAndLogin(t);
      await addEvents(t, u, [
        { event_type: 'o', file_path: 'a.ts', tool: 'vim' },
        { event_type: 'o', file_path: 'b.ts', tool: 'code, "quoted"' },
        { event_type: 'o', file_path: 'c.go' },
      ]);
      await addEvents(t, other, [{ event_type: 'o', file_path: 'secret.rs' }]);
      const json = await get(t, u, '/api/patterns/export?format=json').expect(200);
      expect(json.headers['content-disposition']).toBe('attachment; filename="patterns.json"');
      const rows = JSON.parse(json.text);
      expect(rows.map((r: { file_extension: string }) => r.file_extension)).toEqual(['.ts', '.go']);
      const csv = await get(t, u, '/api/patterns/export?format=csv').expect(200);
      expect(csv.headers['content-disposition']).toBe('attachment; filename="patterns.csv"');
      const records = parseCsvRecords(csv.text);
      expect(records.map((r) => r.file_extension)).toEqual(['.ts', '.go']);
      expect(JSON.parse(records[0].tools)).toEqual(['vim', 'code, "quoted"']); // first seen first
      await get(t, u, '/api/patterns/export?format=yaml').expect(422);
    });
  });

  describe('suggestions', () => {
    it('lists with the default order (confidence, then newest), filters and envelope', async () => {
      const u = await registerAndLogin(t);
      const ids = await seedSuggestions(u.id, [
        { confidence: 0.5, ageMinutes: 1 },
        { confidence: 0.9, ageMinutes: 5 },
        { confidence: 0.5, ageMinutes: 0 },
        { confidence: 0.2, dismissed: true },
        { confidence: 0.7, applied: true },
      ]);
      const list = async (qs = '') => (await get(t, u, `/api/suggestions?${qs}`).expect(200)).body;
      const all = await list();
      expect(all).toMatchObject({ total: 5, skip: 0, limit: 20, has_more: false });
      expect(all.items.map((s: { id: string }) => s.id)).toEqual([ids[1], ids[4], ids[2], ids[0], ids[3]]);
      expect(Object.keys(all.items[0]).sort()).toEqual(
        [
          'actual_files',
          'confidence',
          'created_at',
          'id',
          'is_applied',
          'is_bookmarked',
          'is_dismissed',
          'reasoning',
          'sample_code',
          'suggested_connector',
          'suggested_integration',
          'tools_involved',
          'trigger',
        ].sort(),
      );
      expect((await list('confidence_min=0.6')).items.map((s: { id: string }) => s.id)).toEqual([ids[1], ids[4]]);
      expect((await list('is_dismissed=false')).total).toBe(4);
      expect((await list('is_dismissed=true')).items.map((s: { id: string }) => s.id)).toEqual([ids[3]]);
      expect((await list('is_applied=true&is_dismissed=false')).items.map((s: { id: string }) => s.id)).toEqual([ids[4]]);
      expect((await list('sort_by=created_at&sort_order=asc')).items[0].id).toBe(ids[1]); // 5 minutes old
      expect(await list('limit=2&skip=2')).toMatchObject({ total: 5, has_more: true });
      expect(await list('limit=2&skip=3')).toMatchObject({ total: 5, has_more: false });
      for (const qs of [
        'confidence_min=high',
        'confidence_min=1.5',
        'is_dismissed=maybe',
        'sort_by=trigger',
        'sort_order=1',
        'limit=1000',
      ]) {
        await get(t, u, `/api/suggestions?${qs}`).expect(422);
      }
    });

    it('bookmark toggles, apply and dismiss set their flags, each with the legacy message', async () => {
      const u = await registerAndLogin(t);
      const [id] = await seedSuggestions(u.id, [{ confidence: 0.6 }]);
      expect((await post(u, `/api/suggestions/${id}/bookmark`).expect(200)).body).toEqual({ message: 'Suggestion bookmarked' });
      expect((await get(t, u, '/api/suggestions').expect(200)).body.items[0].is_bookmarked).toBe(true);
      expect((await post(u, `/api/suggestions/${id}/bookmark`).expect(200)).body).toEqual({ message: 'Suggestion unbookmarked' });
      expect((await get(t, u, '/api/suggestions').expect(200)).body.items[0].is_bookmarked).toBe(false);
      expect((await post(u, `/api/suggestions/${id}/apply`).expect(200)).body).toEqual({ message: 'Suggestion marked as applied' });
      expect((await post(u, `/api/suggestions/${id}/dismiss`).expect(200)).body).toEqual({ message: 'Suggestion dismissed' });
      const [s] = (await get(t, u, '/api/suggestions').expect(200)).body.items;
      expect(s).toMatchObject({ is_applied: true, is_dismissed: true, is_bookmarked: false });
      expect((await post(u, `/api/v1/suggestions/${id}/apply`).expect(200)).body.message).toBe('Suggestion marked as applied');
    });

    it('another user’s suggestion is a 404 for every action and never changes; bad ids are 422', async () => {
      const owner = await registerAndLogin(t);
      const other = await registerAndLogin(t);
      const [id] = await seedSuggestions(owner.id, [{ confidence: 0.6 }]);
      for (const action of ['bookmark', 'apply', 'dismiss']) {
        const res = await post(other, `/api/suggestions/${id}/${action}`).expect(404);
        expect(res.body).toEqual({ detail: 'Suggestion not found' });
        await post(owner, `/api/suggestions/${randomUUID()}/${action}`).expect(404);
        const bad = await post(owner, `/api/suggestions/not-a-uuid/${action}`).expect(404);
        expect(bad.body).toEqual({ detail: 'Suggestion not found' });
      }
      const [row] = await query<Record<string, boolean>>(
        TEST_DATABASE_URL,
        'SELECT is_bookmarked, is_applied, is_dismissed FROM suggestions WHERE id = $1',
        [id],
      );
      expect(row).toEqual({ is_bookmarked: false, is_applied: false, is_dismissed: false });
      expect((await get(t, other, '/api/suggestions').expect(200)).body.total).toBe(0);
    });
    // generate and the engine behind it: pattern-intelligence.e2e-spec.ts
  });
});
