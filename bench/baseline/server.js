#!/usr/bin/env node
'use strict';
/**
 * The baseline of `npm run bench` (bench/perf.js, issue 9): bare Fastify + `pg` (Pool)
 * running EXACTLY the SQL the service runs for the measured routes — the same statement
 * texts, the same parameters, the same number of statements per request — and answering
 * the same JSON. None of the framework: no Nest, no JWT verification, no rate limiter
 * (Redis), no response cache, no logging, no metrics, no helmet/CORS/compression, no
 * validation beyond what building the parameters needs, no realtime publish.
 *
 * Identity: the caller's user id and session id are read from the bearer token's payload
 * WITHOUT verifying its signature (base64 + JSON.parse), then the service's own
 * per-request principal query runs (user + session check, 1 statement), and a 401 is
 * sent if it fails — so an authenticated baseline request costs the same database work as
 * the service's AuthGuard, and the two sides are driven with identical requests.
 *
 * Routes (the service's paths, so one URL list drives both):
 *   GET  /health, /health/liveness   {status, timestamp}: no SQL (the service's liveness runs none)
 *   GET  /api/events                 principal + page (LIMIT limit+1) [+ total: user_stats
 *                                    counters when unfiltered, capped count when filtered]
 *   POST /api/events                 principal + ONE statement: event INSERT … unnest + pattern upsert CTE
 *   POST /api/events/batch           the same statement with up to 1000 rows
 *
 * The SQL texts below are copied from the built service (dist/) — see bench/HISTORY.md,
 * "Whole-service performance": `npm run bench -- --check-sql` logs the statements both
 * sides send to PostgreSQL and reports any difference. Keep them in step with src/:
 *   src/domains/auth/sessions.repository.ts      principal()
 *   src/platform/database/list-page.repository.ts  read(), cappedCount()
 *   src/domains/events/events.repository.ts      where(), SORT_SQL, EVENT_COLUMNS,
 *                                                INSERT_EVENTS + the outer WITH … SELECT, upsertSql
 *   src/domains/patterns/pattern-usage.ts        foldUsages
 *   src/domains/stats/stats.repository.ts        counts()
 *
 * Env: PORT (or BASELINE_PORT), HOST (127.0.0.1), DATABASE_URL, DB_POOL_SIZE (10, the
 * service's default), DB_STATEMENT_TIMEOUT_MS (10000), LIST_COUNT_CAP (10000).
 * When forked, sends {type:'ready'} to the parent once listening.
 */
const path = require('node:path');
const { randomUUID } = require('node:crypto');

// The Fastify the service itself runs on (a dependency of @nestjs/platform-fastify).
const fastifyPath = require.resolve('fastify', {
  paths: [path.dirname(require.resolve('@nestjs/platform-fastify/package.json'))],
});
const Fastify = require(fastifyPath);
const { Pool } = require('pg');

const PORT = Number(process.env.BASELINE_PORT || process.env.PORT || 8100);
const HOST = process.env.HOST || '127.0.0.1';
const POOL_SIZE = Number(process.env.DB_POOL_SIZE || 10);
const STATEMENT_TIMEOUT = Number(process.env.DB_STATEMENT_TIMEOUT_MS || 10_000);
const COUNT_CAP = Number(process.env.LIST_COUNT_CAP || 10_000);
const BODY_LIMIT = Number(process.env.BODY_LIMIT_BYTES || 5 * 1024 * 1024);

// ---------------------------------------------------------------- SQL (verbatim from the service)

/** src/domains/auth/sessions.repository.ts principal() */
const PRINCIPAL_SQL = `SELECT u.id, u.email, u.is_active, u.is_superuser, u.deleted_at,
                (s.id IS NOT NULL AND s.revoked_at IS NULL AND s.expires_at > now()) AS session_ok
           FROM users u
           LEFT JOIN user_sessions s ON s.id = $2 AND s.user_id = u.id
          WHERE u.id = $1`;

/** src/domains/events/events.repository.ts EVENT_COLUMNS */
const EVENT_COLUMNS = 'e.id, e.event_type, e.file_path, e.tool, e.operation, e.details, e."timestamp"';

