import { Client } from 'pg';
import { createTestApp, type TestApp } from '../helpers/app';
import { ACTIVITY_ENV, addEvents, eventSeries, get } from '../helpers/activity';
import { parseCsvRecords } from '../helpers/csv';
import { query } from '../helpers/databases';
import { bearer, registerAndLogin, type TestUser } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

const count = async (userId: string) =>
  Number((await query<{ n: string }>(TEST_DATABASE_URL, 'SELECT count(*) AS n FROM events WHERE user_id = $1', [userId]))[0].n);

describe('events API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(ACTIVITY_ENV);
  });
  afterAll(() => t.close());

  const post = (u: TestUser, url: string) => t.http().post(url).set(bearer(u.accessToken));

  describe('POST /api/events', () => {
    it('creates an event (201) with every field, and defaults the timestamp to now', async () => {
      const u = await registerAndLogin(t);
      const before = Date.now();
      const res = await post(u, '/api/events')
        .send({
          event_type: 'file_opened',
          file_path: '/home/ada/a.py',
          tool: 'vscode',
          operation: 'open',
          details: { lines: 3, nested: { ok: true } },
        })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        event_type: 'file_opened',
        file_path: '/home/ada/a.py',
        tool: 'vscode',
        operation: 'open',
        timestamp: expect.any(String),
        details: { lines: 3, nested: { ok: true } },
      });
      expect(Date.parse(res.body.timestamp)).toBeGreaterThanOrEqual(before - 5_000);
      const minimal = await post(u, '/api/v1/events').send({ event_type: 'ping' }).expect(201);
      expect(minimal.body).toMatchObject({ file_path: null, tool: null, operation: null, details: null });
      expect(await count(u.id)).toBe(2);
    });

    it('keeps a given ISO-8601 timestamp; one without a zone is UTC', async () => {
      const u = await registerAndLogin(t);
      const a = await post(u, '/api/events').send({ event_type: 'x', timestamp: '2025-03-04T05:06:07+02:00' }).expect(201);
      expect(a.body.timestamp).toBe('2025-03-04T03:06:07.000Z');
      const b = await post(u, '/api/events').send({ event_type: 'x', timestamp: '2025-03-04T05:06:07' }).expect(201);
      expect(b.body.timestamp).toBe('2025-03-04T05:06:07.000Z');
    });

    it.each([
      ['a missing event_type', {}, ['body', 'event_type']],
      ['an empty event_type', { event_type: '' }, ['body', 'event_type']],
      ['an event_type over 50 chars', { event_type: 'x'.repeat(51) }, ['body', 'event_type']],
      ['a tool over 100 chars', { event_type: 'x', tool: 't'.repeat(101) }, ['body', 'tool']],
      ['an operation over 50 chars', { event_type: 'x', operation: 'o'.repeat(51) }, ['body', 'operation']],
      ['a numeric file_path', { event_type: 'x', file_path: 42 }, ['body', 'file_path']],
      ['details that are an array', { event_type: 'x', details: [1, 2] }, ['body', 'details']],
      ['details that are a string', { event_type: 'x', details: 'text' }, ['body', 'details']],
      ['an unknown field', { event_type: 'x', user_id: '00000000-0000-0000-0000-000000000000' }, ['body', 'user_id']],
      ['a timestamp that is not ISO-8601', { event_type: 'x', timestamp: 'yesterday' }, ['body', 'timestamp']],
      ['an impossible date', { event_type: 'x', timestamp: '2025-02-30T10:00:00Z' }, ['body', 'timestamp']],
      ['a NUL character', { event_type: 'x', file_path: 'a\u0000b' }, ['body', 'file_path']],
      ['a NUL character inside details', { event_type: 'x', details: { k: 'a\u0000b' } }, ['body', 'details']],
    ])('refuses %s with 422 naming the field', async (_name, body, loc) => {
      const u = await registerAndLogin(t);
      const res = await post(u, '/api/events').send(body).expect(422);
      expect(res.body.detail).toEqual(
        expect.arrayContaining([expect.objectContaining({ loc, msg: expect.any(String), type: expect.any(String) })]),
      );
      expect(await count(u.id)).toBe(0);
    });

    it('refuses details nested deeper than 8 levels or larger than 16 KiB (422), even absurdly deep ones', async () => {
      const u = await registerAndLogin(t);
      let deep: unknown = { leaf: true };
      for (let i = 0; i < 8; i++) deep = { d: deep };
      const tooDeep = await post(u, '/api/events').send({ event_type: 'x', details: deep }).expect(422);
      expect(tooDeep.body.detail[0]).toMatchObject({ loc: ['body', 'details'], msg: expect.stringMatching(/deeper than 8/) });
      await post(u, '/api/events')
        .send({ event_type: 'x', details: { s: 'x'.repeat(16 * 1024) } })
        .expect(422);
      // 100k levels: must stay a validation error (no stack overflow, no 500)
      const absurd = '{"event_type":"x","details":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
      await post(u, '/api/events').set('Content-Type', 'application/json').send(absurd).expect(422);
      const hidden = '{"event_type":"x","extra":' + '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) + '}';
      await post(u, '/api/events').set('Content-Type', 'application/json').send(hidden).expect(422);
      let ok: unknown = { leaf: true };
      for (let i = 0; i < 7; i++) ok = { d: ok };
      await post(u, '/api/events').send({ event_type: 'x', details: ok }).expect(201);
      expect(await count(u.id)).toBe(1);
    });

    it('answers wrong content types and broken JSON with a 4xx, never a 500', async () => {
      const u = await registerAndLogin(t);
      const text = await post(u, '/api/events').set('Content-Type', 'text/plain').send('event_type=x');
      expect(text.status).toBe(422);
      expect(text.body.detail[0].loc).toEqual(['body']);
      const xml = await post(u, '/api/events').set('Content-Type', 'application/xml').send('<event/>');
      expect(xml.status).toBe(415);
      expect(xml.body.detail).toEqual(expect.any(String));
      const broken = await post(u, '/api/events').set('Content-Type', 'application/json').send('{"event_type":');
      expect(broken.status).toBe(422);
      const array = await post(u, '/api/events')
        .send([{ event_type: 'x' }])
        .expect(422);
      expect(array.body.detail[0].loc).toEqual(['body']);
      await t.http().post('/api/events').send({ event_type: 'x' }).expect(401);
    });
  });

  describe('POST /api/events/batch', () => {
    it('inserts 1000 events in one call, in order, and counts them', async () => {
      const u = await registerAndLogin(t);
      const items = eventSeries(1000, (i) => ({ file_path: `/w/f${i}.md`, details: { i } }));
      const res = await post(u, '/api/events/batch').send(items).expect(201);
      expect(res.body).toHaveLength(1000);
      expect(res.body.map((e: { details: { i: number } }) => e.details.i)).toEqual(items.map((_, i) => i));
      expect(new Set(res.body.map((e: { id: string }) => e.id)).size).toBe(1000);
      expect(await count(u.id)).toBe(1000);
      expect((await get(t, u, '/api/stats').expect(200)).body.total_events).toBe(1000);
    });

    it('refuses 1001 items, an empty list and a non-list with 422, inserting nothing', async () => {
      const u = await registerAndLogin(t);
      const over = await post(u, '/api/events/batch').send(eventSeries(1001)).expect(422);
      expect(over.body.detail[0]).toMatchObject({ loc: ['body'], type: 'too_long' });
      await post(u, '/api/events/batch').send([]).expect(422);
      const obj = await post(u, '/api/events/batch').send({ event_type: 'x' }).expect(422);
      expect(obj.body.detail[0]).toMatchObject({ loc: ['body'], type: 'list_type' });
      expect(await count(u.id)).toBe(0);
    });

    it('rejects the whole batch when one item is invalid, naming its index', async () => {
      const u = await registerAndLogin(t);
      const items: unknown[] = eventSeries(10);
      items[3] = { tool: 'vim' };
      items[7] = 'not an object';
      const res = await post(u, '/api/events/batch').send(items).expect(422);
      expect(res.body.detail).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ loc: ['body', 3, 'event_type'] }),
          expect.objectContaining({ loc: ['body', 7] }),
        ]),
      );
      expect(await count(u.id)).toBe(0);
      let nine: unknown = { leaf: 1 };
      for (let i = 0; i < 8; i++) nine = { d: nine };
      const deep = eventSeries(5).map((e, i) => (i === 2 ? { ...e, details: nine } : e));
      const deepRes = await post(u, '/api/events/batch').send(deep).expect(422);
      expect(deepRes.body.detail[0].loc).toEqual(['body', 2, 'details']);
      expect(await count(u.id)).toBe(0);
    });

    it('is all-or-nothing when the database refuses one row of the insert', async () => {
      const u = await registerAndLogin(t);
      const poison = `boom-${u.id.slice(0, 8)}`;
      // A row trigger that fails only for this test's own marker value.
      await query(
        TEST_DATABASE_URL,
        `CREATE OR REPLACE FUNCTION h3_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.event_type = '${poison}' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`,
      );
      await query(TEST_DATABASE_URL, 'CREATE TRIGGER h3_test_boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION h3_test_boom()');
      try {
        const items = eventSeries(1000, (i) => ({ event_type: i === 999 ? poison : 'ok', file_path: `/x/${i}.py` }));
        const res = await post(u, '/api/events/batch').send(items);
        expect(res.status).toBe(500);
        expect(res.body).toEqual({ detail: 'Internal server error', error_id: expect.any(String) });
      } finally {
        await query(TEST_DATABASE_URL, 'DROP TRIGGER IF EXISTS h3_test_boom ON events');
      }
      expect(await count(u.id)).toBe(0);
      expect((await get(t, u, '/api/patterns').expect(200)).body.total).toBe(0);
      expect((await get(t, u, '/api/stats').expect(200)).body.total_events).toBe(0);
    });
  });

  describe('GET /api/events', () => {
    let u: TestUser;
    let ids_: string[];
    beforeAll(async () => {
      u = await registerAndLogin(t);
      // 40 events, newest last; alternating types/tools; some searchable names
      const rows = await addEvents(
        t,
        u,
        eventSeries(40, (i) => ({
          event_type: i % 2 ? 'file_saved' : 'file_opened',
          tool: i % 4 === 0 ? 'vim' : 'vscode',
          file_path: i === 5 ? '/docs/50%_off.txt' : i === 6 ? '/docs/500_off.txt' : i === 7 ? '/docs/back\\slash.txt' : `/src/File${i}.ts`,
          operation: i === 8 ? 'REFACTOR' : 'edit',
        })),
      );
      ids_ = rows.map((r) => r.id);
    });

    it('returns the envelope, newest first, with has_more exact at every boundary', async () => {
      const page = async (skip: number, limit: number) => (await get(t, u, `/api/events?skip=${skip}&limit=${limit}`).expect(200)).body;
      const first = await page(0, 20);
      expect(Object.keys(first).sort()).toEqual(['has_more', 'items', 'limit', 'skip', 'total']);
      expect(first).toMatchObject({ total: 40, skip: 0, limit: 20, has_more: true });
      expect(first.items.map((e: { id: string }) => e.id)).toEqual([...ids_].reverse().slice(0, 20));
      expect(await page(20, 20)).toMatchObject({ total: 40, has_more: false });
      expect((await page(20, 20)).items).toHaveLength(20);
      expect(await page(19, 20)).toMatchObject({ total: 40, has_more: true });
      expect(await page(21, 20)).toMatchObject({ total: 40, has_more: false });
      expect(await page(0, 40)).toMatchObject({ total: 40, has_more: false });
      expect(await page(0, 39)).toMatchObject({ total: 40, has_more: true });
      const past = await page(40, 20);
      expect(past).toMatchObject({ items: [], total: 40, has_more: false });
      expect(await page(1000, 5)).toMatchObject({ items: [], total: 40, has_more: false });
      const defaults = (await get(t, u, '/api/events').expect(200)).body;
      expect(defaults).toMatchObject({ skip: 0, limit: 20, total: 40, has_more: true });
      // pages never overlap nor skip rows
      const all = [...(await page(0, 15)).items, ...(await page(15, 15)).items, ...(await page(30, 15)).items];
      expect(all.map((e: { id: string }) => e.id)).toEqual([...ids_].reverse());
    });

    it('filters by event_type and tool, with exact totals', async () => {
      const saved = (await get(t, u, '/api/events?event_type=file_saved&limit=100').expect(200)).body;
      expect(saved.total).toBe(20);
      expect(saved.items.every((e: { event_type: string }) => e.event_type === 'file_saved')).toBe(true);
      const vim = (await get(t, u, '/api/events?tool=vim&limit=5').expect(200)).body;
      expect(vim).toMatchObject({ total: 10, has_more: true });
      const both = (await get(t, u, '/api/events?tool=vim&event_type=file_saved').expect(200)).body;
      expect(both.total).toBe(0);
    });

    it('searches file_path, operation and event_type case-insensitively, with % _ \\ taken literally', async () => {
      const search = async (s: string) => (await get(t, u, `/api/events?limit=100&search=${encodeURIComponent(s)}`).expect(200)).body;
      expect((await search('50%')).items.map((e: { file_path: string }) => e.file_path)).toEqual(['/docs/50%_off.txt']);
      expect((await search('0_off')).items.map((e: { file_path: string }) => e.file_path)).toEqual(['/docs/500_off.txt']);
      expect((await search('_off')).total).toBe(2);
      expect((await search('%_')).items.map((e: { file_path: string }) => e.file_path)).toEqual(['/docs/50%_off.txt']);
      expect((await search('0_o')).items.map((e: { file_path: string }) => e.file_path)).toEqual(['/docs/500_off.txt']);
      expect((await search('%')).total).toBe(1);
      expect((await search('\\')).items.map((e: { file_path: string }) => e.file_path)).toEqual(['/docs/back\\slash.txt']);
      expect((await search('refactor')).total).toBe(1);
      expect((await search('FILE_SAVED')).total).toBe(20);
      expect((await search('file3')).total).toBe(11); // File3.ts and File30..39.ts
      expect((await search("'; DROP TABLE events; --")).total).toBe(0);
    });

    it('sorts by each whitelisted column in both directions', async () => {
      const ids = async (sortBy: string, order: string) =>
        (await get(t, u, `/api/events?limit=100&sort_by=${sortBy}&sort_order=${order}`).expect(200)).body.items.map(
          (e: { id: string }) => e.id,
        );
      for (const column of ['timestamp', 'event_type', 'tool', 'operation', 'file_path']) {
        const asc = await ids(column, 'asc');
        // every key (ties broken by timestamp, then id) runs in one direction: desc is asc reversed
        expect(await ids(column, 'desc')).toEqual([...asc].reverse());
        expect(asc).toHaveLength(40);
        const [{ first }] = await query<{ first: string }>(
          TEST_DATABASE_URL,
          `SELECT id AS first FROM events WHERE user_id = $1 ORDER BY ${column}, "timestamp", id LIMIT 1`,
          [u.id],
        );
        expect(asc[0]).toBe(first);
      }
      expect(await ids('timestamp', 'asc')).toEqual(ids_);
      const byType = (await get(t, u, '/api/events?sort_by=event_type&sort_order=asc&limit=20').expect(200)).body.items;
      expect(new Set(byType.map((e: { event_type: string }) => e.event_type))).toEqual(new Set(['file_opened']));
    });

    it.each([
      ['sort_by=id;DROP TABLE events', 'sort_by'],
      ['sort_by=timestamp desc, (select 1)', 'sort_by'],
      ['sort_by=user_id', 'sort_by'],
      ['sort_by=details', 'sort_by'],
      ['sort_order=sideways', 'sort_order'],
      ['limit=101', 'limit'],
      ['limit=100000000000', 'limit'],
      ['limit=0', 'limit'],
      ['limit=-5', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=2.5', 'limit'],
      ['skip=-1', 'skip'],
      ['skip=1e30', 'skip'],
      ['skip=ten', 'skip'],
      ['search=' + 'x'.repeat(201), 'search'],
      ['event_type=' + 'x'.repeat(51), 'event_type'],
    ])('refuses %s with 422', async (qs, field) => {
      const res = await get(t, u, `/api/events?${qs}`).expect(422);
      expect(res.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc: ['query', field] })]));
    });

    it('runs the same number of queries whatever the page size', async () => {
      const spy = jest.spyOn(Client.prototype, 'query');
      const queriesFor = async (url: string) => {
        spy.mockClear();
        await get(t, u, url).expect(200);
        return spy.mock.calls.length;
      };
      try {
        // distinct queries (no cache hits), each needing the total
        const small = await queriesFor('/api/events?limit=2&skip=1');
        const large = await queriesFor('/api/events?limit=30&skip=2');
        const filteredSmall = await queriesFor('/api/events?limit=2&tool=vscode');
        const filteredLarge = await queriesFor('/api/events?limit=25&tool=vscode');
        expect(large).toBe(small);
        expect(filteredLarge).toBe(filteredSmall);
        expect(small).toBeLessThanOrEqual(4); // auth principal + page + counter (+ pool noise)
      } finally {
        spy.mockRestore();
      }
    });

    it('never shows another user’s events', async () => {
      const other = await registerAndLogin(t);
      const res = (await get(t, other, '/api/events?limit=100').expect(200)).body;
      expect(res).toEqual({ items: [], total: 0, skip: 0, limit: 100, has_more: false });
      expect((await get(t, other, '/api/events?search=file').expect(200)).body.total).toBe(0);
      await t.http().get('/api/events').expect(401);
    });
  });

  describe('filtered totals are capped (LIST_COUNT_CAP)', () => {
    it('stops counting at the cap, says so in X-Total-Capped, and keeps has_more exact', async () => {
      const capped = await createTestApp({ ...ACTIVITY_ENV, LIST_COUNT_CAP: '100' });
      try {
        const u = await registerAndLogin(capped);
        await addEvents(
          capped,
          u,
          eventSeries(250, (i) => ({ tool: i < 150 ? 'vim' : 'emacs' })),
        );
        const filtered = await get(capped, u, '/api/events?tool=vim&limit=10');
        expect(filtered.status).toBe(200);
        expect(filtered.headers['x-total-capped']).toBe('true');
        expect(filtered.body).toMatchObject({ total: 100, has_more: true });
        const deep = (await get(capped, u, '/api/events?tool=vim&skip=140&limit=10').expect(200)).body;
        expect(deep).toMatchObject({ has_more: false, total: 150 }); // the last page knows the exact end
        const beyond = await get(capped, u, '/api/events?tool=vim&skip=120&limit=10').expect(200);
        expect(beyond.body.has_more).toBe(true);
        expect(beyond.body.total).toBeGreaterThanOrEqual(131);
        const small = await get(capped, u, '/api/events?tool=emacs&limit=10');
        expect(small.headers['x-total-capped']).toBeUndefined();
        expect(small.body.total).toBe(100);
        const unfiltered = await get(capped, u, '/api/events?limit=10');
        expect(unfiltered.headers['x-total-capped']).toBeUndefined();
        expect(unfiltered.body.total).toBe(250);
      } finally {
        await capped.close();
      }
    });
  });

  describe('GET /api/events/export', () => {
    it('exports every event as JSON (default) and as correctly escaped CSV, only the caller’s', async () => {
      const u = await registerAndLogin(t);
      const other = await registerAndLogin(t);
      await addEvents(
        t,
        other,
        eventSeries(3, () => ({ file_path: '/secret/other.txt' })),
      );
      const tricky = ['comma, inside', 'quote " inside', 'new\nline', 'crlf\r\nline', '=1+2', 'ünïcødé'];
      await addEvents(
        t,
        u,
        eventSeries(2500, (i) => ({
          file_path: i < tricky.length ? tricky[i] : `/f/${i}.txt`,
          tool: 'vim',
          details: i === 0 ? { note: 'a,"b"\nc', n: 1 } : null,
        })),
      );
      const json = await get(t, u, '/api/events/export').expect(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      expect(json.headers['content-disposition']).toBe('attachment; filename="events.json"');
      const rows = JSON.parse(json.text) as { file_path: string; details: unknown }[];
      expect(rows).toHaveLength(2500);
      expect(new Set(rows.map((r) => (r as unknown as { id: string }).id)).size).toBe(2500);
      expect(rows.some((r) => r.file_path === '/secret/other.txt')).toBe(false);
      expect(rows[rows.length - 1]).toMatchObject({ file_path: 'comma, inside', details: { note: 'a,"b"\nc', n: 1 } });

      const csv = await get(t, u, '/api/events/export?format=csv').expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toBe('attachment; filename="events.csv"');
      const records = parseCsvRecords(csv.text);
      expect(records).toHaveLength(2500);
      expect(Object.keys(records[0])).toEqual(['id', 'event_type', 'file_path', 'tool', 'operation', 'timestamp', 'details']);
      const paths = new Set(records.map((r) => r.file_path));
      // a formula is neutralised with a leading quote (csv-exports.e2e-spec.ts)
      for (const value of tricky) expect(paths).toContain(value.startsWith('=') ? `'${value}` : value);
      const first = records.find((r) => r.file_path === 'comma, inside')!;
      expect(JSON.parse(first.details)).toEqual({ note: 'a,"b"\nc', n: 1 });
      expect(first.operation).toBe('');

      const empty = await get(t, await registerAndLogin(t), '/api/events/export?format=csv').expect(200);
      expect(empty.text).toBe('id,event_type,file_path,tool,operation,timestamp,details\n');
      const emptyJson = await get(t, await registerAndLogin(t), '/api/events/export?format=json').expect(200);
      expect(emptyJson.text).toBe('[]');
    });

    it('refuses an unknown format with 422', async () => {
      const u = await registerAndLogin(t);
      const res = await get(t, u, '/api/events/export?format=xml').expect(422);
      expect(res.body.detail[0].loc).toEqual(['query', 'format']);
    });
  });
});
