#!/usr/bin/env node
'use strict';
/* global __filename */
/**
 * Event ingest through the API vs the same rows inserted straight through `pg`
 * (see bench/HISTORY.md, "Event ingest").
 *
 *   npm run bench:ingest
 *   BENCH_DIST=.build-h3 node bench/ingest.js --rounds=2
 *
 * Starts the REAL AppModule from the built app (BENCH_DIST, default dist/, used as is —
 * build it first) in a child process on a scratch database (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/floyo_bench_ingest; dropped and re-created; its name
 * must contain "bench") and the Redis namespace `floyo-bench-ingest:`. Scenarios, each
 * followed at once by its baseline (same rows, same concurrency, same duration):
 *   single  POST /api/events, 32 connections, one event per request
 *           baseline: 32 pg clients, each looping a 1-row INSERT … SELECT FROM unnest(…)
 *   batch   POST /api/events/batch, 1000 events per request, 4 connections
 *           baseline: 4 pg clients, each looping a 1000-row INSERT … SELECT FROM unnest(…)
 * Baselines insert into `events` itself (so the counter triggers run there too) and, for
 * reference, into `events_bare` (a copy with the same indexes and no triggers).
 * Then the batch scenario for a user with 100 activity triggers against one with none
 * (the matching cost at ingest), and one user with 100k events (generate_series) with
 * EXPLAIN (ANALYZE, BUFFERS) of the default list page and its total.
 *
 * Options (or env): --duration=8 (BENCH_DURATION), --warmup=1, --rounds=1 (BENCH_ROUNDS),
 * --single-connections=32, --batch-connections=4, --max-wait=180 (BENCH_MAX_WAIT),
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379).
 * Internal: `node bench/ingest.js --child` is the server.
 */
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const h = require('./lib/harness');
const { benchEvent } = require('./lib/events');

const REDIS_PREFIX = 'floyo-bench-ingest:';

function option(name, envName, fallback) {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return (envName && process.env[envName]) || fallback;
}

const distDir = () => path.resolve(h.root, process.env.BENCH_DIST || 'dist');

// ---------------------------------------------------------------- child: the API server

async function serve() {
  process.on('disconnect', () => process.exit(0));
  require('reflect-metadata');
  const dist = distDir();
  const { loadConfig } = require(path.join(dist, 'platform', 'config', 'load-config.js'));
  const { AppModule } = require(path.join(dist, 'app.module.js'));
  const { createHttpAdapter, configureHttpApp } = require(path.join(dist, 'platform', 'bootstrap', 'http-app.js'));
  const { NestFactory } = require('@nestjs/core');
  const config = loadConfig();
  const app = await NestFactory.create(AppModule, createHttpAdapter(config), { bufferLogs: true, abortOnError: false });
  await configureHttpApp(app, config);
  await app.listen(config.http.port, config.http.host);
  process.send({ type: 'ready', pid: process.pid, port: config.http.port });
}

// ---------------------------------------------------------------- the rows

const event = benchEvent;

const BASELINE_INSERT = (table) => `
INSERT INTO ${table} (id, user_id, event_type, file_path, tool, operation, details, "timestamp")
SELECT t.id, $1, t.event_type, t.file_path, t.tool, t.operation, t.details::jsonb, now()
  FROM unnest($2::uuid[], $3::varchar[], $4::text[], $5::varchar[], $6::varchar[], $7::text[])
       AS t(id, event_type, file_path, tool, operation, details)`;

function baselineParams(userId, events) {
  return [
    userId,
    events.map(() => randomUUID()),
    events.map((e) => e.event_type),
    events.map((e) => e.file_path),
    events.map((e) => e.tool),
    events.map((e) => e.operation),
    events.map((e) => JSON.stringify(e.details)),
  ];
}

/**
 * `clients` pg connections each inserting `perInsert` rows in a loop for `seconds`
 * (single rows cycle through the same 8 events the API scenario sends).
 */
