#!/usr/bin/env node
'use strict';
/**
 * Whole-service performance (issue 9): the built API against a bare Fastify + `pg`
 * baseline doing the same SQL, in the same run. See bench/README.md (how to run it) and
 * bench/HISTORY.md, "Whole-service performance (`npm run bench`)" (the runs).
 *
 *   npm run bench
 *   npm run bench -- --only=1,2 --duration=4
 *   npm run bench -- --check-sql          (compare the SQL both sides send; no load)
 *   npm run bench -- --only=4 --cpu-prof  (the API writes a .cpuprofile on exit)
 *
 * From a fresh database (BENCH_DATABASE_URL, default …/floyo_bench_perf; dropped and
 * re-created) and Redis namespace `floyo-bench-perf:`: migrations (the typeorm CLI on the
 * built data source, as `npm run migrate:prod`), one user with 100k events, then
 *   phase A  the API with the response cache OFF: scenarios 2 (cache off) and 3
 *   phase B  the API as in production (cache on): boot-to-ready, idle RSS, scenarios
 *            1, 2 (cache on), 4, 5, 7, and 6 (with a second API process)
 * Each load run: wait for a quiet machine, 1 s warm-up, the measured run; the baseline
 * (bench/baseline/server.js) right after with the same requests.
 *
 * Options: --only=1,2,3,4,5,6,7 (also 2off, 2on, 7get, 7post), --duration=8 (s per run),
 * --warmup=1, --overload-duration=20, --connections=32, --overload-connections=256,
 * --batch-connections=4, --clients=2000, --rt-rounds=2, --events=100000, --max-wait=60
 * (s to wait for a quiet machine before a run), --idle=35 (s the idle API is watched after
 * boot), --lock-wait=900 (s to wait for another
 * benchmark on this checkout to finish), --cpu-prof[=dir], --check-sql.
 * Env: BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_PG_LOG (for --check-sql).
 * Exits 0 when targets are missed (it is a benchmark); 1 only when the run itself failed.
 */
const { spawn, fork } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const h = require('./lib/harness');
const { benchEvent } = require('./lib/events');
const { rssMb, hwmMb, cpuSeconds, RssSampler, pct } = require('./lib/proc-stats');

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const opt = (name, fallback) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
const num = (name, fallback) => Number(opt(name, fallback));

const DURATION = num('duration', 8);
const OPTS = {
  duration: DURATION,
  warmup: num('warmup', 1),
  // --duration shortens the overload runs in proportion unless given explicitly
  overloadDuration: num('overload-duration', flag('duration') ? Math.max(3, Math.round((20 * DURATION) / 8)) : 20),
  connections: num('connections', 32),
  overloadConnections: num('overload-connections', 256),
  batchConnections: num('batch-connections', 4),
  clients: num('clients', 2000),
  rtRounds: num('rt-rounds', 2),
  events: num('events', 100_000),
  maxWaitMs: num('max-wait', 60) * 1000,
  // how long the idle API is watched after boot (V8's memory reducer runs ~15-20 s in)
  idleSecs: num('idle', 35),
  cpuProf: flag('cpu-prof') ? path.resolve(opt('cpu-prof', '') || path.join(os.tmpdir(), 'floyo-bench-perf-prof')) : null,
  checkSql: flag('check-sql'),
  // extra node flags for the API processes, to try a V8 setting (e.g. --node-args=--max-semi-space-size=8)
  nodeArgs: opt('node-args', '').split(/\s+/).filter(Boolean),
};
const ALL = ['1', '2off', '2on', '3', '4', '5', '6', '7get', '7post'];
const only = (() => {
  const v = opt('only', '');
  if (!v) return new Set(ALL);
  const out = new Set();
  for (const t of v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    const hits = ALL.filter((id) => id === t || id.replace(/\D+$/, '') === t);
    if (!hits.length) throw new Error(`--only: unknown scenario "${t}" (use ${ALL.join(', ')} or 1..7)`);
    hits.forEach((x) => out.add(x));
  }
  return out;
})();
const want = (id) => only.has(id);

const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/floyo_bench_perf';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const DATABASE = new URL(DATABASE_URL).pathname.slice(1);
const PREFIX = 'floyo-bench-perf:';
const HIGH = '100000000';
const LOG_DIR = os.tmpdir();

// ---------------------------------------------------------------- small helpers

const sleep = h.sleep;
const f0 = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US').replace(/,/g, ' ') : '–');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const ms = (n) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} ms` : '–');
const mb = (n) => (Number.isFinite(n) ? `${Math.round(n)} MB` : '–');

