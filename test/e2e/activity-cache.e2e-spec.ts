import { generateActivity } from '../fixtures/activity-generator';
import { Redis } from 'ioredis';
import { createTestApp, type TestApp } from '../helpers/app';
import { ACTIVITY_ENV, addEvents, eventSeries, get } from '../helpers/activity';
import { query } from '../helpers/databases';
import { TcpProxy } from '../helpers/tcp-proxy';
import { bearer, registerAndLogin, type TestUser } from '../helpers/users';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../setup/test-env';
import { ResponseCache } from '../../src/platform/cache/response-cache';

/** An event written behind the API's back: visible only to a list that is NOT cached. */
const sneakEvent = (userId: string, eventType: string) =>
  query(TEST_DATABASE_URL, `INSERT INTO events (user_id, event_type) VALUES ($1, $2)`, [userId, eventType]);

const types = async (t: TestApp, u: TestUser, qs = '') =>
  (await get(t, u, `/api/events?limit=100${qs}`).expect(200)).body.items.map((e: { event_type: string }) => e.event_type).sort();

const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const start = Date.now();
  const out = await fn();
  return [out, Date.now() - start];
};

describe('list response cache', () => {
  describe('with Redis up', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(ACTIVITY_ENV);
    });
    afterAll(() => t.close());

    it('serves repeated lists from Redis, per user and per query', async () => {
      const u = await registerAndLogin(t);
      await addEvents(t, u, [{ event_type: 'a' }]);
      expect(await types(t, u)).toEqual(['a']);
      await sneakEvent(u.id, 'sneaked');
      expect(await types(t, u)).toEqual(['a']); // cached page
      expect(await types(t, u, '&sort_order=asc')).toEqual(['a', 'sneaked']); // another query, another entry
      const other = await registerAndLogin(t);
      expect(await types(t, other)).toEqual([]);
      const cache = t.app.get(ResponseCache);
      expect(cache.counters.hits).toBeGreaterThan(0);
      const redis = new Redis(TEST_REDIS_URL);
      try {
        const keys = await redis.keys(`${t.config.redis.keyPrefix}cache:{${u.id}}:*`);
        expect(keys.length).toBeGreaterThanOrEqual(3); // generation + two pages
      } finally {
        redis.disconnect();
      }
    });

    it('computes a page once for concurrent misses, and again after a write', async () => {
      const u = await registerAndLogin(t);
      const cache = t.app.get(ResponseCache);
      let computed = 0;
      const compute = async () => {
        computed++;
        await new Promise((r) => setTimeout(r, 50)); // a slow page: every request below arrives meanwhile
        return { page: { items: [computed], total: 1, skip: 0, limit: 20, has_more: false }, totalCapped: false };
      };
      const pages = await Promise.all(Array.from({ length: 20 }, () => cache.listPage(u.id, 'events', ['sf'], compute)));
      expect(computed).toBe(1);
      expect(new Set(pages.map((p) => p.json))).toEqual(new Set(['{"items":[1],"total":1,"skip":0,"limit":20,"has_more":false}']));
      await cache.invalidate(u.id); // a write: the next misses compute afresh
      const after = await Promise.all(Array.from({ length: 5 }, () => cache.listPage(u.id, 'events', ['sf'], compute)));
      expect(computed).toBe(2);
      expect(after.every((p) => p.json.includes('[2]'))).toBe(true);
    });

    it('shows every kind of write in the very next list call', async () => {
      const u = await registerAndLogin(t);
      expect(await types(t, u)).toEqual([]);
      await t.http().post('/api/events').set(bearer(u.accessToken)).send({ event_type: 'single', file_path: 'x.py' }).expect(201);
      expect(await types(t, u)).toEqual(['single']);
      await addEvents(
        t,
        u,
        eventSeries(6, () => ({ event_type: 'batched', file_path: 'y.py', tool: 'vim' }), Date.now()),
      );
      expect(await types(t, u)).toEqual(['batched', 'batched', 'batched', 'batched', 'batched', 'batched', 'single']);
      await t.http().post('/api/events/upload').set(bearer(u.accessToken)).attach('file', Buffer.from('z'), 'z.txt').expect(201);
      expect(await types(t, u)).toContain('file_upload');

      expect(
        (await get(t, u, '/api/patterns').expect(200)).body.items.find((p: { file_extension: string }) => p.file_extension === '.py').count,
      ).toBe(7);
      await addEvents(t, u, [{ event_type: 'more', file_path: 'w.py' }]);
      expect(
        (await get(t, u, '/api/patterns').expect(200)).body.items.find((p: { file_extension: string }) => p.file_extension === '.py').count,
      ).toBe(8);

      expect((await get(t, u, '/api/suggestions').expect(200)).body.total).toBe(0);
      await addEvents(t, u, generateActivity().events); // routines for the engine to find
      const generated = (await t.http().post('/api/suggestions/generate').set(bearer(u.accessToken)).expect(200)).body;
      expect(generated.length).toBeGreaterThan(0);
      const listed = (await get(t, u, '/api/suggestions').expect(200)).body;
      expect(listed.total).toBe(generated.length);
      const id = listed.items[0].id;
      await t.http().post(`/api/suggestions/${id}/bookmark`).set(bearer(u.accessToken)).expect(200);
      expect((await get(t, u, '/api/suggestions').expect(200)).body.items.find((s: { id: string }) => s.id === id).is_bookmarked).toBe(
        true,
      );
      await t.http().post(`/api/suggestions/${id}/dismiss`).set(bearer(u.accessToken)).expect(200);
      expect((await get(t, u, '/api/suggestions?is_dismissed=true').expect(200)).body.total).toBe(1);

      await query(
        TEST_DATABASE_URL,
        `UPDATE events SET "timestamp" = now() - interval '1000 days' WHERE user_id = $1 AND event_type = 'single'`,
        [u.id],
      );
      await t.http().post('/api/data/retention/cleanup?retention_days=365').set(bearer(u.accessToken)).expect(200);
      expect(await types(t, u)).not.toContain('single');
    });
  });

  it('CACHE_ENABLED=false reads every page from the database', async () => {
    const t = await createTestApp({ ...ACTIVITY_ENV, CACHE_ENABLED: 'false' });
    try {
      const u = await registerAndLogin(t);
      await addEvents(t, u, [{ event_type: 'a', file_path: 'a.md' }]);
      expect(await types(t, u)).toEqual(['a']);
      await sneakEvent(u.id, 'b'); // written behind the API's back: only an uncached read sees it
      expect(await types(t, u)).toEqual(['a', 'b']);
      expect(t.app.get(ResponseCache).counters).toMatchObject({ hits: 0, misses: 0, bypassed: 2 });
    } finally {
      await t.close();
    }
  });

  it('serves lists uncached, without errors or delay, when Redis is unreachable', async () => {
    const t = await createTestApp({ ...ACTIVITY_ENV, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const u = await registerAndLogin(t);
      await addEvents(t, u, [{ event_type: 'a', file_path: 'a.md' }]);
      const [, ms] = await timed(async () => {
        expect(await types(t, u)).toEqual(['a']);
        await sneakEvent(u.id, 'b');
        expect(await types(t, u)).toEqual(['a', 'b']); // nothing cached
        await get(t, u, '/api/patterns').expect(200);
        await get(t, u, '/api/suggestions').expect(200);
      });
      expect(ms).toBeLessThan(2_000);
      expect(t.app.get(ResponseCache).counters.bypassed).toBeGreaterThanOrEqual(4);
    } finally {
      await t.close();
    }
  });

  it('survives Redis going away and coming back without ever serving a stale page', async () => {
    const proxy = await TcpProxy.forUrl(TEST_REDIS_URL, 6379).start();
    const t = await createTestApp({ ...ACTIVITY_ENV, REDIS_URL: proxy.url(TEST_REDIS_URL) });
    try {
      const u = await registerAndLogin(t);
      await addEvents(t, u, [{ event_type: 'before' }]);
      expect(await types(t, u)).toEqual(['before']); // cached now
      proxy.cut();
      await addEvents(t, u, [{ event_type: 'during' }]); // the invalidation cannot reach Redis
      expect(await types(t, u)).toEqual(['before', 'during']);
      proxy.restore();
      // until the owed flush went through, nothing is read from the cache; after it, the old page is gone
      for (let i = 0; i < 20; i++) {
        expect(await types(t, u)).toEqual(['before', 'during']);
        await new Promise((r) => setTimeout(r, 100));
      }
      await sneakEvent(u.id, 'sneaked');
      // caching works again (the sneaked row is hidden by a page cached after recovery)
      const seen = await types(t, u);
      expect(seen).toEqual(expect.arrayContaining(['before', 'during']));
      await addEvents(t, u, [{ event_type: 'after' }]);
      expect(await types(t, u)).toEqual(['after', 'before', 'during', 'sneaked']);
    } finally {
      await t.close();
      await proxy.stop();
    }
  });

  it('does not wait for a Redis that stops answering (short command timeout)', async () => {
    const proxy = await TcpProxy.forUrl(TEST_REDIS_URL, 6379).start();
    const t = await createTestApp({ ...ACTIVITY_ENV, REDIS_URL: proxy.url(TEST_REDIS_URL), CACHE_TIMEOUT_MS: '100' });
    try {
      const u = await registerAndLogin(t);
      await addEvents(t, u, [{ event_type: 'x' }]);
      expect(await types(t, u)).toEqual(['x']);
      proxy.stall();
      // the rate limiter's own Redis timeout (1 s per limit) bounds the request; the cache adds at most 100 ms
      const [res, ms] = await timed(() => get(t, u, '/api/events?limit=5'));
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(1);
      expect(ms).toBeLessThan(4_000);
      const created = await t.http().post('/api/events').set(bearer(u.accessToken)).send({ event_type: 'y' });
      expect(created.status).toBe(201);
      expect(await types(t, u)).toEqual(['x', 'y']);
      proxy.resume();
    } finally {
      await t.close();
      await proxy.stop();
    }
  });
});
