#!/usr/bin/env node
'use strict';
/**
 * Pattern intelligence: how fast the worker analyses one user's history, and whether its
 * memory stays flat while it does (see bench/HISTORY.md, "Pattern analysis").
 *
 *   npm run bench:analysis
 *   npm run bench:analysis -- --events=1000000 --batch=5000 --profile
 *
 * 1. Scratch database (BENCH_DATABASE_URL, default
 *    postgres://postgres@127.0.0.1:5432/floyo_bench_analysis; dropped and re-created) and
 *    Redis namespace `floyo-bench-analysis:` (cleared). The built worker (a private copy
 *    of dist/, harness.snapshotDist) boots once on it and applies the migrations.
 * 2. One user with `--events` (1,000,000) events inserted with set-based SQL
 *    (generate_series, chunks of 100k) over `--days` (365) ending yesterday: 20 kinds of
 *    noise step (vim/vscode/python/git/excel/chrome/jupyter/docker/word…, skewed, 40 % in
 *    runs of 3) on 40 projects × 12 files per kind, plus three planted routines (a daily
 *    07:00 report: excel → python → csv created → uploaded; edit → run → commit every
 *    ~26 min; a document → pdf → mail). The extension rows ingest would have made
 *    (`patterns`) are derived from them. VACUUM ANALYZE.
 * 3. Baseline, in this process: the analysis' own keyset read (the same SELECT, columns,
 *    settle horizon, ORDER BY timestamp, id LIMIT batch along idx_events_user_timestamp)
 *    over all the events with `pg`, batch after batch. A cold pass, then warm passes until
 *    one is undisturbed (at most 3); the least disturbed warm pass is the baseline.
 * 4. The real worker (dist/worker.js, through bench/lib/analysis-worker.js, which only adds
 *    IPC memory reports) with ANALYSIS_BATCH_SIZE=`--batch`. The bench adds one Bull job
 *    `analysis/analyse-user` {userId}; the worker analyses for 15 s per job and enqueues
 *    its own continuations until caught up, then evaluates the suggestion rules. Every
 *    200 ms: pattern_analysis_state.events_analysed and the worker's VmRSS
 *    (/proc/<pid>/status); every 100 ms: what the worker's PostgreSQL backends are doing
 *    (pg_stat_activity), to show where the time goes. Worker and PostgreSQL CPU are read
 *    from /proc.
 * Prints events/s (analysis, the bare read, their ratio), the rate per stretch of history,
 * RSS / heap at 10 %, 25 %, 50 %, 100 % of the events and the peak, the backend activity,
 * the rows it wrote per table (inserted / updated / HOT / deleted, WAL bytes) and what the
 * analysis produced.
 *
 * Options: --events=1000000 --batch=5000 --days=365 --max-wait=180 (s, quiet machine)
 * --lock-wait=1800 (s, while another benchmark holds the checkout's lock)
 * --timeout=1800 (s, analysis) --profile (V8 CPU profile of the worker during the
 * analysis, top functions printed; slows it down). BENCH_REDIS_URL (default
 * redis://127.0.0.1:6379). The scratch data stays until the next run.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./lib/harness');

function option(name, fallback) {
  const flag = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!flag) return fallback;
  return flag.includes('=') ? flag.slice(name.length + 3) : 'true';
}

const EVENTS = Number(option('events', '1000000'));
const BATCH = Number(option('batch', '5000'));
const DAYS = Number(option('days', '365'));
const MAX_WAIT_MS = Number(option('max-wait', '180')) * 1000;
const TIMEOUT_MS = Number(option('timeout', '1800')) * 1000;
const PROFILE = option('profile', 'false') === 'true';
const SETTLE_SECONDS = 120; // ANALYSIS_SETTLE_SECONDS (the default), also used by the baseline read
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/floyo_bench_analysis';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'floyo-bench-analysis:';
const DATABASE = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
const CHECKPOINTS = [0.1, 0.25, 0.5, 1].map((f) => Math.round(EVENTS * f));
const HZ = 100; // USER_HZ

const fmt = (n, digits = 0) => Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

// ---------------------------------------------------------------- the seed

/** Deterministic uniform [0, 1) from an integer expression and a salt (no random(): reproducible). */
const U = (x, salt) => `((hashint8((${x})::bigint * 16 + ${salt}) & 2147483647)::float8 / 2147483648.0)`;

/**
 * Steps: k 0..19 noise (drawn with a skew: low k more often), 100.. the planted routines.
 * [k, tool, operation, event_type, extension, directory, fixed path]
 * `{date}` and `{proj}` in a fixed path are filled per event.
 */