function httpGet(url, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

/** One statement on the scratch database (setup and checks). */
const sql = (text, params) => h.sql(DATABASE_URL, text, params);

const event = benchEvent;

// ---------------------------------------------------------------- processes

const children = new Map(); // pid → label: every server of ours (for the background-CPU figure)
const ourPids = () => [process.pid, ...children.keys()];

function serviceEnv(port, extra = {}) {
  return h.serviceEnv(
    { port, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, prefix: PREFIX },
    {
      // production-like: what the Dockerfile sets, logs at info (to a file), metrics on
      ENVIRONMENT: 'production',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      METRICS_ENABLED: 'true',
      ENCRYPTION_KEY: 'bench-encryption-key-0123456789-0123456789-abcdef',
      MIGRATIONS_RUN_ON_BOOT: 'false', // applied once by the CLI before any boot
      // rate limits on (the limiter does its Redis round trips) but far too high to trip
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_PER_MINUTE: HIGH,
      RATE_LIMIT_PER_HOUR: HIGH,
      RATE_LIMIT_AUTH_PER_MINUTE: HIGH,
      RATE_LIMIT_BATCH_PER_MINUTE: HIGH,
      RATE_LIMIT_GENERATE_PER_HOUR: HIGH,
      RATE_LIMIT_DATA_DELETE_PER_HOUR: HIGH,
      SOCKET_MESSAGES_PER_10S: '10000',
      MAIL_TRANSPORT: 'log',
      SHUTDOWN_DRAIN_MS: '0', // shutdown only: no waiting between phases
      UPLOAD_DIR: path.join(LOG_DIR, 'floyo-bench-perf-uploads'),
      ...extra,
    },
  );
}

/** The API's node flags, exactly as the image's CMD runs it (e.g. its heap cap). */
const API_NODE_FLAGS = JSON.parse(/^CMD (\[.*\])$/m.exec(fs.readFileSync(path.join(h.root, 'Dockerfile'), 'utf8'))[1]).slice(1, -1);

/** The "cache off" measurements: the app's own switch (auth, limits, logging untouched). */
const CACHE_OFF = { env: { CACHE_ENABLED: 'false' }, nodeArgs: [], how: 'CACHE_ENABLED=false' };

/**
 * Spawns `node <dir>/main.js` (stdout/stderr to a log file, as a container runtime would
 * take them) and polls GET /health/readiness every 10 ms. Boot-to-ready = spawn → first
 * 200 from readiness; `logReadyMs` = spawn → the "floyo api ready" log line.
 */
async function startApi(dir, label, { env: extraEnv = {}, nodeArgs = [] } = {}) {
  const port = await h.freePort();
  // the probe's own listener, as deploy/k8s/api.yaml runs it (LIVENESS_PORT, a thread of its own)
  const livenessPort = await h.freePort();
  extraEnv = { LIVENESS_PORT: String(livenessPort), ...extraEnv };
  const logFile = path.join(LOG_DIR, `floyo-bench-perf-${label}.log`);
  const fd = fs.openSync(logFile, 'w');
  const args = [...API_NODE_FLAGS, ...OPTS.nodeArgs, ...nodeArgs];
  if (OPTS.cpuProf) {
    fs.mkdirSync(OPTS.cpuProf, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${OPTS.cpuProf}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`);
  }
  // Boot time is wall-clock: wait until nothing else runs, PostgreSQL included (a slow
  // query of the previous phase can go on after its client stopped).
  await h.waitForQuiet([process.pid], null, { maxWaitMs: OPTS.maxWaitMs });
  const spawnedAt = Date.now();
  const t0 = performance.now();
  const child = h.track(
    spawn(process.execPath, [...args, path.join(dir, 'main.js')], {
      cwd: h.root,
      env: serviceEnv(port, extraEnv),
      stdio: ['ignore', fd, fd],
    }),
  );
  fs.closeSync(fd);
  children.set(child.pid, label);
  child.once('exit', () => children.delete(child.pid));
  let exited = null;
  child.once('exit', (code, signal) => (exited = signal ?? `code ${code}`));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited) throw new Error(`${label} exited during boot (${exited})\n--- ${logFile} ---\n${h.tail(logFile, 30)}`);
    if (performance.now() - t0 > 90_000) {
      child.kill('SIGKILL');
      throw new Error(`${label} not ready within 90 s\n--- ${logFile} ---\n${h.tail(logFile, 30)}`);
    }
    const res = await httpGet(`${base}/health/readiness`, 2000);
    if (res.status === 200) break;
    await sleep(10);
  }
  const readyMs = performance.now() - t0;
  let logReadyMs = NaN;
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('floyo api ready')) continue;
    try {
      logReadyMs = JSON.parse(line).time - spawnedAt;
    } catch {
      /* not JSON */
    }
  }
  return { label, child, pid: child.pid, port, base, livenessBase: `http://127.0.0.1:${livenessPort}`, logFile, readyMs, logReadyMs };
}

async function stopApi(api) {
  if (!api) return;
  await h.stopChild(api.child, 15_000);
}

async function startBaseline() {
  const port = await h.freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL,
    DB_POOL_SIZE: '10', // the service's default DB_POOL_SIZE
  };
  const logFile = path.join(LOG_DIR, 'floyo-bench-perf-baseline.log');
  const script = path.join(__dirname, 'baseline', 'server.js');
  let child;
  if (!OPTS.cpuProf) child = await h.startChild(script, [], env, logFile);
  else {
    // profiled like the API (the harness's startChild cannot pass node flags)
    const fd = fs.openSync(logFile, 'w');
    const execArgv = ['--cpu-prof', `--cpu-prof-dir=${OPTS.cpuProf}`, `--cpu-prof-name=baseline-${Date.now()}.cpuprofile`];
    child = h.track(fork(script, [], { cwd: h.root, env, execArgv, stdio: ['ignore', fd, fd, 'ipc'] }));
    fs.closeSync(fd);
    await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`baseline exited during boot (code ${code})\n${h.tail(logFile, 20)}`)));
      child.on('message', (m) => m && m.type === 'ready' && resolve());
    });
  }
  children.set(child.pid, 'baseline');
  child.once('exit', () => children.delete(child.pid));
  return { label: 'baseline', child, pid: child.pid, port, base: `http://127.0.0.1:${port}` };
}

// ---------------------------------------------------------------- database setup

