'use strict';
/* global fetch */
/**
 * Shared pieces for bench/ scripts: scratch database + Redis namespace, child server
 * processes that are always reaped, autocannon runs and a plain-text table.
 * Runs against the built dist/ (never src/).
 */
const { fork, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * A private, stable copy of the built dist/ in node_modules/.cache/floyo-bench/dist, so
 * that a rebuild of dist/ by someone else during the run (`nest build` deletes dist/
 * first) cannot break or change the servers under test. Under node_modules so that
 * packages resolve as they do for dist/ and so that eslint, jest and git ignore it; a
 * copy of package.json beside it keeps the reported version right.
 *
 * Builds dist/ when it is missing (never rebuilds an existing one). `npm run build` is
 * `nest build && tsc -p tsconfig.migrations.json`; a bare `nest build` leaves out
 * dist/migrations, and the app then boots on an empty schema without complaint — so the
 * migrations are compiled into the copy when dist/ has none.
 */
async function snapshotDist() {
  const run = (cmd, args) => {
    console.log(`» ${[cmd, ...args].map((a) => path.relative(root, a) || a).join(' ')}`);
    const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status})`);
  };
  const required = ['app.module.js', 'main.js', path.join('bootstrap', 'http-app.js'), path.join('config', 'load-config.js')];
  const complete = (dir) => required.every((f) => fs.existsSync(path.join(dir, f)));
  if (!fs.existsSync(path.join(dist, 'app.module.js'))) run('npm', ['run', '--silent', 'build']);
  // Wait until nobody has written to dist/ for 5 s (a build in progress), at most 2 min.
  for (let waited = 0; ; waited += 1_000) {
    const age = Date.now() - newestMtime(dist);
    if (age > 5_000 && complete(dist)) break;
    if (waited === 0) console.log('» dist/ is being written (a build in progress?): waiting for it to settle');
    if (waited > 120_000) throw new Error('dist/ did not settle (or is incomplete) within 2 min');
    await sleep(1_000);
  }
  const home = path.join(root, 'node_modules', '.cache', 'floyo-bench');
  const snap = path.join(home, 'dist');
  fs.rmSync(snap, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(home, 'package.json'));
  fs.cpSync(dist, snap, { recursive: true, filter: (src) => !src.endsWith('.map') });
  if (!complete(snap)) throw new Error('dist/ changed while it was copied; run again');
  const js = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.js')) : []);
  const sources = fs.readdirSync(path.join(root, 'migrations')).filter((f) => f.endsWith('.ts'));
  if (js(path.join(snap, 'migrations')).length < sources.length) {
    run(process.execPath, [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.migrations.json',
      '--outDir',
      path.join(snap, 'migrations'),
    ]);
  }
  if (js(path.join(snap, 'migrations')).length < sources.length) throw new Error('migrations did not compile');
  return { dir: snap, builtAt: new Date(newestMtime(dist)) };
}

/**
 * One benchmark at a time on this checkout: a second run would drop the scratch database
 * and replace the dist/ copy under the first one's servers (and share its 2 cores).
 * The lock file holds the owner's pid; a lock whose process is gone is taken over.
 */
function acquireLock(name = 'bench') {
  const dir = path.join(root, 'node_modules', '.cache', 'floyo-bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.lock`);
  for (let i = 0; i < 2; i++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      process.on('exit', () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      });
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      let alive = false;
      try {
        process.kill(owner, 0);
        alive = true;
      } catch (e) {
        alive = e.code === 'EPERM'; // exists but not ours; ESRCH: stale lock
      }
      if (alive) throw new Error(`another benchmark (pid ${owner}) is running on this checkout; wait for it to finish`);
      fs.unlinkSync(file);
    }
  }
  throw new Error(`could not take ${file}`);
}

