#!/usr/bin/env node
'use strict';
/* global __filename */
/**
 * Nest on Express vs Nest on Fastify, same machine, same run (see bench/README.md; runs in bench/HISTORY.md).
 *
 *   npm run bench:adapter                              # LOG_LEVEL=warn
 *   npm run bench:adapter -- --log-levels=warn,info    # also with per-request log lines
 *
 * For each log level, starts the REAL AppModule from dist/ in a child process, one
 * adapter after the other (never both at once), on a scratch database `floyo_bench`
 * (dropped and re-created at start; migrations apply on boot) and the Redis namespace
 * `floyo-bench:`. Scenarios (autocannon, 32 connections, 8 s, after a 1 s warm-up):
 *   health  GET /health        trivial JSON route (public; its @SkipThrottle() does not
 *                              skip the named throttlers, so 2 Redis calls per request)
 *   me      GET /api/auth/me   bearer token: JWT + guard query + handler query + throttler
 * Prints one table and the Fastify/Express ratio per scenario, then exits 0.
 *
 * Options (or env): --log-levels=warn[,info] (BENCH_LOG_LEVELS), --duration=8,
 * --connections=32, --warmup=1, --order=express,fastify, --max-wait=180 (seconds to
 * wait for other processes to go quiet before each measured run; BENCH_MAX_WAIT),
 * --attempts=3 (a run disturbed by other processes is repeated; BENCH_ATTEMPTS),
 * --rounds=1 (repeat the whole comparison, alternating which adapter goes first, and
 * report medians; BENCH_ROUNDS),
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/floyo_bench),
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379).
 *
 * Internal: `node bench/http-adapter.js --child <fastify|express>` is one server.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const h = require('./lib/harness');

const ADAPTERS = ['express', 'fastify'];
const REDIS_PREFIX = 'floyo-bench:';

function option(name, envName, fallback) {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  return process.env[envName] || fallback;
}

// ---------------------------------------------------------------- child: one server

async function serve(adapter) {
  // The parent going away (even SIGKILLed) closes the IPC channel: never outlive it.
  process.on('disconnect', () => process.exit(0));
  require('reflect-metadata');
  const dist = process.env.BENCH_DIST || h.dist; // the parent's snapshot of dist/
  const { loadConfig } = require(path.join(dist, 'platform', 'config', 'load-config.js'));
  const { AppModule } = require(path.join(dist, 'app.module.js'));
  const config = loadConfig();
  let app;
  if (adapter === 'fastify') {
    // Exactly what dist/main.js does.
    const { NestFactory } = require('@nestjs/core');
    const { createHttpAdapter, configureHttpApp } = require(path.join(dist, 'platform', 'bootstrap', 'http-app.js'));
    app = await NestFactory.create(AppModule, createHttpAdapter(config), { bufferLogs: true, abortOnError: false });
    await configureHttpApp(app, config);
  } else if (adapter === 'express') {
    const { createExpressApp } = require('./lib/express-app');
    app = await createExpressApp(AppModule, config, dist);
  } else {
    throw new Error(`unknown adapter ${adapter}`);
  }
  await app.listen(config.http.port, config.http.host);
  process.send({ type: 'ready', adapter, pid: process.pid, port: config.http.port });
}

// ---------------------------------------------------------------- parent: the benchmark

const json = (...args) => h.httpJson(...args);

/** Registers + logs in a fresh user; checks both routes answer 200 before loading them. */
async function prepare(base, adapter) {
  const email = `bench-${adapter}-${process.pid}-${Date.now()}@example.com`;
  const password = 'bench-Password-123';
  const reg = await json('POST', `${base}/api/auth/register`, { email, password });
  if (reg.status !== 201) throw new Error(`${adapter}: register → ${reg.status} ${JSON.stringify(reg.data)}`);
  const login = await json('POST', `${base}/api/auth/login`, { email, password });
  if (login.status !== 200 || !login.data.access_token) {
    throw new Error(`${adapter}: login → ${login.status} ${JSON.stringify(login.data)}`);
  }
  const auth = { authorization: `Bearer ${login.data.access_token}` };
  const me = await json('GET', `${base}/api/auth/me`, undefined, auth);
  if (me.status !== 200 || me.data.email !== email) throw new Error(`${adapter}: /api/auth/me → ${me.status}`);
  const health = await json('GET', `${base}/health`);
  if (health.status !== 200) throw new Error(`${adapter}: /health → ${health.status}`);
  return { auth, healthHeaders: health.headers, meHeaders: me.headers };
}

/**
 * Did the server write one pino-http "request completed" line per request during the
 * scenario (warm-up and repeats included, so "yes" is at least one per measured request)?
 */