async function migrate(dir) {
  const t0 = performance.now();
  const res = require('node:child_process').spawnSync(
    process.execPath,
    [path.join(h.root, 'node_modules', 'typeorm', 'cli.js'), '-d', path.join(dir, 'data-source.js'), 'migration:run'],
    { cwd: h.root, env: serviceEnv(1), encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`migrations failed (exit ${res.status}):\n${(res.stdout + res.stderr).slice(-3000)}`);
  return performance.now() - t0;
}

/** A user + live session straight in SQL (registration would spend time in argon2), and an access token for it. */
function accessToken(userId, sessionId) {
  const jwt = require('jsonwebtoken');
  return jwt.sign({ sid: sessionId, type: 'access' }, h.BENCH_SECRET, { subject: userId, expiresIn: 6 * 3600, algorithm: 'HS256' });
}

async function seedUser(events) {
  const [{ id: userId }] = await sql(`INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`, [
    `perf-${Date.now()}@bench.local`,
  ]);
  const [{ id: sessionId }] = await sql(
    `INSERT INTO user_sessions (user_id, expires_at) VALUES ($1, now() + interval '1 day') RETURNING id`,
    [userId],
  );
  // The history: one event every 6 s going back in time, the mix bench/ingest.js sends.
  await sql(
    `INSERT INTO events (user_id, event_type, file_path, tool, operation, details, "timestamp")
     SELECT $1, CASE WHEN g % 3 = 0 THEN 'file_opened' ELSE 'file_modified' END,
            '/home/bench/project/src/module_' || (g % 500) || '.' || (ARRAY['py','ts','md','json','go','rs','css','sql'])[1 + g % 8],
            (ARRAY['vscode','vim','git','pycharm'])[1 + g % 4], CASE WHEN g % 3 = 0 THEN 'open' ELSE 'write' END,
            jsonb_build_object('size', 1000 + g % 97, 'lines', 40 + g % 13), now() - make_interval(secs => g * 6)
       FROM generate_series(1, $2) g`,
    [userId, events],
  );
  await sql('VACUUM ANALYZE events');
  await sql('VACUUM ANALYZE user_stats');
  return { userId, sessionId, token: accessToken(userId, sessionId) };
}

/** `n` users with sessions (scenario 6: one Socket.IO client each). */
async function seedClients(n) {
  const users = (
    await sql(
      `INSERT INTO users (email, password_hash) SELECT 'rt-' || g || '@bench.local', 'x' FROM generate_series(1, $1) g RETURNING id`,
      [n],
    )
  ).map((r) => r.id);
  const sessions = await sql(
    `INSERT INTO user_sessions (user_id, expires_at) SELECT u, now() + interval '1 day' FROM unnest($1::uuid[]) u RETURNING id, user_id`,
    [users],
  );
  return sessions.map((s) => ({ userId: s.user_id, token: accessToken(s.user_id, s.id) }));
}

async function countCacheEntries(scope) {
  const { Redis } = require('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}cache:*:${scope}:*`, 'COUNT', 1000);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------- load

/**
 * The service's own runtime figures (prom-client default metrics on /metrics): event-loop
 * lag (its histogram restarts at every scrape, so a scrape before a run resets it) and GC
 * time per kind (cumulative: compare two scrapes). Null for servers without /metrics.
 */
async function runtimeMetrics(server) {
  if (!server.label || !server.label.startsWith('api')) return null;
  const res = await httpGet(`${server.base}/metrics`, 5000);
  if (res.status !== 200) return null;
  const value = (re) => {
    const m = re.exec(res.body);
    return m ? Number(m[1]) : NaN;
  };
  const gc = {};
  for (const m of res.body.matchAll(/^floyo_nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} ([\d.e+-]+)$/gm)) {
    gc[m[2]] ??= { sum: 0, count: 0 };
    gc[m[2]][m[1]] = Number(m[3]);
  }
  return {
    heapUsed: value(/^floyo_nodejs_heap_size_used_bytes ([\d.e+-]+)$/m) / 2 ** 20,
    heapTotal: value(/^floyo_nodejs_heap_size_total_bytes ([\d.e+-]+)$/m) / 2 ** 20,
    external: value(/^floyo_nodejs_external_memory_bytes ([\d.e+-]+)$/m) / 2 ** 20,
    lagMax: value(/^floyo_nodejs_eventloop_lag_max_seconds ([\d.e+-]+)$/m) * 1000,
    lagP99: value(/^floyo_nodejs_eventloop_lag_p99_seconds ([\d.e+-]+)$/m) * 1000,
    gc,
  };
}

const gcDelta = (a, b) => {
  if (!a || !b) return null;
  const out = {};
  for (const [kind, v] of Object.entries(b.gc)) {
    const before = a.gc[kind] ?? { sum: 0, count: 0 };
    out[kind] = { ms: (v.sum - before.sum) * 1000, count: v.count - before.count };
  }
  return out;
};

function startProbe(url) {
  const child = h.track(
    fork(path.join(__dirname, 'lib', 'liveness-probe.js'), [url, '100', '2000'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  );
  children.set(child.pid, 'probe');
  child.once('exit', () => children.delete(child.pid));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once('message', (m) => {
          const sorted = [...m.latencies].sort((a, b) => a - b);
          const slow = m.latencies.map((t, i) => [t, m.connects[i]]).filter(([t]) => t > 100);
          resolve({
            count: m.count,
            failures: m.failures,
            errors: m.errors,
            max: sorted[sorted.length - 1] ?? NaN,
            p50: pct(sorted, 50),
            p99: pct(sorted, 99),
            slow: slow.length,
            // of the probes over 100 ms: how many were slow to CONNECT (> 100 ms: the kernel's
            // accept queue / SYN retransmits) rather than slow to be answered (the event loop)
            slowConnect: slow.filter(([, c]) => !(c <= 100)).length,
            maxConnect: Math.max(...m.connects.filter(Number.isFinite)),
            // the same once the load's connections are all open (probes sent after the first 2 s)
            steadyMax: Math.max(...m.latencies.slice(20)),
            steadySlow: m.latencies.slice(20).filter((t) => t > 100).length,
          });
        });
        child.send('stop');
      }),
  };
}

/**
 * One measured load run against `server` ({base, pid}): quiet machine, warm-up, run.
 * `bodies` (POST) are cycled per connection. Throughput counts 2xx answers only.
 */
async function load(server, { path: route, method = 'GET', headers = {}, bodies, connections, duration, perRequest = 1, probe = false }) {
  const waited = await h.waitForQuiet(ourPids(), DATABASE, { maxWaitMs: OPTS.maxWaitMs });
  const opts = { url: `${server.base}${route}`, connections, timeout: 10 };
  if (bodies) {
    opts.requests = bodies.map((b) => ({ method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(b) }));
  } else {
    opts.method = method;
    opts.headers = headers;
  }
  if (OPTS.warmup > 0) await h.cannon({ ...opts, duration: OPTS.warmup });
  const sampler = new RssSampler([server.pid], 250);
  const bg = h.foreignCpu(ourPids(), DATABASE);
  // the kubelet's probe goes to the liveness port where there is one (the service); the
  // same probe of the API port runs beside it for reference
  const prober = probe ? startProbe(`${server.livenessBase ?? server.base}/health/liveness`) : null;
  const mainProber = probe && server.livenessBase ? startProbe(`${server.base}/health/liveness`) : null;
  const rt0 = await runtimeMetrics(server);
  const cpu0 = cpuSeconds(server.pid);
  const r = await h.cannon({ ...opts, duration });
  const cpuUsed = cpuSeconds(server.pid) - cpu0;
  const rt1 = await runtimeMetrics(server);
  const bgCores = bg.stop();
  const rss = sampler.stop()[server.pid];
  const probeResult = prober ? await prober.stop() : null;
  const mainProbeResult = mainProber ? await mainProber.stop() : null;
  const secs = r.duration || duration;
  return {
    rps: r['2xx'] / secs,
    units: (r['2xx'] * perRequest) / secs,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    total: r.requests.total,
    ok: r['2xx'],
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    s5xx: r['5xx'],
    bgCores,
    cpuCores: cpuUsed / secs, // the server process's CPU use during the run (cores)
    cpuMsPerReq: (cpuUsed * 1000) / Math.max(1, r.requests.total),
    waitedMs: waited,
    rssPeak: rss?.max,
    probe: probeResult,
    mainProbe: mainProbeResult,
    lagMax: rt1?.lagMax,
    lagP99: rt1?.lagP99,
    gc: gcDelta(rt0, rt1),
  };
}

// ---------------------------------------------------------------- scenario 6: realtime

async function realtimeScenario(dir, apiA, clients) {
  const { io } = require('socket.io-client');
  const { Pool } = require('undici');
  const apiB = await startApi(dir, 'api-2');
  const apis = [apiA, apiB];
  const sockets = [];
  const pools = apis.map((a) => new Pool(a.base, { connections: Math.ceil(OPTS.connections / 2) }));
  try {
    console.log(`   second API process ready in ${ms(apiB.readyMs)}; connecting ${clients.length} Socket.IO clients`);
    const t0 = performance.now();
    const sentAt = new Array(clients.length).fill(NaN);
    const emitToReceipt = [];
    const postToReceipt = [];
    let received = 0;
    for (let i = 0; i < clients.length; i += 100) {
      const chunk = clients.slice(i, i + 100).map((c, j) => {
        const idx = i + j;
        const s = io(apis[idx % 2].base, { transports: ['websocket'], auth: { token: c.token }, reconnection: false, forceNew: true });
        s.on('event.created', (p) => {
          const now = Date.now();
          const nowPerf = performance.now();
          received++;
          emitToReceipt.push(now - Date.parse(p.timestamp));
          if (Number.isFinite(sentAt[idx])) postToReceipt.push(nowPerf - sentAt[idx]);
        });
        return new Promise((resolve, reject) => {
          s.once('connect', () => resolve(s));
          s.once('connect_error', (err) => reject(new Error(`socket ${idx}: ${err.message}`)));
        });
      });
      sockets.push(...(await Promise.all(chunk)));
    }
    const connectSecs = (performance.now() - t0) / 1000;
    await sleep(2_000); // rooms are joined just after the handshake
    const rssWithClients = apis.map((a) => rssMb(a.pid));

    await h.waitForQuiet(ourPids(), DATABASE, { maxWaitMs: OPTS.maxWaitMs });
    const sampler = new RssSampler(
      apis.map((a) => a.pid),
      250,
    );
    const bg = h.foreignCpu(ourPids(), DATABASE);
    // POST /api/events for every user, OPTS.rtRounds times, OPTS.connections at a time;
    // round r sends user i's event to API (i + r) % 2: half land on the other replica than the socket.
    const jobs = [];
    for (let r = 0; r < OPTS.rtRounds; r++) for (let i = 0; i < clients.length; i++) jobs.push([i, r]);
    let next = 0;
    let failed = 0;
    const tPost = performance.now();
    await Promise.all(
      Array.from({ length: OPTS.connections }, async () => {
        while (next < jobs.length) {
          const [i, r] = jobs[next++];
          sentAt[i] = performance.now();
          try {
            const res = await pools[(i + r) % 2].request({
              path: '/api/events',
              method: 'POST',
              headers: { authorization: `Bearer ${clients[i].token}`, 'content-type': 'application/json' },
              body: JSON.stringify(event(i + r)),
            });
            await res.body.dump();
            if (res.statusCode !== 201) failed++;
          } catch {
            failed++;
          }
        }
      }),
    );
    const postSecs = (performance.now() - tPost) / 1000;
    const expected = jobs.length - failed;
    const deadline = Date.now() + 10_000;
    while (received < expected && Date.now() < deadline) await sleep(20);
    const bgCores = bg.stop();
    const rss = sampler.stop();
    emitToReceipt.sort((a, b) => a - b);
    postToReceipt.sort((a, b) => a - b);
    return {
      connectSecs,
      posts: jobs.length,
      failed,
      postsPerSec: (jobs.length - failed) / postSecs,
      expected,
      received,
      emit: { p50: pct(emitToReceipt, 50), p99: pct(emitToReceipt, 99), max: emitToReceipt[emitToReceipt.length - 1] },
      e2e: { p50: pct(postToReceipt, 50), p99: pct(postToReceipt, 99), max: postToReceipt[postToReceipt.length - 1] },
      rssWithClients,
      rssPeak: apis.map((a) => rss[a.pid]?.max),
      apiBReadyMs: apiB.readyMs,
      apiBHwm: hwmMb(apiB.pid),
      bgCores,
    };
  } finally {
    for (const s of sockets) s.close();
    await Promise.all(pools.map((p) => p.close()));
    await stopApi(apiB);
  }
}

// ---------------------------------------------------------------- --check-sql

/**
 * Logs every statement of the scratch database (log_statement=all), sends each measured
 * request once to the service and once to the baseline, and compares the statements the
 * two sent (PostgreSQL's own log, BENCH_PG_LOG). Markers (SELECT 'bench-mark:…') split the log.
 */
async function checkSql(dir, user) {
  const logPath = process.env.BENCH_PG_LOG || '/var/log/postgresql/postgresql-15-main.log';
  if (!fs.existsSync(logPath)) throw new Error(`--check-sql: PostgreSQL log not found at ${logPath} (set BENCH_PG_LOG)`);
  await sql(`ALTER DATABASE "${DATABASE}" SET log_statement = 'all'`);
  const off = CACHE_OFF;
  const api = await startApi(dir, 'api-checksql', off);
  const baseline = await startBaseline();
  const auth = { authorization: `Bearer ${user.token}` };
  const { Client } = require('pg');
  const marker = new Client({ connectionString: DATABASE_URL });
  await marker.connect();
  const start = fs.statSync(logPath).size;
  const requests = [
    ['GET /api/events (page 1)', 'GET', '/api/events'],
    ['GET /api/events (filtered)', 'GET', '/api/events?search=module_42&event_type=file_modified'],
    ['POST /api/events', 'POST', '/api/events', event(1)],
    ['POST /api/events/batch (3 events)', 'POST', '/api/events/batch', [event(1), event(2), event(3)]],
  ];
  try {
    for (const [name, method, route, body] of requests) {
      for (const side of [api, baseline]) {
        await marker.query(`SELECT 'bench-mark:${name}:${side.label}:begin'`);
        const res = await h.httpJson(method, `${side.base}${route}`, body, auth);
        if (res.status >= 300) throw new Error(`${side.label} ${name} → ${res.status} ${JSON.stringify(res.data).slice(0, 300)}`);
        await sleep(300); // let fire-and-forget work (cache writes, …) land inside the markers
        await marker.query(`SELECT 'bench-mark:${name}:${side.label}:end'`);
      }
    }
    await sleep(500);
  } finally {
    await marker.end();
    await sql(`ALTER DATABASE "${DATABASE}" RESET log_statement`);
    await stopApi(api);
    await h.stopChild(baseline.child);
  }
  // Parse the log written since `start`: entries begin with a timestamp.
  const fd = fs.openSync(logPath, 'r');
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.alloc(size - start);
  fs.readSync(fd, buf, 0, buf.length, start);
  fs.closeSync(fd);
  const entries = [];
  for (const line of buf.toString('utf8').split('\n')) {
    if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(line)) entries.push(line);
    else if (entries.length) entries[entries.length - 1] += `\n${line.replace(/^\t/, '')}`; // continuation lines are tab-indented
  }
  const statements = [];
  for (const e of entries) {
    if (!e.includes(`@${DATABASE} `)) continue;
    const m = /LOG: {2}(?:duration: [\d.]+ ms {2})?(?:statement|execute [^:]*): ([\s\S]*)$/.exec(e);
    if (m) statements.push(m[1].trimEnd());
  }
  const sections = new Map();
  let current = null;
  for (const s of statements) {
    const mark = /^SELECT 'bench-mark:(.*):(api-checksql|baseline):(begin|end)'$/.exec(s);
    if (mark) {
      current = mark[3] === 'begin' ? `${mark[1]}|${mark[2]}` : null;
      if (current) sections.set(current, []);
      continue;
    }
    if (current) sections.get(current).push(s);
  }
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  let same = true;
  console.log('\nSQL sent per request (PostgreSQL log, log_statement=all):');
  for (const [name] of requests) {
    const a = sections.get(`${name}|api-checksql`) ?? [];
    const b = sections.get(`${name}|baseline`) ?? [];
    const exact = a.length === b.length && a.every((s, i) => s === b[i]);
    const ws = a.length === b.length && a.every((s, i) => norm(s) === norm(b[i]));
    // the service's statements, in order, all among the baseline's: the others came from a cache
    let j = 0;
    for (const st of b) if (j < a.length && norm(st) === norm(a[j])) j++;
    const subset = !ws && a.length < b.length && j === a.length;
    if (!ws && !subset) same = false;
    const verdict = exact
      ? 'IDENTICAL'
      : ws
        ? 'identical up to whitespace'
        : subset
          ? `the service ran ${b.length - a.length} statement(s) fewer, the others identical (answered from a cache in the service?)`
          : 'DIFFERENT';
    console.log(`\n## ${name}: service ${a.length} statement(s), baseline ${b.length} — ${verdict}`);
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const sa = a[i] ?? '(none)';
      const sb = b[i] ?? '(none)';
      if (subset) {
        const inService = a.some((x) => norm(x) === norm(sb));
        console.log(
          `  ${i + 1}. ${inService ? '(both)   ' : '(baseline only)'} ${norm(sb).slice(0, 160)}${norm(sb).length > 160 ? ' …' : ''}`,
        );
        if (i + 1 >= b.length) break;
        continue;
      }
      if (norm(sa) === norm(sb)) console.log(`  ${i + 1}. (both) ${norm(sa).slice(0, 160)}${norm(sa).length > 160 ? ' …' : ''}`);
      else {
        console.log(`  ${i + 1}. service : ${norm(sa)}`);
        console.log(`     baseline: ${norm(sb)}`);
      }
    }
  }
  console.log(
    `\n${same ? 'Every statement the service sent, the baseline sends too, with the same text.' : 'The baseline and the service DIFFER: update bench/baseline/server.js.'}`,
  );
}