/** src/domains/stats/stats.repository.ts counts() */
const COUNTS_SQL = `SELECT coalesce(sum(event_count), 0)::bigint AS events, coalesce(sum(pattern_count), 0)::bigint AS patterns,
              coalesce(sum(relationship_count), 0)::bigint AS relationships, coalesce(sum(suggestion_count), 0)::bigint AS suggestions
         FROM user_stats WHERE user_id = $1`;

/** src/domains/events/events.repository.ts INSERT_EVENTS */
const INSERT_EVENTS = `
INSERT INTO events (id, user_id, event_type, file_path, tool, operation, details, "timestamp", storage_key)
SELECT t.id, $1, t.event_type, t.file_path, t.tool, t.operation, t.details::jsonb, coalesce(t.ts, now()), t.storage_key
  FROM unnest($2::uuid[], $3::varchar[], $4::text[], $5::varchar[], $6::varchar[], $7::text[], $8::timestamptz[], $9::text[])
       AS t(id, event_type, file_path, tool, operation, details, ts, storage_key)
RETURNING id, "timestamp"`;
const EVENT_PARAMS = 9;

/** src/domains/events/events.repository.ts upsertSql (PATTERN_MAX_TOOLS: src/domains/patterns/pattern-usage.ts) */
const PATTERN_MAX_TOOLS = 50;
const upsertSql = (user, $) => `
INSERT INTO patterns AS p (user_id, file_extension, count, last_used, tools)
SELECT ${user}, u.ext, u.n, greatest(u.latest, CASE WHEN u.now THEN now() END), u.tools::jsonb
  FROM unnest(${$(1)}::varchar[], ${$(2)}::int[], ${$(3)}::timestamptz[], ${$(4)}::bool[], ${$(5)}::text[]) AS u(ext, n, latest, now, tools)
 ORDER BY u.ext
ON CONFLICT (user_id, file_extension) DO UPDATE SET
  count = p.count + EXCLUDED.count,
  last_used = greatest(p.last_used, EXCLUDED.last_used),
  tools = CASE WHEN EXCLUDED.tools = '[]'::jsonb OR EXCLUDED.tools <@ p.tools THEN p.tools ELSE
          (SELECT coalesce(jsonb_agg(t.tool ORDER BY t.first), '[]'::jsonb)
             FROM (SELECT e.tool, min(e.pos) AS first
                     FROM jsonb_array_elements(p.tools || EXCLUDED.tools) WITH ORDINALITY AS e(tool, pos)
                    GROUP BY e.tool
                    ORDER BY min(e.pos)
                    LIMIT ${$(6)}) t) END,
  updated_at = now()
RETURNING p.id, p.file_extension, p.count`;
const PATTERN_SQL = upsertSql('$1', (i) => `$${EVENT_PARAMS + i}`);

/** src/domains/events/events.repository.ts ingest(): the outer statement, with and without patterns. */
const ingestSql = (withPatterns) => `WITH inserted AS (${INSERT_EVENTS})${withPatterns ? `, patterns AS (${PATTERN_SQL})` : ''}
       SELECT 'event' AS kind, id, "timestamp", NULL::varchar AS file_extension, NULL::int AS count FROM inserted
       ${withPatterns ? `UNION ALL SELECT 'pattern', id, NULL, file_extension, count FROM patterns` : ''}`;
const INGEST_WITH_PATTERNS = ingestSql(true);
const INGEST_WITHOUT_PATTERNS = ingestSql(false);

// ---------------------------------------------------------------- helpers (as the service computes them)

/** src/domains/patterns/file-extension.ts */
const EXTENSION = /^\.[\p{L}\p{N}_+~-]{1,49}$/u;
function fileExtension(p) {
  if (!p) return null;
  const name = p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  const ext = name.slice(dot).toLowerCase();
  return EXTENSION.test(ext) ? ext : null;
}