async function pgLoad({ url, table, userId, clients, perInsert, seconds, meter }) {
  const { Client } = require('pg');
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new Client({ connectionString: url, application_name: 'floyo-bench-baseline' });
      await c.connect();
      return c;
    }),
  );
  const sets = perInsert === 1 ? Array.from({ length: 8 }, (_, i) => [event(i)]) : [Array.from({ length: perInsert }, (_, i) => event(i))];
  const sql = BASELINE_INSERT(table);
  let k = 0;
  let rows = 0;
  let bg = NaN;
  const latencies = [];
  const deadline = Date.now() + seconds * 1000;
  try {
    await Promise.all(
      conns.map(async (c) => {
        while (Date.now() < deadline) {
          const t0 = process.hrtime.bigint();
          await c.query(sql, baselineParams(userId, sets[k++ % sets.length]));
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          rows += perInsert;
        }
      }),
    );
  } finally {
    // read the background meter while our backends still exist (their CPU is ours)
    if (meter) bg = meter.stop();
    await Promise.all(conns.map((c) => c.end()));
  }
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { eventsPerSec: rows / seconds, p50: pct(50), p99: pct(99), bg };
}

// ---------------------------------------------------------------- parent

const json = (...args) => h.httpJson(...args);

async function login(base, tag) {
  const email = `bench-${tag}-${process.pid}-${Date.now()}@example.com`;
  const password = 'bench-Password-123';
  const reg = await json('POST', `${base}/api/auth/register`, { email, password });
  if (reg.status !== 201) throw new Error(`register → ${reg.status} ${JSON.stringify(reg.data)}`);
  const res = await json('POST', `${base}/api/auth/login`, { email, password });
  if (res.status !== 200) throw new Error(`login → ${res.status}`);
  return { userId: reg.data.id, auth: { authorization: `Bearer ${res.data.access_token}` } };
}

const sql = h.sql;