// ---------------------------------------------------------------- main

/** The checkout's benchmark lock (harness): waits for another benchmark to finish, at most --lock-wait s. */
async function lock() {
  const deadline = Date.now() + num('lock-wait', 900) * 1000;
  for (let announced = false; ;) {
    try {
      return h.acquireLock();
    } catch (err) {
      if (!/another benchmark/.test(err.message) || Date.now() > deadline) throw err;
      if (!announced) console.log(`» ${err.message.split(';')[0]}: waiting (at most --lock-wait=${num('lock-wait', 900)} s)`);
      announced = true;
      await sleep(5_000);
    }
  }
}

async function main() {
  await lock();
  const runStart = performance.now();
  console.log(`» machine: ${h.machine()}; PostgreSQL, Redis and the load generator on the same host`);
  const snap = await h.snapshotDist();
  const dir = snap.dir;
  console.log(`» code: dist/ built ${snap.builtAt.toISOString()} (private copy in ${path.relative(h.root, dir)})`);
  await h.freshDatabase(DATABASE_URL);
  await h.clearRedisPrefix(REDIS_URL, PREFIX);
  const migrateMs = await migrate(dir);
  console.log(`» migrations applied in ${ms(migrateMs)} (typeorm CLI on the built data source)`);
  let t = performance.now();
  const user = await seedUser(OPTS.events);
  const seedMs = performance.now() - t;
  console.log(`» seeded one user with ${OPTS.events} events in ${ms(seedMs)} (SQL generate_series, then VACUUM ANALYZE)`);

  if (OPTS.checkSql) return checkSql(dir, user);

  const clients = want('6') ? await seedClients(OPTS.clients) : [];
  const auth = { authorization: `Bearer ${user.token}` };
  const LIST = '/api/events';
  const FILTERED = '/api/events?search=module_42&event_type=file_modified';
  const singles = Array.from({ length: 8 }, (_, i) => event(i));
  const batch = Array.from({ length: 1000 }, (_, i) => event(i));
  const res = {}; // scenario id → { svc, base, ... }
  const boots = [];
  let baselineList = null;
  const baseline = await startBaseline();
  console.log(`» baseline (bare Fastify + pg) ready on :${baseline.port}`);

  const C = OPTS.connections;
  const D = OPTS.duration;
  const step = (label) => console.log(`» ${label}`);

  /** The same page from both sides (the baseline must answer what the service answers). */
  async function samePage(api, route) {
    const a = await h.httpJson('GET', `${api.base}${route}`, undefined, auth);
    const b = await h.httpJson('GET', `${baseline.base}${route}`, undefined, auth);
    if (a.status !== 200 || b.status !== 200) throw new Error(`${route}: service ${a.status}, baseline ${b.status}`);
    if (JSON.stringify(a.data) !== JSON.stringify(b.data)) {
      throw new Error(
        `${route}: the baseline's answer differs from the service's\nservice : ${JSON.stringify(a.data).slice(0, 400)}\nbaseline: ${JSON.stringify(b.data).slice(0, 400)}`,
      );
    }
    return a.data;
  }

  const measureBaselineList = async () => {
    if (!baselineList) {
      step(`GET ${LIST} — baseline`);
      baselineList = await load(baseline, { path: LIST, headers: auth, connections: C, duration: D });
    }
    return baselineList;
  };

  // ---------------- phase A: response cache OFF (scenarios 2 cache off, 3)
  let cacheOff = null;
  if (want('2off') || want('3')) {
    const off = CACHE_OFF;
    cacheOff = off.how;
    step(`phase A: API with the response cache OFF (${off.how})`);
    const api = await startApi(dir, 'api-cache-off', off);
    boots.push({ label: 'API, cache off', readyMs: api.readyMs, logReadyMs: api.logReadyMs });
    try {
      const page = await samePage(api, LIST);
      await samePage(api, FILTERED);
      console.log(`   page 1: ${page.items.length} items of total ${page.total} (service and baseline answers identical)`);
      if (want('2off')) {
        step(`2 (cache off): GET ${LIST}, ${C} connections — service`);
        const svc = await load(api, { path: LIST, headers: auth, connections: C, duration: D });
        const entries = await countCacheEntries('events');
        if (entries > 0) console.log(`   WARNING: ${entries} cached event pages in Redis: the cache was not off`);
        res['2off'] = { svc, base: await measureBaselineList(), cacheEntries: entries };
      }
      if (want('3')) {
        step(`3: GET ${FILTERED}, ${C} connections — service`);
        const svc = await load(api, { path: FILTERED, headers: auth, connections: C, duration: D });
        step('3: baseline');
        res['3'] = { svc, base: await load(baseline, { path: FILTERED, headers: auth, connections: C, duration: D }) };
      }
      res.phaseA = { hwm: hwmMb(api.pid) };
    } finally {
      await stopApi(api);
    }
  }

  // ---------------- phase B: production config (cache on)
  const phaseB = ['1', '2on', '4', '5', '6', '7get', '7post'].some(want);
  let idle = null;
  if (phaseB) {
    step('phase B: API as in production (response cache on)');
    const api = await startApi(dir, 'api');
    boots.push({ label: 'API, production config', readyMs: api.readyMs, logReadyMs: api.logReadyMs, main: true });
    await sleep(3_000);
    const rt = await runtimeMetrics(api);
    idle = { rss: rssMb(api.pid), hwm: hwmMb(api.pid), heapUsed: rt?.heapUsed, heapTotal: rt?.heapTotal, external: rt?.external };
    console.log(`   ready in ${ms(api.readyMs)} (log line at ${ms(api.logReadyMs)}); RSS after 3 s idle ${mb(idle.rss)}`);
    // Left alone, V8's memory reducer gives back what the boot allocated (a few full GCs
    // once the allocation rate stays low): RSS read every second until --idle seconds.
    const samples = [];
    for (let s = 4; s <= Math.max(4, OPTS.idleSecs); s++) {
      await sleep(1_000);
      samples.push({ s, rss: rssMb(api.pid) });
    }
    idle.settled = samples.at(-1).rss;
    idle.settledAfter = samples.find((x) => x.rss <= idle.settled + 2).s;
    console.log(`   RSS idle ${OPTS.idleSecs} s after ready ${mb(idle.settled)} (settled ${idle.settledAfter} s after ready)`);
    const phaseSampler = new RssSampler([api.pid], 250);
    try {
      if (want('1')) {
        step(`1: GET /health/liveness, ${C} connections — service`);
        const svc = await load(api, { path: '/health/liveness', connections: C, duration: D });
        step('1: baseline GET /health');
        res['1'] = { svc, base: await load(baseline, { path: '/health', connections: C, duration: D }) };
      }
      if (want('2on')) {
        await samePage(api, LIST);
        step(`2 (cache on): GET ${LIST}, ${C} connections — service`);
        const svc = await load(api, { path: LIST, headers: auth, connections: C, duration: D });
        const entries = await countCacheEntries('events');
        res['2on'] = { svc, base: await measureBaselineList(), cacheEntries: entries };
      }
      if (want('7get')) {
        step(`7: GET ${LIST}, ${OPTS.overloadConnections} connections, ${OPTS.overloadDuration} s, liveness probe 10/s — service`);
        const svc = await load(api, {
          path: LIST,
          headers: auth,
          connections: OPTS.overloadConnections,
          duration: OPTS.overloadDuration,
          probe: true,
        });
        step('7: baseline');
        const base = await load(baseline, {
          path: LIST,
          headers: auth,
          connections: OPTS.overloadConnections,
          duration: OPTS.overloadDuration,
          probe: true,
        });
        res['7get'] = { svc, base };
      }
      if (want('4')) {
        step(`4: POST /api/events, ${C} connections — service`);
        const svc = await load(api, { path: '/api/events', method: 'POST', headers: auth, bodies: singles, connections: C, duration: D });
        step('4: baseline');
        res['4'] = {
          svc,
          base: await load(baseline, { path: '/api/events', method: 'POST', headers: auth, bodies: singles, connections: C, duration: D }),
        };
      }
      if (want('5')) {
        const bc = OPTS.batchConnections;
        step(`5: POST /api/events/batch (1000 events), ${bc} connections — service`);
        const svc = await load(api, {
          path: '/api/events/batch',
          method: 'POST',
          headers: auth,
          bodies: [batch],
          connections: bc,
          duration: D,
          perRequest: 1000,
        });
        step('5: baseline');
        const base = await load(baseline, {
          path: '/api/events/batch',
          method: 'POST',
          headers: auth,
          bodies: [batch],
          connections: bc,
          duration: D,
          perRequest: 1000,
        });
        res['5'] = { svc, base };
      }
      if (want('7post')) {
        step(`7: POST /api/events, ${OPTS.overloadConnections} connections, ${OPTS.overloadDuration} s, liveness probe 10/s — service`);
        const svc = await load(api, {
          path: '/api/events',
          method: 'POST',
          headers: auth,
          bodies: singles,
          connections: OPTS.overloadConnections,
          duration: OPTS.overloadDuration,
          probe: true,
        });
        step('7: baseline');
        const base = await load(baseline, {
          path: '/api/events',
          method: 'POST',
          headers: auth,
          bodies: singles,
          connections: OPTS.overloadConnections,
          duration: OPTS.overloadDuration,
          probe: true,
        });
        res['7post'] = { svc, base };
      }
      if (want('6')) {
        step(`6: Socket.IO, 2 API processes, ${OPTS.clients} clients, event.created delivery`);
        res['6'] = await realtimeScenario(dir, api, clients);
      }
      // correctness after the writes: the counters the list's total comes from match the rows
      // (one statement: one snapshot, even if a request cut off by the end of a run still commits)
      await sleep(1_000);
      const [{ counted, n }] = await sql(
        `SELECT (SELECT coalesce(sum(event_count), 0)::bigint FROM user_stats WHERE user_id = $1) AS counted,
                (SELECT count(*)::bigint FROM events WHERE user_id = $1) AS n`,
        [user.userId],
      );
      res.counters = { counted: Number(counted), rows: Number(n) };
    } finally {
      res.phaseB = { hwm: hwmMb(api.pid), sampled: phaseSampler.stop()[api.pid]?.max };
      await stopApi(api);
    }
  }
  await h.stopChild(baseline.child);

  report({ res, idle, boots, cacheOff, migrateMs, seedMs, totalSecs: (performance.now() - runStart) / 1000 });
}