/** Names of the migrations applied in the database at `url` (empty when none). */
async function appliedMigrations(url) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT name FROM migrations WHERE to_regclass('public.migrations') IS NOT NULL ORDER BY id");
    return rows.map((r) => r.name);
  } catch {
    return [];
  } finally {
    await client.end();
  }
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** DROP + CREATE the scratch database named in `url` (connects to the `postgres` db). */
async function freshDatabase(url) {
  const { Client } = require('pg');
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name) || !/bench/.test(name)) {
    throw new Error(`refusing to recreate database "${name}": bench databases must be named *bench*`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** One statement on a connection of its own (setup and checks, not measured work): its rows. */
async function sql(url, text, params = []) {
  const { Client } = require('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
async function clearRedisPrefix(url, prefix) {
  if (!prefix || prefix.length < 3) throw new Error(`refusing to clear Redis prefix "${prefix}"`);
  const { Redis } = require('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  await redis.connect();
  try {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------- child processes

const live = new Set();

/** Synchronous last resort: nothing we started may outlive this process. */
function killAllNow() {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

let hooksInstalled = false;
function installCleanupHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      console.error(`\n» ${signal}: stopping child servers`);
      killAllNow();
      process.exit(128 + (os.constants.signals[signal] ?? 1));
    });
  }
}

/**
 * Forks `script` with `args` and `env`; resolves once the child sends {type:'ready'}.
 * Output goes to `logFile`. Rejects (and kills the child) on exit or timeout.
 */
function startChild(script, args, env, logFile, timeoutMs = 90_000) {
  installCleanupHooks();
  const fd = fs.openSync(logFile, 'w');
  const child = fork(script, args, { cwd: root, env, stdio: ['ignore', fd, fd, 'ipc'] });
  fs.closeSync(fd);
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.logFile = logFile;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (msg) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`${msg}\n--- last lines of ${logFile} ---\n${tail(logFile, 30)}`));
    };
    const timer = setTimeout(() => fail(`child did not become ready within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code, signal) => fail(`child exited during boot (${signal ?? `code ${code}`})`));
    child.on('message', (msg) => {
      if (settled || !msg || msg.type !== 'ready') return;
      settled = true;
      clearTimeout(timer);
      resolve(child);
    });
  });
}

/**
 * Registers a child process started elsewhere (e.g. `spawn` of dist/main.js) so that, like
 * the children of `startChild`, it is killed on errors, on Ctrl-C and when this process exits.
 */
function track(child) {
  installCleanupHooks();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGTERM (graceful Nest shutdown), then SIGKILL after `graceMs`. */
function stopChild(child, graceMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      live.delete(child);
      resolve();
    });
    try {
      child.kill('SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------- background load
// The load generator shares the 2 cores with the server; anything else running on the
// machine (a test suite, a build) skews the figures. Before each measured run we wait
// for the machine to be quiet, and during it we estimate the CPU used by processes
// that are not part of the benchmark.

const HZ = 100; // USER_HZ: the unit of /proc/stat and /proc/<pid>/stat on Linux

function machineTicks() {
  try {
    const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = v[3] + v[4];
    return { busy: v.reduce((a, b) => a + b, 0) - idle };
  } catch {
    return null; // not Linux: no background accounting
  }
}

function pidTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** Our processes: given pids + PostgreSQL backends of `database` + redis-server. */
function benchPids(pids, database) {
  const out = new Set(pids);
  for (const name of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    if (!/^\d+$/.test(name)) continue;
    let cmd;
    try {
      cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.startsWith('redis-server') || (database && cmd.startsWith('postgres:') && cmd.includes(` ${database} `))) {
      out.add(Number(name));
    }
  }
  return [...out];
}

/** Starts accounting; `stop()` returns the CPU (in cores) used by everything else. */
function foreignCpu(pids, database) {
  const m0 = machineTicks();
  if (!m0) return { stop: () => NaN };
  const t0 = Date.now();
  const own0 = new Map(benchPids(pids, database).map((p) => [p, pidTicks(p)]));
  return {
    stop() {
      const m1 = machineTicks();
      let own = 0;
      for (const p of benchPids(pids, database)) own += pidTicks(p) - (own0.get(p) ?? 0);
      const seconds = (Date.now() - t0) / 1000;
      return Math.max(0, (m1.busy - m0.busy - own) / HZ / seconds);
    },
  };
}

/**
 * Waits (up to `maxWaitMs`) until the machine is quiet: over 2 s, processes other than
 * ours use less than `threshold` cores. Returns how long it waited.
 */
async function waitForQuiet(pids, database, { threshold = 0.15, maxWaitMs = 180_000 } = {}) {
  const start = Date.now();
  let announced = false;
  for (;;) {
    const probe = foreignCpu(pids, database);
    await sleep(2_000);
    const used = probe.stop();
    if (!(used >= threshold)) return Date.now() - start; // NaN (no /proc) counts as quiet
    if (Date.now() - start > maxWaitMs) {
      console.log(`   (machine still busy: ${used.toFixed(2)} cores used by other processes; measuring anyway)`);
      return Date.now() - start;
    }
    if (!announced) {
      console.log(`   (other processes use ${used.toFixed(2)} cores: waiting for a quiet machine)`);
      announced = true;
    }
  }
}

// ---------------------------------------------------------------- load generation

function cannon(opts) {
  const autocannon = require('autocannon');
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * Waits for a quiet machine, a warm-up run, then the measured run. `pids` and `database`
 * say which processes belong to the benchmark (for the background-CPU figure). A run
 * during which other processes used more than `quiet.threshold` cores is repeated (up
 * to `attempts` in all); the least disturbed run is returned, with its bg figure.
 */
async function measure({ url, headers = {}, connections = 32, duration = 8, warmup = 1, pids = [], database, quiet = {}, attempts = 3 }) {
  const threshold = quiet.threshold ?? 0.15;
  let best;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const waitedMs = await waitForQuiet([process.pid, ...pids], database, { ...quiet, threshold });
    if (warmup > 0) await cannon({ url, headers, connections, duration: warmup });
    const bg = foreignCpu([process.pid, ...pids], database);
    const r = await cannon({ url, headers, connections, duration });
    const result = {
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      total: r.requests.total,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      bgCores: bg.stop(),
      waitedMs,
      attempt,
    };
    if (!best || !(result.bgCores >= best.bgCores)) best = result;
    if (!(result.bgCores > threshold)) break;
    if (attempt < attempts) {
      console.log(`   (run disturbed: other processes used ${result.bgCores.toFixed(2)} cores; repeating)`);
    }
  }
  return best;
}

/** A JSON request from the bench process (Node's fetch): `{status, headers, data}`. */
async function httpJson(method, url, body, headers = {}) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  return { status: res.status, headers: res.headers, data };
}

// ---------------------------------------------------------------- output

function table(headers, rows, align = []) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const fmt = (r) => '| ' + r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |';
  const sep = '|' + widths.map((w, i) => (align[i] === 'r' ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [fmt(cells[0]), sep, ...cells.slice(1).map(fmt)].join('\n');
}

function machine() {
  const cpus = os.cpus();
  return (
    `${cpus.length} × ${cpus[0]?.model?.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
    `${os.platform()} ${os.release()}, Node ${process.version}`
  );
}

/**
 * Spawns `<dir>/main.js` (a built API) with `env`; resolves with the child once it logs
 * "floyo api ready" (rejects with its last output if it exits or is not ready in 60 s).
 * The child is tracked: killed on errors, on Ctrl-C and when this process exits.
 */
function spawnApi(dir, env) {
  const child = track(spawn(process.execPath, [path.join(dir, 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`api not ready:\n${out.slice(-2000)}`)), 60_000);
    child.stdout.on('data', () => out.includes('floyo api ready') && (clearTimeout(t), resolve(child)));
    child.once('exit', (c) => reject(new Error(`api exited ${c}:\n${out.slice(-2000)}`)));
  });
}

/** The SECRET_KEY every benchmark's servers share (tests sign tokens with it). */
const BENCH_SECRET = 'bench-secret-key-0123456789-0123456789-abcdef';

/**
 * Environment of a built API/worker under benchmark: production mode, logs at warn, its
 * own database and Redis namespace, and rate limits far too high to trip (the limiter
 * still does its Redis round trips). `extra` overrides or adds.
 */
function serviceEnv({ port, databaseUrl, redisUrl, prefix }, extra = {}) {
  return {
    PATH: process.env.PATH,
    ENVIRONMENT: 'test',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    SECRET_KEY: BENCH_SECRET,
    RATE_LIMIT_PER_MINUTE: '100000000',
    RATE_LIMIT_PER_HOUR: '100000000',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000000',
    ...extra,
  };
}

/**
 * Runs a benchmark's `main`: on success stops every child and exits 0 (unless `keepAlive`,
 * e.g. a `--child` server that must go on serving), on failure stops them, prints the
 * error and exits 1.
 */
function runMain(main, { keepAlive = false } = {}) {
  main().then(
    () => {
      if (keepAlive) return;
      killAllNow();
      process.exit(0);
    },
    (err) => {
      killAllNow();
      console.error(`\nbench failed: ${err && err.stack ? err.stack : err}`);
      process.exit(1);
    },
  );
}

module.exports = {
  runMain,
  spawnApi,
  BENCH_SECRET,
  serviceEnv,
  httpJson,
  root,
  dist,
  acquireLock,
  snapshotDist,
  sleep,
  appliedMigrations,
  freePort,
  freshDatabase,
  sql,
  clearRedisPrefix,
  startChild,
  stopChild,
  track,
  killAllNow,
  measure,
  cannon,
  waitForQuiet,
  foreignCpu,
  table,
  machine,
  tail,
};