async function accessLogged(logFile, offset, measuredRequests) {
  await h.sleep(300); // pino flushes asynchronously
  const fd = fs.openSync(logFile, 'r');
  let lines = 0;
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = offset;
    let carry = '';
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (!n) break;
      pos += n;
      const text = carry + buf.toString('utf8', 0, n);
      const parts = text.split('\n');
      carry = parts.pop();
      for (const line of parts) if (line.includes('"msg":"request completed"')) lines++;
    }
    if (carry.includes('"msg":"request completed"')) lines++;
  } finally {
    fs.closeSync(fd);
  }
  if (lines === 0) return 'no';
  return lines >= measuredRequests ? 'yes' : 'partial';
}

/** Header names one adapter sends and the other does not (a parity check, printed). */
function headerDiff(a, b) {
  const ignore = new Set(['date', 'connection', 'keep-alive', 'content-length', 'etag']);
  const names = (hs) => new Set([...hs.keys()].map((k) => k.toLowerCase()).filter((k) => !ignore.has(k)));
  const [na, nb] = [names(a), names(b)];
  return { onlyFirst: [...na].filter((k) => !nb.has(k)), onlySecond: [...nb].filter((k) => !na.has(k)) };
}

async function main() {
  const childIdx = process.argv.indexOf('--child');
  if (childIdx !== -1) return serve(process.argv[childIdx + 1]);

  const logLevels = option('log-levels', 'BENCH_LOG_LEVELS', 'warn')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const order = option('order', 'BENCH_ORDER', ADAPTERS.join(','))
    .split(',')
    .map((s) => s.trim());
  const duration = Number(option('duration', 'BENCH_DURATION', '8'));
  const connections = Number(option('connections', 'BENCH_CONNECTIONS', '32'));
  const warmup = Number(option('warmup', 'BENCH_WARMUP', '1'));
  const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/floyo_bench';
  const redisUrl = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
  for (const a of order) if (!ADAPTERS.includes(a)) throw new Error(`--order: unknown adapter "${a}"`);

  const maxWaitMs = Number(option('max-wait', 'BENCH_MAX_WAIT', '180')) * 1000;
  const attempts = Number(option('attempts', 'BENCH_ATTEMPTS', '3'));
  const rounds = Math.max(1, Number(option('rounds', 'BENCH_ROUNDS', '1')));
  h.acquireLock();
  const snapshot = await h.snapshotDist();
  console.log(`machine: ${h.machine()}; load generator (autocannon) on the same host`);
  console.log(`code: dist/ built ${snapshot.builtAt.toISOString()}, copied to ${path.relative(h.root, snapshot.dir)}/`);
  console.log(`autocannon: ${connections} connections, ${duration} s per scenario after a ${warmup} s warm-up`);
  await h.freshDatabase(databaseUrl);
  const cleared = await h.clearRedisPrefix(redisUrl, REDIS_PREFIX);
  console.log(
    `scratch database ${new URL(databaseUrl).pathname.slice(1)} re-created; ${cleared} old Redis key(s) under ${REDIS_PREFIX} removed`,
  );

  const results = [];
  const headersSeen = {};
  const database = new URL(databaseUrl).pathname.slice(1);

  /** One server: boot, prepare a user, run the scenarios, stop. */
  async function runServer(adapter, logLevel, round) {
    const port = await h.freePort();
    const env = {
      ...process.env,
      BENCH_DIST: snapshot.dir,
      ENVIRONMENT: 'test', // migrations run on boot
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: logLevel,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: REDIS_PREFIX,
      SECRET_KEY: 'bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz',
      RATE_LIMIT_PER_MINUTE: '100000000',
      RATE_LIMIT_PER_HOUR: '100000000',
      RATE_LIMIT_AUTH_PER_MINUTE: '100000000',
      CORS_ORIGINS: 'http://localhost:3000',
      MAIL_TRANSPORT: 'log',
    };
    const logFile = path.join(os.tmpdir(), `floyo-bench-${adapter}-${logLevel}.log`);
    const label = rounds > 1 ? `round ${round}: ` : '';
    process.stdout.write(`» ${label}${adapter} (LOG_LEVEL=${logLevel}) booting on :${port} … `);
    const child = await h.startChild(__filename, ['--child', adapter], env, logFile);
    try {
      const applied = await h.appliedMigrations(databaseUrl);
      if (!applied.length) throw new Error('no migrations applied on boot: the schema is empty (is dist/migrations built?)');
      const base = `http://127.0.0.1:${port}`;
      const { auth, healthHeaders } = await prepare(base, adapter);
      headersSeen[adapter] = healthHeaders;
      console.log(`ready (pid ${child.pid}, log ${logFile})`);
      const scenarios = [
        { name: 'GET /health', url: `${base}/health`, headers: {} },
        { name: 'GET /api/auth/me', url: `${base}/api/auth/me`, headers: auth },
      ];
      for (const s of scenarios) {
        const logOffset = fs.statSync(logFile).size;
        const r = await h.measure({
          url: s.url,
          headers: s.headers,
          connections,
          duration,
          warmup,
          pids: [child.pid],
          database,
          quiet: { maxWaitMs },
          attempts,
        });
        r.accessLog = await accessLogged(logFile, logOffset, r.total);
        results.push({ round, adapter, logLevel, scenario: s.name, ...r });
        console.log(
          `   ${s.name.padEnd(18)} ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` +
            `, other processes ${r.bgCores.toFixed(2)} cores, request log lines: ${r.accessLog}`,
        );
      }
    } finally {
      await h.stopChild(child);
    }
  }

  // Adapters strictly one after the other; with several rounds the order alternates.
  for (let round = 1; round <= rounds; round++) {
    const roundOrder = round % 2 ? order : [...order].reverse();
    for (const logLevel of logLevels) for (const adapter of roundOrder) await runServer(adapter, logLevel, round);
  }

  // ---- report
  const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  console.log('\nResults (req/s = mean of per-second samples; latency in ms):\n');
  console.log(
    h.table(
      [
        ...(rounds > 1 ? ['round'] : []),
        'adapter',
        'LOG_LEVEL',
        'scenario',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'non-2xx',
        'bg cpu',
        'req logged',
      ],
      results.map((r) => [
        ...(rounds > 1 ? [r.round] : []),
        r.adapter,
        r.logLevel,
        r.scenario,
        fmt(r.rps),
        fmt(r.p50, 1),
        fmt(r.p99, 1),
        r.errors,
        r.non2xx,
        fmt(r.bgCores, 2),
        r.accessLog,
      ]),
      [...(rounds > 1 ? ['r'] : []), 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  const ratios = [];
  for (const logLevel of logLevels) {
    for (const scenario of [...new Set(results.map((r) => r.scenario))]) {
      const pick = (adapter) =>
        results.filter((r) => r.adapter === adapter && r.logLevel === logLevel && r.scenario === scenario).map((r) => r.rps);
      const [f, e] = [pick('fastify'), pick('express')];
      if (!f.length || !e.length) continue;
      const perRound = f.map((x, i) => x / e[i]).filter(Number.isFinite);
      ratios.push([
        logLevel,
        scenario,
        fmt(median(f)),
        fmt(median(e)),
        `${median(perRound).toFixed(2)}×`,
        ...(rounds > 1 ? [perRound.map((x) => x.toFixed(2)).join(' / ')] : []),
      ]);
    }
  }
  console.log(`\nFastify / Express (req/s${rounds > 1 ? `, medians over ${rounds} rounds` : ''}):\n`);
  console.log(
    h.table(['LOG_LEVEL', 'scenario', 'fastify', 'express', 'ratio', ...(rounds > 1 ? ['ratio per round'] : [])], ratios, [
      'l',
      'l',
      'r',
      'r',
      'r',
      'l',
    ]),
  );

  if (headersSeen.fastify && headersSeen.express) {
    const d = headerDiff(headersSeen.fastify, headersSeen.express);
    console.log(`\nheader parity on GET /health: only fastify: [${d.onlyFirst.join(', ')}]; only express: [${d.onlySecond.join(', ')}]`);
  }
  console.log('bg cpu = cores used by processes outside the benchmark during the measured run (0.00 = quiet machine)');
  console.log('req logged = whether the server wrote a pino-http "request completed" line per request (yes/no/partial)');
  const uneven = logLevels.filter(
    (l) =>
      new Set(results.filter((r) => r.logLevel === l).map((r) => `${r.scenario}:${r.accessLog}`)).size >
      new Set(results.filter((r) => r.logLevel === l).map((r) => r.scenario)).size,
  );
  if (uneven.length) {
    console.log(`NOTE: at LOG_LEVEL=${uneven.join(', ')} the adapters did not log the same requests; compare those rows with care.`);
  }
  const noisy = results.filter((r) => r.bgCores > 0.15);
  if (noisy.length) console.log(`WARNING: ${noisy.length} run(s) shared the machine with other work (bg cpu > 0.15).`);
  const bad = results.filter((r) => r.errors || r.non2xx);
  if (bad.length) console.log(`\nWARNING: ${bad.length} run(s) had errors or non-2xx answers (see the table).`);
}

h.runMain(main, { keepAlive: process.argv.includes('--child') }); // a --child server keeps running