/** API scenario: autocannon cycling through `bodies` on a POST route; events/s from the 2xx answers only. */
async function apiLoad({ url, auth, bodies, perRequest, connections, seconds, warmup }) {
  const headers = { ...auth, 'content-type': 'application/json' };
  const opts = { url, connections, requests: bodies.map((b) => ({ method: 'POST', headers, body: JSON.stringify(b) })) };
  if (warmup > 0) await h.cannon({ ...opts, duration: warmup });
  const r = await h.cannon({ ...opts, duration: seconds });
  const ok = r['2xx'];
  return {
    eventsPerSec: (ok * perRequest) / (r.duration || seconds),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

async function main() {
  if (process.argv.includes('--child')) return serve();

  const duration = Number(option('duration', 'BENCH_DURATION', '8'));
  const warmup = Number(option('warmup', null, '1'));
  const rounds = Math.max(1, Number(option('rounds', 'BENCH_ROUNDS', '1')));
  const singleConns = Number(option('single-connections', null, '32'));
  const batchConns = Number(option('batch-connections', null, '4'));
  const maxWaitMs = Number(option('max-wait', 'BENCH_MAX_WAIT', '180')) * 1000;
  const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/floyo_bench_ingest';
  const redisUrl = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
  const database = new URL(databaseUrl).pathname.slice(1);
  const dist = distDir();

  h.acquireLock();
  console.log(`machine: ${h.machine()}; load generators on the same host`);
  console.log(`code: ${path.relative(h.root, dist) || '.'}/ (BENCH_DIST)`);
  await h.freshDatabase(databaseUrl);
  await h.clearRedisPrefix(redisUrl, REDIS_PREFIX);

  const port = await h.freePort();
  const env = {
    ...process.env,
    BENCH_DIST: dist,
    ENVIRONMENT: 'test', // migrations run on boot
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: REDIS_PREFIX,
    SECRET_KEY: 'bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz',
    RATE_LIMIT_PER_MINUTE: '100000000',
    RATE_LIMIT_PER_HOUR: '100000000',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000000',
    RATE_LIMIT_BATCH_PER_MINUTE: '100000000',
    DB_POOL_SIZE: '10',
    MAIL_TRANSPORT: 'log',
  };
  const logFile = path.join(os.tmpdir(), 'floyo-bench-ingest.log');
  process.stdout.write(`» API booting on :${port} … `);
  const child = await h.startChild(__filename, ['--child'], env, logFile);
  console.log('ready');
  const base = `http://127.0.0.1:${port}`;
  const results = [];
  try {
    await sql(databaseUrl, 'CREATE TABLE events_bare (LIKE events INCLUDING DEFAULTS INCLUDING INDEXES)');
    const batch = Array.from({ length: 1000 }, (_, i) => event(i));
    const scenarios = [
      {
        name: 'single',
        route: 'POST /api/events',
        path: '/api/events',
        bodies: Array.from({ length: 8 }, (_, i) => event(i)),
        per: 1,
        conns: singleConns,
      },
      {
        name: 'batch',
        route: 'POST /api/events/batch (1000/call)',
        path: '/api/events/batch',
        bodies: [batch],
        per: 1000,
        conns: batchConns,
      },
    ];
    for (let round = 1; round <= rounds; round++) {
      for (const s of scenarios) {
        // a fresh user per measurement, so no run inherits another's history
        const api = await login(base, `${s.name}-api`);
        const check = await json('POST', `${base}${s.path}`, s.bodies[0], api.auth);
        if (check.status !== 201) throw new Error(`${s.route} → ${check.status} ${JSON.stringify(check.data).slice(0, 300)}`);
        const bl = await login(base, `${s.name}-pg`);
        const bare = await login(base, `${s.name}-bare`);
        const label = `${rounds > 1 ? `round ${round}: ` : ''}${s.route}, ${s.conns} connections`;

        await h.waitForQuiet([process.pid, child.pid], database, { maxWaitMs });
        console.log(`» ${label}: API`);
        const bgApi = h.foreignCpu([process.pid, child.pid], database);
        const a = await apiLoad({
          url: `${base}${s.path}`,
          auth: api.auth,
          bodies: s.bodies,
          perRequest: s.per,
          connections: s.conns,
          seconds: duration,
          warmup,
        });
        a.bg = bgApi.stop();

        await h.waitForQuiet([process.pid, child.pid], database, { maxWaitMs });
        console.log(`» ${label}: pg baseline`);
        await pgLoad({ url: databaseUrl, table: 'events', userId: bl.userId, clients: s.conns, perInsert: s.per, seconds: warmup });
        const b = await pgLoad({
          url: databaseUrl,
          table: 'events',
          userId: bl.userId,
          clients: s.conns,
          perInsert: s.per,
          seconds: duration,
          meter: h.foreignCpu([process.pid, child.pid], database),
        });

        await h.waitForQuiet([process.pid, child.pid], database, { maxWaitMs });
        console.log(`» ${label}: pg baseline, no triggers`);
        const c = await pgLoad({
          url: databaseUrl,
          table: 'events_bare',
          userId: bare.userId,
          clients: s.conns,
          perInsert: s.per,
          seconds: duration,
        });

        const [counted] = await sql(databaseUrl, 'SELECT sum(event_count) AS event_count FROM user_stats WHERE user_id = $1', [api.userId]);
        const [actual] = await sql(databaseUrl, 'SELECT count(*) AS n FROM events WHERE user_id = $1', [api.userId]);
        if (String(counted.event_count) !== String(actual.n)) throw new Error(`counter drift: ${counted.event_count} vs ${actual.n}`);
        results.push({ round, ...s, a, b, c });
      }
    }

    const f = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
    console.log('\nevents/s (higher is better); API p50/p99 are per request, baseline per INSERT\n');
    console.log(
      h.table(
        [
          'round',
          'scenario',
          'conns',
          'API ev/s',
          'API p50/p99 ms',
          'errors',
          'pg ev/s',
          'pg p50/p99 ms',
          'API / pg',
          'pg no-trigger ev/s',
          'bg cpu',
        ],
        results.map((r) => [
          r.round,
          r.route,
          r.conns,
          f(r.a.eventsPerSec),
          `${f(r.a.p50, 1)} / ${f(r.a.p99, 1)}`,
          r.a.errors,
          f(r.b.eventsPerSec),
          `${f(r.b.p50, 1)} / ${f(r.b.p99, 1)}`,
          `${(r.a.eventsPerSec / r.b.eventsPerSec).toFixed(2)}×`,
          f(r.c.eventsPerSec),
          `${f(r.a.bg, 2)} / ${f(r.b.bg, 2)}`,
        ]),
        ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );

    await triggerOverhead({ base, batch, batchConns, duration, warmup, rounds, database, child, maxWaitMs });
    await explainList(databaseUrl);
  } finally {
    await h.stopChild(child);
  }
}

/**
 * Activity triggers at ingest: the batch scenario for a user with 100 active activity
 * triggers (none matching the bench events: the cost of matching, not of the runs) against
 * a user with none, alternating, in the same run. Target: ≥ 0.9.
 */
async function triggerOverhead({ base, batch, batchConns, duration, warmup, rounds, database, child, maxWaitMs }) {
  const TRIGGERS = 100;
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    const measured = {};
    for (const triggers of [0, TRIGGERS]) {
      const u = await login(base, `triggers-${triggers}`);
      for (let i = 0; i < triggers; i++) {
        const w = await json(
          'POST',
          `${base}/api/workflows`,
          {
            name: `trigger ${i}`,
            trigger: { type: 'activity', match: { event_type: `bench_${i}`, file_path: `/nowhere/${i}/**/*.xyz` } },
            steps: [{ id: 'note', type: 'log', message: 'x' }],
          },
          u.auth,
        );
        if (w.status !== 201) throw new Error(`workflow → ${w.status} ${JSON.stringify(w.data).slice(0, 300)}`);
      }
      await h.waitForQuiet([process.pid, child.pid], database, { maxWaitMs });
      console.log(`» ${rounds > 1 ? `round ${round}: ` : ''}batch ingest, ${triggers} activity triggers`);
      measured[triggers] = await apiLoad({
        url: `${base}/api/events/batch`,
        auth: u.auth,
        bodies: [batch],
        perRequest: 1000,
        connections: batchConns,
        seconds: duration,
        warmup,
      });
    }
    rows.push({ round, none: measured[0], many: measured[TRIGGERS] });
  }
  const f = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  console.log(`\nbatch ingest with ${TRIGGERS} active activity triggers vs none (events/s; target ≥ 0.90×)\n`);
  console.log(
    h.table(
      ['round', 'no triggers ev/s', `${TRIGGERS} triggers ev/s`, 'ratio', 'p99 ms none / with'],
      rows.map((r) => [
        r.round,
        f(r.none.eventsPerSec),
        f(r.many.eventsPerSec),
        `${(r.many.eventsPerSec / r.none.eventsPerSec).toFixed(2)}×`,
        `${f(r.none.p99, 1)} / ${f(r.many.p99, 1)}`,
      ]),
      ['r', 'r', 'r', 'r', 'r'],
    ),
  );
}

/** One user with 100k events (generate_series), then the plans of the default list call. */
async function explainList(databaseUrl) {
  const [{ id: userId }] = await sql(
    databaseUrl,
    `INSERT INTO users (email, password_hash) VALUES ('explain-${Date.now()}@example.com', 'x') RETURNING id`,
  );
  // Other users' rows around it, so the index has to pick this user's range out of more.
  await sql(
    databaseUrl,
    `INSERT INTO events (user_id, event_type, file_path, tool, operation, details, "timestamp")
     SELECT $1, CASE WHEN g % 3 = 0 THEN 'file_opened' ELSE 'file_modified' END,
            '/home/u/project/src/module_' || (g % 500) || '.py', (ARRAY['vscode','vim','git','pycharm'])[1 + g % 4],
            'write', jsonb_build_object('n', g), now() - make_interval(secs => g)
       FROM generate_series(1, 100000) g`,
    [userId],
  );
  await sql(databaseUrl, 'VACUUM ANALYZE events');
  const plan = async (title, text, params) => {
    const rows = await sql(databaseUrl, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, params);
    console.log(`\n-- ${title}\n${text.replace(/\s+/g, ' ').trim()}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  };
  const [{ n }] = await sql(databaseUrl, 'SELECT count(*) AS n FROM events WHERE user_id = $1', [userId]);
  console.log(`\nEXPLAIN for a user with ${n} events (the list's own SQL, limit 20 → LIMIT 21):`);
  const cols = 'e.id, e.event_type, e.file_path, e.tool, e.operation, e.details, e."timestamp"';
  await plan(
    'default list page (sort_by=timestamp desc, skip=0, limit=20)',
    `SELECT ${cols} FROM events e WHERE e.user_id = $1 ORDER BY e."timestamp" DESC, e.id DESC LIMIT 21 OFFSET 0`,
    [userId],
  );
  await plan(
    'page 100 (skip=2000)',
    `SELECT ${cols} FROM events e WHERE e.user_id = $1 ORDER BY e."timestamp" DESC, e.id DESC LIMIT 21 OFFSET 2000`,
    [userId],
  );
  await plan(
    'unfiltered total: the per-user counters',
    'SELECT coalesce(sum(event_count), 0)::bigint AS events FROM user_stats WHERE user_id = $1',
    [userId],
  );
  await plan(
    'filtered total (tool=vim), capped at LIST_COUNT_CAP=10000',
    'SELECT count(*)::int AS n FROM (SELECT 1 FROM events e WHERE e.user_id = $1 AND e.tool = $2 LIMIT 10001) s',
    [userId, 'vim'],
  );
  await plan('what the counter replaces: count(*) of the whole history', 'SELECT count(*) FROM events e WHERE e.user_id = $1', [userId]);
}

h.runMain(main, { keepAlive: process.argv.includes('--child') }); // a --child server keeps running
