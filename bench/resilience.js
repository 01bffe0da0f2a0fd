#!/usr/bin/env node
'use strict';
/**
 * Overhead of the resilience layer (issue 7) on an authenticated read: the same built
 * API (dist/main.js) measured twice in one run — with the database circuit breaker, the
 * Redis rate limiter and per-request metrics on (production), and with all three off
 * (DB_BREAKER_ENABLED / RATE_LIMIT_ENABLED / METRICS_ENABLED=false) — on
 * GET /api/auth/me (JWT + one indexed query). autocannon, 32 connections, 8 s after a
 * 1 s warm-up, alternating which goes first per round.
 *
 *   npm run bench:resilience [-- --rounds=2]
 */
const h = require('./lib/harness');

const ROUNDS = Number((process.argv.find((a) => a.startsWith('--rounds=')) ?? '--rounds=2').split('=')[1]);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/floyo_bench_res';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'floyo-bench-res:';

const VARIANTS = {
  on: { DB_BREAKER_ENABLED: 'true', RATE_LIMIT_ENABLED: 'true', METRICS_ENABLED: 'true' },
  off: { DB_BREAKER_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false', METRICS_ENABLED: 'false' },
};

function startApi(dir, port, extra) {
  const env = h.serviceEnv({ port, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, prefix: PREFIX }, extra);
  return h.spawnApi(dir, env);
}

const stop = (child) =>
  new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

async function main() {
  h.acquireLock('resilience');
  const { dir } = await h.snapshotDist();
  await h.freshDatabase(DATABASE_URL);
  await h.clearRedisPrefix(REDIS_URL, PREFIX);
  console.log(`» machine: ${h.machine()}`);
  const results = { on: [], off: [] };
  let token;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? ['off', 'on'] : ['on', 'off'];
    for (const variant of order) {
      const port = await h.freePort();
      const child = await startApi(dir, port, VARIANTS[variant]);
      try {
        const base = `http://127.0.0.1:${port}`;
        if (!token) {
          const email = `res-${Date.now()}@example.com`;
          await h.httpJson('POST', `${base}/api/auth/register`, { email, password: 'bench password 123' });
          token = (await h.httpJson('POST', `${base}/api/auth/login`, { email, password: 'bench password 123' })).data.access_token;
        }
        const r = await h.measure({
          url: `${base}/api/auth/me`,
          headers: { authorization: `Bearer ${token}` },
          pids: [child.pid],
          database: 'floyo_bench_res',
        });
        console.log(
          `   ${variant.padEnd(3)} round ${round + 1}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}`,
        );
        results[variant].push(r);
      } finally {
        await stop(child);
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const on = median(results.on.map((r) => r.rps));
  const off = median(results.off.map((r) => r.rps));
  console.log('\nResults (median of rounds)\n');
  console.log(
    h.table(
      ['GET /api/auth/me', 'req/s', 'p50 ms', 'p99 ms'],
      [
        ['breaker + limiter + metrics ON', on.toFixed(0), median(results.on.map((r) => r.p50)), median(results.on.map((r) => r.p99))],
        ['all three OFF (baseline)', off.toFixed(0), median(results.off.map((r) => r.p50)), median(results.off.map((r) => r.p99))],
        ['ratio ON / OFF', (on / off).toFixed(2), '', ''],
      ],
      ['l', 'r', 'r', 'r'],
    ),
  );
}

h.runMain(main);