const STEPS = [
  [0, 'vim', 'modified', 'file_modified', '.py', 'src', null],
  [1, 'vscode', 'modified', 'file_modified', '.ts', 'web', null],
  [2, 'python', 'run', 'script_run', '.py', 'src', null],
  [3, 'git', 'commit', 'command_executed', null, null, null],
  [4, 'vscode', 'open', 'file_opened', '.ts', 'web', null],
  [5, 'excel', 'open', 'file_opened', '.xlsx', 'data', null],
  [6, 'chrome', 'open', 'file_opened', '.html', 'docs', null],
  [7, null, null, 'file_created', '.csv', 'data', null],
  [8, 'vim', 'modified', 'file_modified', '.md', 'docs', null],
  [9, 'terminal', 'run', 'command_executed', '.sh', 'scripts', null],
  [10, 'git', 'pull', 'command_executed', null, null, null],
  [11, 'vscode', 'modified', 'file_modified', '.json', 'config', null],
  [12, 'excel', 'save', 'file_modified', '.xlsx', 'data', null],
  [13, 'jupyter', 'run', 'script_run', '.ipynb', 'notebooks', null],
  [14, 'chrome', 'open', 'file_opened', '.pdf', 'docs', null],
  [15, null, null, 'file_created', '.log', 'logs', null],
  [16, 'git', 'push', 'command_executed', null, null, null],
  [17, 'docker', 'build', 'command_executed', null, null, null],
  [18, 'word', 'save', 'file_modified', '.docx', 'docs', null],
  [19, null, null, 'file_deleted', '.tmp', 'tmp', null],
  // daily report at 07:00: excel → python → csv written → uploaded
  [100, 'excel', 'open', 'file_opened', '.xlsx', null, '/home/ana/reports/daily_report.xlsx'],
  [101, 'python', 'run', 'script_run', '.py', null, '/home/ana/reports/scripts/build_report.py'],
  [102, null, null, 'file_created', '.csv', null, '/home/ana/reports/out/report_{date}.csv'],
  [103, 'chrome', 'upload', 'file_uploaded', '.csv', null, '/home/ana/reports/out/report_{date}.csv'],
  // edit → run → commit, about every 26 minutes of work
  [110, 'vim', 'modified', 'file_modified', '.py', null, '/home/ana/work/proj{proj}/src/pipeline.py'],
  [111, 'python', 'run', 'script_run', '.py', null, '/home/ana/work/proj{proj}/src/pipeline.py'],
  [112, 'git', 'commit', 'command_executed', null, null, null],
  // status document → pdf → mail, a few times a day
  [120, 'word', 'save', 'file_modified', '.docx', null, '/home/ana/docs/status.docx'],
  [121, 'word', 'export', 'file_created', '.pdf', null, '/home/ana/docs/status.pdf'],
  [122, 'outlook', 'send', 'email_sent', '.pdf', null, '/home/ana/docs/status.pdf'],
];
const NOISE_KINDS = STEPS.filter((s) => s[0] < 100).length;

const lit = (v) => (v === null ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);
const STEP_VALUES = STEPS.map((s) => `(${s[0]}, ${s.slice(1).map(lit).join(', ')})`).join(',\n    ');

/**
 * Events [$3, $4] of the user $1: $2 per day, 07:00–12:00 and 13:00–18:00 UTC (an hour's
 * lunch ends the session), evenly spaced with jitter, from day 0 at $5 (a midnight UTC).
 */
const SEED_SQL = `
WITH g AS (
  SELECT i, i / $2::bigint AS d, i % $2::bigint AS j FROM generate_series($3::bigint, $4::bigint) AS i
), s AS (
  SELECT i, d, j,
         $5::timestamptz + d * interval '1 day' + interval '7 hours'
           + ((j * $6::float8) + CASE WHEN j >= $2::bigint / 2 THEN 3600 ELSE 0 END + ${U('i', 1)} * $6::float8 * 0.9) * interval '1 second' AS ts,
         (d * 7 + j / greatest($2::bigint / 6, 1)) % 40 AS proj,
         CASE WHEN j < 4 THEN 100 + j
              WHEN j % 120 BETWEEN 60 AND 62 THEN 110 + j % 120 - 60
              WHEN j % 331 BETWEEN 200 AND 202 THEN 120 + j % 331 - 200
              WHEN ${U('i / 3', 2)} < 0.4 THEN floor(${NOISE_KINDS} * power(${U('i / 3', 3)}, 1.6))::int
              ELSE floor(${NOISE_KINDS} * power(${U('i', 4)}, 1.6))::int END AS k,
         floor(12 * power(CASE WHEN ${U('i / 3', 2)} < 0.4 THEN ${U('i / 3', 5)} ELSE ${U('i', 6)} END, 2))::int AS f
    FROM g
)
INSERT INTO events (user_id, event_type, file_path, tool, operation, details, "timestamp")
SELECT $1, v.event_type,
       CASE WHEN v.fixed IS NOT NULL THEN replace(replace(v.fixed, '{date}', to_char(s.ts AT TIME ZONE 'UTC', 'YYYYMMDD')), '{proj}', s.proj::text)
            WHEN v.ext IS NULL THEN NULL
            ELSE '/home/ana/work/proj' || s.proj || '/' || v.dir || '/' || v.dir || '_' || s.f || v.ext END,
       v.tool, v.operation,
       CASE WHEN v.ext IS NOT NULL THEN jsonb_build_object('size', (s.i * 7919) % 100000) END,
       s.ts
  FROM s JOIN (VALUES
    ${STEP_VALUES}
  ) AS v(k, tool, operation, event_type, ext, dir, fixed) ON v.k = s.k
 ORDER BY s.i`;