/** src/domains/patterns/pattern-usage.ts foldUsages() */
function foldUsages(usages) {
  const out = new Map();
  for (const u of usages) {
    let e = out.get(u.extension);
    if (!e) out.set(u.extension, (e = { count: 0, latest: null, now: false, tools: [] }));
    e.count++;
    if (u.at === null) e.now = true;
    else if (!e.latest || u.at > e.latest) e.latest = u.at;
    if (u.tool !== null && e.tools.length < PATTERN_MAX_TOOLS && !e.tools.includes(u.tool)) e.tools.push(u.tool);
  }
  return out;
}

/** src/platform/database/sql/like.ts */
const containsPattern = (needle) => `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const HAS_ZONE = /(Z|[+-]\d{2}(:?\d{2})?)$/i;
const eventTime = (ts) => (ts ? new Date(ts.includes('T') && !HAS_ZONE.test(ts) ? `${ts}Z` : ts) : null);

const toResponse = (row) => ({
  id: row.id,
  event_type: row.event_type,
  file_path: row.file_path,
  tool: row.tool,
  operation: row.operation,
  timestamp: row.timestamp.toISOString(),
  details: row.details,
});

/** A create body → the service's NewEvent (no validation: bare). */
const newEvent = (b) => ({
  eventType: b.event_type,
  filePath: b.file_path ?? null,
  tool: b.tool ?? null,
  operation: b.operation ?? null,
  details: b.details ?? null,
  timestamp: eventTime(b.timestamp),
});

// ---------------------------------------------------------------- server

const pool = new Pool({
  connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/floyo_bench_perf',
  max: POOL_SIZE,
  idleTimeoutMillis: 30_000,
  statement_timeout: STATEMENT_TIMEOUT,
  query_timeout: STATEMENT_TIMEOUT + 250,
  keepAlive: true,
  application_name: 'floyo-bench-baseline',
});

class HttpError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** sub/sid from the bearer token's payload (NOT verified), then the service's principal query. */
async function principal(req) {
  const header = req.headers.authorization;
  const token = header && header.startsWith('Bearer ') ? header.slice(7) : '';
  let claims;
  try {
    claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  } catch {
    throw new HttpError(401, 'Not authenticated');
  }
  const { rows } = await pool.query(PRINCIPAL_SQL, [claims.sub, claims.sid]);
  const p = rows[0];
  if (!p || p.deleted_at || !p.is_active || !p.session_ok) throw new HttpError(401, 'Not authenticated');
  return p.id;
}

async function listEvents(userId, q) {
  const skip = q.skip === undefined ? 0 : Number(q.skip);
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (q.sort_by !== undefined && q.sort_by !== 'timestamp') throw new HttpError(400, 'the baseline sorts by timestamp only');
  const dir = q.sort_order === 'asc' ? 'ASC' : 'DESC';
  // src/domains/events/events-query.service.ts where(): clauses and parameters in this order
  const where = () => {
    const params = [userId];
    const clauses = [`e.user_id = $1`];
    if (q.event_type !== undefined) {
      params.push(q.event_type);
      clauses.push(`e.event_type = $${params.length}`);
    }
    if (q.tool !== undefined) {
      params.push(q.tool);
      clauses.push(`e.tool = $${params.length}`);
    }
    if (q.search) {
      params.push(containsPattern(q.search));
      const p = `$${params.length}`;
      clauses.push(`(e.file_path ILIKE ${p} ESCAPE '\\' OR e.operation ILIKE ${p} ESCAPE '\\' OR e.event_type ILIKE ${p} ESCAPE '\\')`);
    }
    return { sql: clauses.join(' AND '), params };
  };
  const filtered = q.event_type !== undefined || q.tool !== undefined || !!q.search;
  const w = where();
  const n = w.params.length;
  // src/platform/http/list-page.ts readListPage()
  const { rows } = await pool.query(
    `SELECT ${EVENT_COLUMNS} FROM events e WHERE ${w.sql} ORDER BY e."timestamp" ${dir}, e.id ${dir}
      LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...w.params, limit + 1, skip],
  );
  const items = rows.map(toResponse);
  // pageFromProbe()
  const hasMore = items.length > limit;
  if (hasMore) items.length = limit;
  if (!hasMore && (items.length > 0 || skip === 0)) {
    return { page: { items, total: skip + items.length, skip, limit, has_more: false }, capped: false };
  }
  let total;
  let capped = false;
  if (filtered) {
    // cappedCount(): a fresh where(), the cap as its next parameter
    const c = where();
    const res = await pool.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM events e WHERE ${c.sql} LIMIT $${c.params.length + 1}) s`, [
      ...c.params,
      COUNT_CAP + 1,
    ]);
    const counted = res.rows[0]?.n ?? 0;
    capped = counted > COUNT_CAP;
    total = capped ? COUNT_CAP : counted;
  } else {
    const res = await pool.query(COUNTS_SQL, [userId]);
    total = Number(res.rows[0].events);
  }
  const atLeast = items.length ? skip + items.length + (hasMore ? 1 : 0) : 0;
  return { page: { items, total: Math.max(total, atLeast), skip, limit, has_more: hasMore }, capped };
}

async function ingest(userId, events) {
  const ids = events.map(() => randomUUID());
  const usages = [];
  for (const e of events) {
    const extension = fileExtension(e.filePath);
    if (extension) usages.push({ extension, at: e.timestamp, tool: e.tool });
  }
  const params = [
    userId,
    ids,
    events.map((e) => e.eventType),
    events.map((e) => e.filePath),
    events.map((e) => e.tool),
    events.map((e) => e.operation),
    events.map((e) => (e.details == null ? null : JSON.stringify(e.details))),
    events.map((e) => (e.timestamp ? e.timestamp.toISOString() : null)),
    events.map(() => null),
  ];
  if (usages.length) {
    const folded = [...foldUsages(usages)];
    params.push(
      folded.map(([ext]) => ext),
      folded.map(([, u]) => u.count),
      folded.map(([, u]) => (u.latest ? u.latest.toISOString() : null)),
      folded.map(([, u]) => u.now),
      folded.map(([, u]) => JSON.stringify(u.tools)),
      PATTERN_MAX_TOOLS,
    );
  }
  const { rows } = await pool.query(usages.length ? INGEST_WITH_PATTERNS : INGEST_WITHOUT_PATTERNS, params);
  const stamps = new Map();
  for (const r of rows) if (r.kind === 'event') stamps.set(r.id, r.timestamp);
  return events.map((e, i) =>
    toResponse({
      id: ids[i],
      event_type: e.eventType,
      file_path: e.filePath,
      tool: e.tool,
      operation: e.operation,
      details: e.details,
      timestamp: stamps.get(ids[i]),
    }),
  );
}

function build() {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  app.setErrorHandler((err, _req, reply) => {
    const status = err.status || err.statusCode || 500;
    void reply.status(status).send({ detail: err.message });
  });
  const health = async () => ({ status: 'alive', timestamp: new Date().toISOString() });
  app.get('/health', health);
  app.get('/health/liveness', health);
  app.get('/api/events', async (req, reply) => {
    const userId = await principal(req);
    const { page, capped } = await listEvents(userId, req.query);
    if (capped) void reply.header('X-Total-Capped', 'true');
    return page;
  });
  app.post('/api/events', async (req, reply) => {
    const userId = await principal(req);
    const [event] = await ingest(userId, [newEvent(req.body)]);
    void reply.status(201);
    return event;
  });
  app.post('/api/events/batch', async (req, reply) => {
    const userId = await principal(req);
    if (!Array.isArray(req.body) || req.body.length < 1 || req.body.length > 1000) throw new HttpError(422, 'a list of 1 to 1000 events');
    const events = await ingest(userId, req.body.map(newEvent));
    void reply.status(201);
    return events;
  });
  return app;
}

async function main() {
  const app = build();
  await app.listen({ port: PORT, host: HOST });
  const stop = () => {
    app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (process.send) {
    process.on('disconnect', () => process.exit(0));
    process.send({ type: 'ready', pid: process.pid, port: PORT });
  } else {
    console.log(`baseline listening on http://${HOST}:${PORT}`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

module.exports = { build, PRINCIPAL_SQL, COUNTS_SQL, INGEST_WITH_PATTERNS, INGEST_WITHOUT_PATTERNS };