// ---------------------------------------------------------------- report

function report({ res, idle, boots, cacheOff, migrateMs, seedMs, totalSecs }) {
  const rows = [];
  const missed = [];
  const verdict = (id, checks) => {
    const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
    if (failed.length) missed.push(`${id}: ${failed.join('; ')}`);
    return failed.length ? 'FAIL' : 'pass';
  };
  const C = OPTS.connections;
  const ratio = (a, b) => a / b;
  const std = (id, route, r, target, checks, { unit = 'req/s', svcKey = 'rps', note } = {}) => {
    const q = ratio(r.svc[svcKey], r.base[svcKey]);
    rows.push([
      id,
      route + (note ? ` ${note}` : ''),
      `${f0(r.svc[svcKey])}${unit === 'req/s' ? '' : ` ${unit}`}`,
      `${f0(r.base[svcKey])}${unit === 'req/s' ? '' : ` ${unit}`}`,
      f2(q),
      ms(r.svc.p50),
      ms(r.svc.p99),
      mb(r.svc.rssPeak),
      target,
      checks ? verdict(`${id} ${route}`, checks(q)) : '',
    ]);
  };
  const clean = (s) => s.errors + s.timeouts + s.non2xx === 0;
  if (res['1'])
    std('1', 'GET /health/liveness (baseline: GET /health)', res['1'], 'ratio ≥ 0.60', (q) => [[q >= 0.6, `ratio ${f2(q)} < 0.60`]]);
  if (res['2off']) {
    std('2', `GET /api/events page 1, cache off`, res['2off'], 'ratio ≥ 0.60, p99 ≤ 50 ms', (q) => [
      [q >= 0.6, `ratio ${f2(q)} < 0.60`],
      [res['2off'].svc.p99 <= 50, `p99 ${ms(res['2off'].svc.p99)} > 50 ms`],
    ]);
  }
  if (res['2on']) std('2', `GET /api/events page 1, cache on`, res['2on'], 'ratio ≥ 1.5', (q) => [[q >= 1.5, `ratio ${f2(q)} < 1.5`]]);
  if (res['3']) std('3', 'GET /api/events?search=module_42&event_type=file_modified (cache off)', res['3'], '–', null);
  if (res['4']) std('4', 'POST /api/events', res['4'], 'ratio ≥ 0.60', (q) => [[q >= 0.6, `ratio ${f2(q)} < 0.60`]]);
  if (res['5']) {
    std(
      '5',
      `POST /api/events/batch ×1000, ${OPTS.batchConnections} conns`,
      res['5'],
      'ratio ≥ 0.60',
      (q) => [[q >= 0.6, `ratio ${f2(q)} < 0.60`]],
      {
        unit: 'ev/s',
        svcKey: 'units',
      },
    );
  }
  const overload = (id, route, ref, refLabel) => {
    const r = res[id];
    if (!r) return;
    const s = r.svc;
    const q = ratio(s.rps, r.base.rps);
    const vsRef = ref ? s.rps / ref : NaN;
    rows.push([
      '7',
      `${route}, ${OPTS.overloadConnections} conns, ${OPTS.overloadDuration} s`,
      f0(s.rps),
      f0(r.base.rps),
      f2(q),
      ms(s.p50),
      ms(s.p99),
      mb(s.rssPeak),
      `0 errors/timeouts/5xx, ≥ 0.8× ${C}-conn req/s, p99 ≤ 500 ms, liveness ≤ 100 ms`,
      verdict(`7 ${route} @${OPTS.overloadConnections}`, [
        [clean(s), `${s.errors} errors, ${s.timeouts} timeouts, ${s.non2xx} non-2xx (${s.s5xx} 5xx)`],
        [Number.isFinite(vsRef) ? vsRef >= 0.8 : true, `throughput ${f2(vsRef)}× the ${C}-connection figure (${refLabel})`],
        ...(Number.isFinite(vsRef) ? [] : [[true, '']]),
        [s.p99 <= 500, `p99 ${ms(s.p99)} > 500 ms`],
        [
          s.probe && s.probe.failures === 0 && s.probe.max <= 100,
          `liveness probe max ${ms(s.probe?.max)}, ${s.probe?.failures} failed of ${s.probe?.count}`,
        ],
      ]),
    ]);
  };
  if ((res['7get'] && !res['2on']) || (res['7post'] && !res['4'])) {
    console.log(`(scenario 7's "≥ 0.8× the ${C}-connection figure" is only checked when 2 (cache on) / 4 run too)`);
  }
  overload('7get', 'GET /api/events (cache on)', res['2on']?.svc.rps, 'scenario 2, cache on');
  overload('7post', 'POST /api/events', res['4']?.svc.rps, 'scenario 4');
  if (res['6']) {
    const r = res['6'];
    rows.push([
      '6',
      `Socket.IO event.created, 2 API processes, ${OPTS.clients} clients (emit → receipt)`,
      `${f0(r.postsPerSec)} POST/s`,
      '–',
      '–',
      ms(r.emit.p50),
      ms(r.emit.p99),
      r.rssPeak.map(mb).join(' + '),
      'p99 ≤ 100 ms',
      verdict('6 Socket.IO delivery', [
        [r.emit.p99 <= 100, `p99 ${ms(r.emit.p99)} > 100 ms`],
        [r.received >= r.expected, `${r.expected - r.received} of ${r.expected} deliveries missing`],
      ]),
    ]);
  }

  console.log(`\n## Whole-service performance — ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(`machine: ${h.machine()}`);
  console.log(`API processes: node ${[...API_NODE_FLAGS, ...OPTS.nodeArgs].join(' ')} dist/main.js (the image's CMD)`);
  console.log(
    `runs: ${OPTS.duration} s after a ${OPTS.warmup} s warm-up (overload ${OPTS.overloadDuration} s), autocannon in this process; ` +
      `req/s = 2xx answers per second; p50/p99 = the service's; RSS = the service's peak during the run\n`,
  );
  console.log(
    h.table(['#', 'route', 'service req/s', 'baseline req/s', 'ratio', 'p50', 'p99', 'RSS', 'target', 'pass/fail'], rows, [
      'l',
      'l',
      'r',
      'r',
      'r',
      'r',
      'r',
      'r',
      'l',
      'l',
    ]),
  );

  // memory and boot
  const main = boots.find((b) => b.main);
  const peakHwm = Math.max(res.phaseA?.hwm ?? -Infinity, res.phaseB?.hwm ?? -Infinity);
  const extra = [];
  if (main) {
    extra.push([
      'boot to ready (spawn → /health/readiness 200), production config',
      `${ms(main.readyMs)} (log line "floyo api ready": ${ms(main.logReadyMs)})`,
      '≤ 2 s',
      verdict('boot to ready', [[main.readyMs <= 2000, `${ms(main.readyMs)} > 2 s`]]),
    ]);
  }
  for (const b of boots.filter((x) => !x.main))
    extra.push([`boot to ready, ${b.label}`, `${ms(b.readyMs)} (log line ${ms(b.logReadyMs)})`, '', '']);
  if (res['6']) extra.push(['boot to ready, second API process (scenario 6)', ms(res['6'].apiBReadyMs), '', '']);
  if (idle) {
    extra.push([
      `API RSS idle (settled: ${OPTS.idleSecs} s after ready, level reached at ${idle.settledAfter} s)`,
      mb(idle.settled),
      '≤ 150 MB',
      verdict('idle RSS', [[idle.settled <= 150, `${mb(idle.settled)} > 150 MB`]]),
    ]);
    extra.push(['API RSS 3 s after ready (before V8 gives back the boot’s garbage)', mb(idle.rss), '', '']);
    extra.push(['API V8 heap idle: used / total; external', `${mb(idle.heapUsed)} / ${mb(idle.heapTotal)}; ${mb(idle.external)}`, '', '']);
  }
  if (Number.isFinite(peakHwm)) {
    extra.push([
      'API RSS peak during the run (VmHWM, every phase)',
      `${mb(peakHwm)}${res.phaseA ? ` (cache off ${mb(res.phaseA.hwm)}, production ${mb(res.phaseB?.hwm)})` : ''}`,
      '≤ 350 MB',
      verdict('peak RSS', [[peakHwm <= 350, `${mb(peakHwm)} > 350 MB`]]),
    ]);
  }
  if (res['6']) {
    const r = res['6'];
    extra.push([
      '6: POST sent → event.created received (end to end)',
      `p50 ${ms(r.e2e.p50)}, p99 ${ms(r.e2e.p99)}, max ${ms(r.e2e.max)}`,
      '',
      '',
    ]);
    extra.push(['6: emit → receipt max; deliveries', `${ms(r.emit.max)}; ${r.received}/${r.expected} (${r.failed} POSTs failed)`, '', '']);
    extra.push([
      '6: connect all clients; RSS with clients',
      `${r.connectSecs.toFixed(1)} s; ${r.rssWithClients.map(mb).join(' + ')}`,
      '',
      '',
    ]);
  }
  for (const [id, side, which] of [
    ['7get', 'svc', 'probe'],
    ['7post', 'svc', 'probe'],
    ['7get', 'svc', 'mainProbe'],
    ['7post', 'svc', 'mainProbe'],
    ['7get', 'base', 'probe'],
    ['7post', 'base', 'probe'],
  ]) {
    const p = res[id]?.[side][which];
    const who =
      side === 'base'
        ? 'baseline: probe of GET /health/liveness'
        : which === 'probe'
          ? 'liveness probe (LIVENESS_PORT)'
          : "probe of the API port's /health/liveness";
    if (p)
      extra.push([
        `7: ${who} beside ${id === '7get' ? 'GET' : 'POST'} load (new connection, 10/s)`,
        `${p.count} probes, ${p.failures} failed${p.errors?.length ? ` (${[...new Set(p.errors)].join(', ')})` : ''}, p50 ${ms(p.p50)}, p99 ${ms(p.p99)}, max ${ms(p.max)}; ${p.slow} over 100 ms (${p.slowConnect} slow to connect; max connect ${ms(p.maxConnect)}); after the first 2 s: max ${ms(p.steadyMax)}, ${p.steadySlow} over 100 ms`,
        side === 'svc' && which === 'probe' ? '≤ 100 ms' : '(reference)',
        '',
      ]);
  }
  for (const id of ['2off', '2on']) {
    if (res[id])
      extra.push([
        `2 (${id.slice(1)}): cached event pages in Redis after the run`,
        String(res[id].cacheEntries),
        id === '2off' ? '0' : '> 0',
        '',
      ]);
  }
  if (cacheOff) extra.push(['how the cache was turned off', cacheOff, '', '']);
  if (res.counters) {
    const ok = res.counters.counted === res.counters.rows;
    extra.push([
      'user counters = count(*) after the writes',
      `${res.counters.counted} vs ${res.counters.rows}`,
      'equal',
      verdict('counters', [[ok, 'counter drift']]),
    ]);
  }
  extra.push(['migrations (CLI) / seeding 100k events', `${ms(migrateMs)} / ${ms(seedMs)}`, '', '']);
  extra.push(['whole run', `${Math.round(totalSecs)} s`, '', '']);
  console.log('\n' + h.table(['measure', 'value', 'target', 'pass/fail'], extra));

  // details of every load run
  const detail = [];
  const add = (id, side, r) => {
    if (!r) return;
    detail.push([
      id,
      side,
      f0(r.total),
      f0(r.ok),
      `${r.errors}/${r.timeouts}/${r.non2xx}`,
      ms(r.p50),
      ms(r.p99),
      ms(r.max),
      f2(r.cpuCores),
      f2(r.cpuMsPerReq),
      Number.isFinite(r.lagMax) ? `${ms(r.lagP99)} / ${ms(r.lagMax)}` : '',
      r.gc
        ? Object.entries(r.gc)
            .filter(([, v]) => v.count > 0)
            .map(([k, v]) => `${k} ${v.count}× ${Math.round(v.ms)} ms`)
            .join(', ')
        : '',
      f2(r.bgCores),
      `${(r.waitedMs / 1000).toFixed(0)} s`,
    ]);
  };
  for (const id of ['1', '2off', '2on', '3', '4', '5', '7get', '7post']) {
    if (!res[id]) continue;
    add(id, 'service', res[id].svc);
    if (id !== '2on' || !res['2off']) add(id, 'baseline', res[id].base);
  }
  if (res['6'])
    detail.push([
      '6',
      'service',
      f0(res['6'].posts),
      f0(res['6'].posts - res['6'].failed),
      `${res['6'].failed}`,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      f2(res['6'].bgCores),
      '',
    ]);
  console.log(
    '\nrun details (server cpu = cores the server process used during the run, and CPU ms per request; loop lag and GC: ' +
      "the service's own /metrics (prom-client); bg cpu = cores used by processes outside the benchmark; waited = for a quiet machine)\n\n" +
      h.table(
        [
          '#',
          'side',
          'requests',
          '2xx',
          'errors/timeouts/non-2xx',
          'p50',
          'p99',
          'max',
          'server cpu',
          'cpu ms/req',
          'loop lag p99 / max',
          'GC during the run',
          'bg cpu',
          'waited',
        ],
        detail,
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r'],
      ),
  );

  console.log(missed.length ? `\nTARGETS MISSED (${missed.length}):\n${missed.map((m) => `  - ${m}`).join('\n')}` : '\nAll targets met.');
  console.log(`\nlogs: ${LOG_DIR}/floyo-bench-perf-*.log${OPTS.cpuProf ? `; CPU profiles: ${OPTS.cpuProf}` : ''}`);
}

h.runMain(main);