/** The extension rows (`patterns`) that ingest keeps for every event with an extension. */
const PATTERNS_SQL = `
INSERT INTO patterns (user_id, file_extension, count, last_used, tools)
SELECT $1, x.ext, count(*), max(x."timestamp"), coalesce(jsonb_agg(DISTINCT x.tool) FILTER (WHERE x.tool IS NOT NULL), '[]'::jsonb)
  FROM (SELECT lower(substring(e.file_path FROM '(\\.[A-Za-z0-9_]+)$')) AS ext, e.tool, e."timestamp" FROM events e WHERE e.user_id = $1) x
 WHERE x.ext IS NOT NULL
 GROUP BY x.ext`;

async function connect() {
  const { Client } = require('pg');
  const c = new Client({ connectionString: DATABASE_URL, application_name: 'floyo-bench-analysis' });
  await c.connect();
  return c;
}

async function seed(pg) {
  const t0 = Date.now();
  const { rows } = await pg.query(
    `INSERT INTO users (email, password_hash, full_name) VALUES ('analysis-bench@example.com', 'not-a-hash', 'Analysis Bench') RETURNING id`,
  );
  const userId = rows[0].id;
  const perDay = Math.ceil(EVENTS / DAYS);
  const spacing = 36_000 / perDay; // 10 working hours a day
  const today = new Date();
  const day0 = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - DAYS * 86_400_000);
  const CHUNK = 100_000;
  for (let from = 0; from < EVENTS; from += CHUNK) {
    const to = Math.min(EVENTS, from + CHUNK) - 1;
    await pg.query(SEED_SQL, [userId, perDay, from, to, day0.toISOString(), spacing]);
  }
  await pg.query(PATTERNS_SQL, [userId]);
  const inserted = Date.now();
  await pg.query('VACUUM ANALYZE events');
  await pg.query('VACUUM ANALYZE patterns');
  const stats = (
    await pg.query(
      `SELECT count(*)::int AS n, min("timestamp") AS first, max("timestamp") AS last,
              count(DISTINCT file_path)::int AS files, count(DISTINCT coalesce(tool, '-') || operation)::int AS kinds,
              pg_size_pretty(pg_total_relation_size('events')) AS size
         FROM events WHERE user_id = $1`,
      [userId],
    )
  ).rows[0];
  console.log(
    `» seeded ${fmt(stats.n)} events (${stats.first.toISOString().slice(0, 10)} → ${stats.last.toISOString().slice(0, 10)}, ` +
      `${fmt(stats.files)} distinct paths, events table ${stats.size}) in ${((inserted - t0) / 1000).toFixed(1)} s + VACUUM ANALYZE ${((Date.now() - inserted) / 1000).toFixed(1)} s`,
  );
  if (stats.n !== EVENTS) throw new Error(`seeded ${stats.n} events, expected ${EVENTS}`);
  return userId;
}

// ---------------------------------------------------------------- baseline: the bare keyset read

// Verbatim from src/domains/patterns/analysis/analysis.repository.ts (readEvents), so the baseline is
// exactly the analysis' own read.
const EVENT_COLUMNS = `e.id, (extract(epoch FROM e."timestamp") * 1000000)::bigint::text AS us, e.event_type, e.tool, e.operation,
       CASE WHEN e.storage_key IS NOT NULL THEN coalesce(e.details->>'filename', e.file_path) ELSE e.file_path END AS path`;
const FROM_US = (p) => `('epoch'::timestamptz + ${p}::bigint * interval '1 microsecond')`;
const HORIZON = `e."timestamp" <= now() - make_interval(secs => $2)`;
const READ_FIRST = `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.user_id = $1 AND ${HORIZON} ORDER BY e."timestamp", e.id LIMIT $3`;
const READ_NEXT = `SELECT ${EVENT_COLUMNS} FROM events e
      WHERE e.user_id = $1 AND ${HORIZON} AND (e."timestamp", e.id) > (${FROM_US('$4')}, $5::uuid)
      ORDER BY e."timestamp", e.id LIMIT $3`;

async function bareRead(pg, userId) {
  let after = null;
  let events = 0;
  let batches = 0;
  const t0 = process.hrtime.bigint();
  for (;;) {
    const { rows } = after
      ? await pg.query(READ_NEXT, [userId, SETTLE_SECONDS, BATCH, after.us, after.id])
      : await pg.query(READ_FIRST, [userId, SETTLE_SECONDS, BATCH]);
    events += rows.length;
    batches++;
    if (rows.length) after = { us: rows[rows.length - 1].us, id: rows[rows.length - 1].id };
    if (rows.length < BATCH) break;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (events !== EVENTS) throw new Error(`the bare read saw ${events} events, expected ${EVENTS}`);
  return { events, batches, seconds, eps: events / seconds };
}

// ---------------------------------------------------------------- /proc

function procStatus(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number((text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm')) ?? [])[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

function pidTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** PostgreSQL backends connected to our database, except `exclude` (this script's own). */
function backendPids(exclude) {
  const out = [];
  if (!fs.existsSync('/proc')) return out;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || exclude.has(Number(name))) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres:') && cmd.includes(` ${DATABASE} `)) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** CPU seconds of the worker and of its PostgreSQL backends between start() and stop(). */
function cpuMeter(workerPid, exclude) {
  const w0 = pidTicks(workerPid);
  const b0 = new Map(backendPids(exclude).map((p) => [p, pidTicks(p)]));
  const t0 = Date.now();
  return () => {
    let db = 0;
    for (const p of backendPids(exclude)) db += pidTicks(p) - (b0.get(p) ?? 0);
    const seconds = (Date.now() - t0) / 1000;
    return { worker: (pidTicks(workerPid) - w0) / HZ, db: db / HZ, seconds };
  };
}

// ---------------------------------------------------------------- what the backends do

const STATEMENTS = [
  [/FOR UPDATE\s*$/m, /pattern_analysis_state/, 'lock state row (SELECT … FOR UPDATE)'],
  [/FROM events e/, null, 'read events (keyset)'],
  [/FROM temporal_patterns t WHERE/, null, 'read stored sequences (temporal_patterns ∪ candidates)'],
  [/INSERT INTO sequence_candidates/, null, 'upsert sequence_candidates'],
  [/DELETE FROM sequence_candidates/, null, 'promote candidates (DELETE)'],
  [/INSERT INTO temporal_patterns/, null, 'upsert temporal_patterns'],
  [/INSERT INTO relationships/, null, 'upsert relationships'],
  [/SELECT 1 FROM patterns/, null, 'lock extension rows'],
  [/UPDATE patterns p SET metadata/, null, 'update extension histograms'],
  [/UPDATE pattern_analysis_state/, null, 'save state'],
  [/^\s*COMMIT/i, null, 'COMMIT'],
  [/^\s*(BEGIN|START TRANSACTION)/i, null, 'BEGIN'],
];

function classify(query) {
  for (const [re, also, label] of STATEMENTS) if (re.test(query) && (!also || also.test(query))) return label;
  return `other: ${query.replace(/\s+/g, ' ').trim().slice(0, 60)}`;
}

/** Every `everyMs`: the state of the worker's backends (application_name floyo-<env>). */
function activitySampler(pg, everyMs) {
  const counts = new Map();
  const waits = new Map();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      const { rows } = await pg.query(
        `SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity
          WHERE datname = $1 AND application_name = 'floyo-test' AND pid <> pg_backend_pid() AND state <> 'idle'`,
        [DATABASE],
      );
      samples++;
      if (!rows.length)
        counts.set(
          '(no backend busy: worker between transactions / jobs)',
          (counts.get('(no backend busy: worker between transactions / jobs)') ?? 0) + 1,
        );
      for (const r of rows) {
        const label = r.state === 'active' ? classify(r.query) : `${r.state} (waiting for the worker: JS between statements)`;
        counts.set(label, (counts.get(label) ?? 0) + 1);
        if (r.state === 'active' && r.wait_event) {
          const w = `${label} — ${r.wait_event_type}:${r.wait_event}`;
          waits.set(w, (waits.get(w) ?? 0) + 1);
        }
      }
      await h.sleep(Math.max(0, everyMs - (Date.now() - t)));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { samples, counts, waits };
  };
}

// ---------------------------------------------------------------- CPU profile summary

function summariseProfile(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const where = f.url ? `${path.basename(f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    const us = dt[i] ?? 0;
    total += us;
    self.set(key, (self.get(key) ?? 0) + us);
  });
  const byArea = new Map();
  profile.samples.forEach((id, i) => {
    const url = byId.get(id).callFrame.url;
    const name = byId.get(id).callFrame.functionName;
    let area = 'other';
    if (name === '(idle)') area = '(idle: waiting for PostgreSQL / Redis)';
    else if (name === '(garbage collector)') area = '(garbage collector)';
    else if (name === '(program)') area = '(program: V8 / native)';
    else if (/\/patterns\/analysis\//.test(url)) area = 'dist/domains/patterns/analysis (fold, merge, SQL params)';
    else if (/\/suggestions\//.test(url)) area = 'dist/domains/suggestions';
    else if (/node_modules\/(pg|pg-protocol|pg-types|postgres-[a-z]+)\//.test(url)) area = 'pg driver (protocol, row parsing)';
    else if (/node_modules\/typeorm\//.test(url)) area = 'typeorm';
    else if (/node_modules\/(bull|ioredis)\//.test(url)) area = 'bull / ioredis';
    else if (/node_modules\//.test(url)) area = 'other node_modules';
    else if (url.startsWith('node:') || !url) area = 'node core / builtins';
    byArea.set(area, (byArea.get(area) ?? 0) + (dt[i] ?? 0));
  });
  const top = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { total, top: top(self, 15), areas: top(byArea, 12) };
}

// ---------------------------------------------------------------- one benchmark at a time

/**
 * The checkout's shared benchmark lock (the default name, as bench/ingest.js and
 * bench/perf.js use): another benchmark would replace the private dist/ copy under this
 * one's worker and share the 2 cores. Waits for it (up to `--lock-wait`, 30 min).
 * Also waits while dist/ is missing (someone's `npm run build` in progress), so that the
 * harness does not start a second build beside theirs.
 */
async function waitForLock() {
  const deadline = Date.now() + Number(option('lock-wait', '1800')) * 1000;
  for (let announced = false; ;) {
    try {
      h.acquireLock();
      break;
    } catch (err) {
      if (!/another benchmark/.test(err.message) || Date.now() > deadline) throw err;
      if (!announced) console.log(`» ${err.message}: waiting`);
      announced = true;
      await h.sleep(5_000);
    }
  }
  for (let waited = 0; !fs.existsSync(path.join(h.dist, 'app.module.js')); waited += 2_000) {
    if (waited === 0) console.log('» dist/ is missing (a build in progress?): waiting for it');
    if (waited > 300_000) break; // snapshotDist builds it
    await h.sleep(2_000);
  }
}

// ---------------------------------------------------------------- table statistics

const AGGREGATE_TABLES = ['relationships', 'temporal_patterns', 'sequence_candidates', 'patterns', 'pattern_analysis_state'];

/** Row writes per aggregate table (pg_stat_user_tables) and the WAL position. */
async function writeStats(pg) {
  const { rows } = await pg.query(
    `SELECT relname, n_tup_ins::bigint::int AS ins, n_tup_upd::bigint::int AS upd, n_tup_hot_upd::bigint::int AS hot,
            n_tup_del::bigint::int AS del, n_live_tup::bigint::int AS live, n_dead_tup::bigint::int AS dead,
            pg_table_size(relid) AS heap, pg_indexes_size(relid) AS idx, pg_current_wal_lsn()::text AS lsn
       FROM pg_stat_user_tables WHERE relname = ANY($1)`,
    [AGGREGATE_TABLES],
  );
  return { lsn: rows[0]?.lsn, tables: new Map(rows.map((r) => [r.relname, r])) };
}

// ---------------------------------------------------------------- main

async function main() {
  await waitForLock();
  const Bull = require('bull');
  const children = [];
  const clients = [];
  let queue;
  try {
    console.log(`» machine: ${h.machine()}`);
    console.log(`» ${fmt(EVENTS)} events for one user, batches of ${fmt(BATCH)}, database ${DATABASE}`);
    const { dir, builtAt } = await h.snapshotDist();
    console.log(`» code: dist/ built ${builtAt.toISOString()}`);
    if (!fs.existsSync(path.join(dir, 'domains', 'suggestions', 'worker', 'analysis.jobs.js'))) {
      throw new Error('dist/ has no domains/suggestions/worker/analysis.jobs.js: run `npm run build` first');
    }
    await h.freshDatabase(DATABASE_URL);
    await h.clearRedisPrefix(REDIS_URL, PREFIX);

    const env = h.serviceEnv(
      { port: await h.freePort(), databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, prefix: PREFIX },
      {
        BENCH_WORKER_DIST: dir,
        WORKER_METRICS_PORT: '0',
        ANALYSIS_BATCH_SIZE: String(BATCH),
        ANALYSIS_SETTLE_SECONDS: String(SETTLE_SECONDS),
      },
    );
    const wrapper = path.join(__dirname, 'lib', 'analysis-worker.js');
    const logFile = (tag) => path.join(os.tmpdir(), `floyo-bench-analysis-${tag}.log`);

    // 1. the migrations: the worker applies them on boot (ENVIRONMENT=test)
    console.log('» migrating: booting the worker once');
    const migrator = await h.startChild(wrapper, [], env, logFile('migrate'));
    await h.stopChild(migrator);

    // 2. the seed
    const pg = await connect();
    clients.push(pg);
    const userId = await seed(pg);

    // 3. baseline: the bare keyset read. Pass 1 reads the events into the caches (reported
    //    as "cold"); then up to 3 warm passes until one is undisturbed (other processes
    //    < 0.15 cores); the least disturbed warm pass is the baseline.
    const bare = [];
    let baseline = null;
    for (let pass = 1; pass <= 4; pass++) {
      await h.waitForQuiet([process.pid], DATABASE, { maxWaitMs: MAX_WAIT_MS });
      const bg = h.foreignCpu([process.pid], DATABASE);
      const r = await bareRead(pg, userId);
      r.bg = bg.stop();
      bare.push(r);
      console.log(
        `» bare keyset read, pass ${pass}: ${fmt(r.eps)} events/s (${r.batches} batches, ${r.seconds.toFixed(2)} s, bg cpu ${r.bg.toFixed(2)})`,
      );
      if (pass === 1) continue;
      if (!baseline || r.bg < baseline.bg) baseline = r;
      if (r.bg < 0.15) break;
    }
    const explain = (
      await pg.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${READ_NEXT}`, [
        userId,
        SETTLE_SECONDS,
        BATCH,
        ...(await pg
          .query(
            `SELECT (extract(epoch FROM "timestamp") * 1000000)::bigint::text AS us, id FROM events WHERE user_id = $1 ORDER BY "timestamp", id OFFSET $2 LIMIT 1`,
            [userId, Math.floor(EVENTS / 2)],
          )
          .then((r) => [r.rows[0].us, r.rows[0].id])),
      ])
    ).rows.map((r) => r['QUERY PLAN']);

    // 4. the worker
    console.log('» starting the worker (dist/worker.js)');
    const worker = await h.startChild(wrapper, [], env, logFile('worker'));
    children.push(worker);
    let lastMemory = null;
    worker.on('message', (m) => {
      if (m && m.type === 'memory') lastMemory = m;
    });
    await h.sleep(2_000); // let boot-time work (queue connections, first ticks) settle
    const idle = { ...procStatus(worker.pid), heapUsed: lastMemory?.heapUsed ?? NaN };
    console.log(`» worker pid ${worker.pid} ready: RSS ${mb(idle.rss)}, heap ${mb(idle.heapUsed)} (log: ${worker.logFile})`);

    const poll = await connect();
    const sampler = await connect();
    clients.push(poll, sampler);
    const ours = new Set(
      await Promise.all([pg, poll, sampler].map(async (c) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)),
    );

    queue = new Bull('analysis', REDIS_URL, { prefix: `${PREFIX}bull` });
    await queue.isReady();

    await h.waitForQuiet([process.pid, worker.pid], DATABASE, { maxWaitMs: MAX_WAIT_MS });
    let profileFile = null;
    if (PROFILE) {
      await new Promise((resolve) => {
        const on = (m) => m && m.type === 'profile:started' && (worker.off('message', on), resolve());
        worker.on('message', on);
        worker.send({ type: 'profile:start' });
      });
    }

    const before = await writeStats(poll);
    const bg = h.foreignCpu([process.pid, worker.pid], DATABASE);
    const cpu = cpuMeter(worker.pid, ours);
    const stopSampler = activitySampler(sampler, 100);
    const samples = []; // { t, events, rss, heapUsed }
    const started = Date.now();
    await queue.add(
      'analyse-user',
      { userId },
      { jobId: `${userId}:bench`, attempts: 1, timeout: 10 * 60_000, removeOnComplete: { age: 3_600, count: 5_000 }, removeOnFail: false },
    );
    let analysedAt = null;
    let cpuAnalysed = null;
    let doneAt = null;
    let nextReport = EVENTS / 10;
    console.log(`» analysing (job analysis/analyse-user added at ${new Date(started).toISOString()})`);
    for (;;) {
      const { rows } = await poll.query('SELECT events_analysed::bigint::int AS n FROM pattern_analysis_state WHERE user_id = $1', [
        userId,
      ]);
      const events = rows[0]?.n ?? 0;
      const now = Date.now();
      const mem = procStatus(worker.pid);
      samples.push({ t: now - started, events, rss: mem.rss, heapUsed: lastMemory?.heapUsed ?? NaN });
      if (analysedAt === null && events >= EVENTS) {
        analysedAt = now;
        cpuAnalysed = cpu();
      }
      if (analysedAt !== null) {
        const c = await queue.getJobCounts();
        if (c.failed) break;
        if (!c.active && !c.waiting && !c.delayed) {
          doneAt = Date.now();
          break;
        }
      } else if ((await queue.getJobCounts()).failed) {
        break;
      }
      if (worker.exitCode !== null || worker.signalCode !== null) throw new Error(`the worker exited\n${h.tail(worker.logFile, 30)}`);
      if (now - started > TIMEOUT_MS) throw new Error(`not analysed within ${TIMEOUT_MS / 1000} s (${fmt(events)} events)`);
      if (events >= nextReport) {
        console.log(`   ${fmt(events)} / ${fmt(EVENTS)} events after ${((now - started) / 1000).toFixed(1)} s, worker RSS ${mb(mem.rss)}`);
        nextReport += EVENTS / 10;
      }
      await h.sleep(200);
    }
    const bgCores = bg.stop();
    const activity = await stopSampler();
    const hwm = procStatus(worker.pid).hwm;
    if (PROFILE) {
      profileFile = path.join(os.tmpdir(), `floyo-bench-analysis-${Date.now()}.cpuprofile`);
      await new Promise((resolve) => {
        const on = (m) => m && m.type === 'profile' && (worker.off('message', on), resolve());
        worker.on('message', on);
        worker.send({ type: 'profile:stop', file: profileFile });
      });
    }

    await h.sleep(1_500); // table statistics reach the shared counters within a second
    const after = await writeStats(poll);
    const walBytes = Number((await poll.query('SELECT pg_wal_lsn_diff($1, $2)::bigint AS b', [after.lsn, before.lsn])).rows[0].b);
    const autovacuum = (await poll.query('SHOW autovacuum')).rows[0].autovacuum;
    const failed = await queue.getFailed();
    if (failed.length) throw new Error(`analysis job failed: ${failed.map((j) => `${j.id}: ${j.failedReason}`).join('; ')}`);
    const jobs = await queue.getCompleted();
    const jobResults = jobs.map((j) => j.returnvalue).filter(Boolean);

    const seconds = (analysedAt - started) / 1000;
    const eps = EVENTS / seconds;

    // the rate per stretch of history: times interpolated at the checkpoints
    const timeAt = (n) => {
      for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1];
        const b = samples[i];
        if (b.events >= n) return b.events === a.events ? b.t : a.t + ((n - a.events) / (b.events - a.events)) * (b.t - a.t);
      }
      return NaN;
    };
    const firstAt = (n) => samples.find((s) => s.events >= n);
    const peak = samples.reduce((m, s) => (s.rss > m.rss ? s : m), samples[0]);
    const peakHeap = samples.reduce((m, s) => (s.heapUsed > m ? s.heapUsed : m), 0);
    const peakToAnalysed = samples.filter((s) => s.t <= analysedAt - started).reduce((m, s) => Math.max(m, s.rss), 0);

    const produced = (
      await pg.query(
        `SELECT (SELECT count(*) FROM relationships WHERE user_id = $1)::int AS relationships,
                (SELECT count(*) FROM temporal_patterns WHERE user_id = $1)::int AS temporal_patterns,
                (SELECT count(*) FROM sequence_candidates WHERE user_id = $1 AND steps = 1)::int AS steps,
                (SELECT count(*) FROM sequence_candidates WHERE user_id = $1 AND steps > 1)::int AS candidates,
                (SELECT count(*) FROM suggestions WHERE user_id = $1)::int AS suggestions,
                (SELECT steps_total FROM pattern_analysis_state WHERE user_id = $1)::bigint::int AS steps_total,
                (SELECT rebuilds FROM pattern_analysis_state WHERE user_id = $1) AS rebuilds,
                pg_size_pretty(pg_total_relation_size('relationships')) AS rel_size,
                pg_size_pretty(pg_total_relation_size('sequence_candidates')) AS cand_size,
                pg_size_pretty(pg_total_relation_size('temporal_patterns')) AS tp_size`,
        [userId],
      )
    ).rows[0];
    const suggestions = (
      await pg.query(
        `SELECT rule_id, round(confidence::numeric, 2) AS confidence, left("trigger", 70) AS "trigger" FROM suggestions WHERE user_id = $1 ORDER BY confidence DESC LIMIT 8`,
        [userId],
      )
    ).rows;
    const topPatterns = (
      await pg.query(`SELECT sequence_key, count FROM temporal_patterns WHERE user_id = $1 ORDER BY count DESC LIMIT 5`, [userId])
    ).rows;

    // ---------------------------------------------------------------- report
    console.log('\nResults\n');
    console.log(
      h.table(
        ['measure', 'analysis (worker)', 'baseline: bare keyset read (pg)', 'ratio'],
        [
          [`events/s (${fmt(EVENTS)} events, batches of ${fmt(BATCH)})`, fmt(eps), fmt(baseline.eps), (eps / baseline.eps).toFixed(3)],
          ['time for all events', `${seconds.toFixed(1)} s`, `${baseline.seconds.toFixed(2)} s`, ''],
          ['cold bare read (pass 1)', '', `${fmt(bare[0].eps)} ev/s`, ''],
          [
            'jobs (15 s budget each) / batches',
            `${jobResults.length} / ${jobResults.reduce((a, r) => a + (r.batches ?? 0), 0)}`,
            `${baseline.batches} batches`,
            '',
          ],
          [
            'then suggestion evaluation (caught up → queue empty)',
            doneAt ? `${((doneAt - analysedAt) / 1000).toFixed(1)} s` : 'n/a',
            '',
            '',
          ],
          [
            'CPU while analysing: worker / its PostgreSQL backends',
            `${(cpuAnalysed.worker / cpuAnalysed.seconds).toFixed(2)} / ${(cpuAnalysed.db / cpuAnalysed.seconds).toFixed(2)} cores`,
            '',
            '',
          ],
          ['bg cpu (other processes)', bgCores.toFixed(2), baseline.bg.toFixed(2), ''],
        ],
        ['l', 'r', 'r', 'r'],
      ),
    );

    console.log("\nRate per stretch of history, and the worker's memory as it goes\n");
    const rows = [['idle (before the job)', '', '', mb(idle.rss), mb(idle.heapUsed)]];
    let prevN = 0;
    let prevT = 0;
    for (const n of CHECKPOINTS) {
      const t = timeAt(n);
      const s = firstAt(n);
      rows.push([
        `${fmt(n)} events analysed`,
        `${(t / 1000).toFixed(1)} s`,
        fmt((n - prevN) / ((t - prevT) / 1000)),
        mb(s.rss),
        mb(s.heapUsed),
      ]);
      prevN = n;
      prevT = t;
    }
    rows.push([`peak while analysing (sampled every 200 ms)`, '', '', mb(peakToAnalysed), '']);
    rows.push([`peak over the whole run (reached at ${fmt(peak.events)} events)`, '', '', mb(peak.rss), mb(peakHeap)]);
    rows.push(['VmHWM (kernel peak since boot)', '', '', mb(hwm), '']);
    console.log(h.table(['point', 'elapsed', 'events/s in stretch', 'worker RSS', 'heap used'], rows, ['l', 'r', 'r', 'r', 'r']));

    console.log(`\nWhat the worker's PostgreSQL backends were doing (${activity.samples} samples, every 100 ms, analysis + evaluation)\n`);
    const share = (n) => `${((100 * n) / activity.samples).toFixed(1)} %`;
    console.log(
      h.table(
        ['statement / state', 'samples', 'share'],
        [...activity.counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, n, share(n)]),
        ['l', 'r', 'r'],
      ),
    );
    const waitRows = [...activity.waits.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    if (waitRows.length) {
      console.log('\nWait events seen on active backends (top 8)\n');
      console.log(h.table(['statement — wait', 'samples'], waitRows, ['l', 'r']));
    }

    const totalBatches = jobResults.reduce((a, r) => a + (r.batches ?? 0), 0) || 1;
    console.log(
      `\nRow writes by the analysis and evaluation (pg_stat_user_tables; WAL ${mb(walBytes)} = ${fmt(walBytes / EVENTS)} bytes per event; ` +
        `autovacuum=${autovacuum} on this server)\n`,
    );
    console.log(
      h.table(
        ['table', 'inserted', 'updated', 'of which HOT', 'deleted', 'row writes / batch', 'live rows', 'dead rows', 'heap + indexes'],
        AGGREGATE_TABLES.map((t) => {
          const a = after.tables.get(t);
          const b = before.tables.get(t) ?? { ins: 0, upd: 0, hot: 0, del: 0 };
          if (!a) return [t, '', '', '', '', '', '', '', ''];
          const ins = a.ins - b.ins;
          const upd = a.upd - b.upd;
          const del = a.del - b.del;
          return [
            t,
            fmt(ins),
            fmt(upd),
            fmt(a.hot - b.hot),
            fmt(del),
            fmt((ins + upd + del) / totalBatches),
            fmt(a.live),
            fmt(a.dead),
            `${mb(Number(a.heap))} + ${mb(Number(a.idx))}`,
          ];
        }),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );

    console.log('\nWhat the analysis produced\n');
    console.log(
      h.table(
        ['aggregate', 'rows', 'table size'],
        [
          ['relationships', fmt(produced.relationships), produced.rel_size],
          ['temporal_patterns (recurring 2–4-step sequences)', fmt(produced.temporal_patterns), produced.tp_size],
          ['sequence_candidates: 2–4-step below min support', fmt(produced.candidates), produced.cand_size],
          ['sequence_candidates: step counts (1-step)', fmt(produced.steps), ''],
          ['steps (after collapsing repeats)', fmt(produced.steps_total), ''],
          ['suggestions', fmt(produced.suggestions), ''],
          ['rebuilds', produced.rebuilds, ''],
        ],
        ['l', 'r', 'r'],
      ),
    );
    console.log('\nMost frequent sequences:');
    for (const p of topPatterns) console.log(`  ${String(p.count).padStart(7)}  ${p.sequence_key}`);
    console.log('Suggestions:');
    for (const s of suggestions) console.log(`  ${s.confidence}  ${s.rule_id}: ${s.trigger}`);

    console.log(`\nEXPLAIN of the keyset read at event ${fmt(Math.floor(EVENTS / 2))}:\n${explain.map((l) => `  ${l}`).join('\n')}`);

    if (profileFile) {
      const p = summariseProfile(profileFile);
      console.log(`\nWorker CPU profile (${profileFile}, ${(p.total / 1e6).toFixed(1)} s sampled)\n`);
      console.log(
        h.table(
          ['area', 'self ms', 'share'],
          p.areas.map(([k, us]) => [k, fmt(us / 1000), `${((100 * us) / p.total).toFixed(1)} %`]),
          ['l', 'r', 'r'],
        ),
      );
      console.log('');
      console.log(
        h.table(
          ['function (self time)', 'self ms', 'share'],
          p.top.map(([k, us]) => [k, fmt(us / 1000), `${((100 * us) / p.total).toFixed(1)} %`]),
          ['l', 'r', 'r'],
        ),
      );
    }

    const warnings = fs
      .readFileSync(worker.logFile, 'utf8')
      .split('\n')
      .filter((l) => /"level":(4|5|6)\d/.test(l));
    if (warnings.length) console.log(`\nWorker warnings/errors (${warnings.length}):\n${warnings.slice(0, 5).join('\n')}`);
  } finally {
    if (queue) await queue.close().catch(() => {});
    await Promise.all(children.map((c) => h.stopChild(c)));
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

h.runMain(main);
