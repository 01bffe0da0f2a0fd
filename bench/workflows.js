#!/usr/bin/env node
'use strict';
/* global fetch */
/**
 * Workflow execution benchmark (issue 5). Prints, from one run:
 *   1. executions/s of a one-step workflow (`delay: 0`) through API → Bull → worker →
 *      completed, beside a baseline measured in the same run: bare Bull (add + process
 *      no-op jobs with the same concurrency, same Redis) — the ceiling of the queue itself;
 *   2. the delay between a schedule's due time and its execution start (p50/p99) with
 *      1,000 workflows due at the same instant, beside the ticker period (the bound the
 *      design promises).
 *
 *   npm run bench:workflows [-- --executions=2000 --scheduled=1000 --concurrency=32]
 *
 * Runs the built service (dist/, copied first), PostgreSQL and Redis on localhost.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const h = require('./lib/harness');

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};
const EXECUTIONS = arg('executions', 2_000);
const SCHEDULED = arg('scheduled', 1_000);
const CONCURRENCY = arg('concurrency', 32);
const WORKER_CONCURRENCY = arg('worker-concurrency', 5);
const TICK_MS = arg('tick-ms', 1_000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/floyo_bench_wf';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'floyo-bench-wf:';

function startProcess(dir, entry, env, name) {
  const child = spawn(process.execPath, [path.join(dir, entry)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready:\n${out.slice(-2000)}`)), 60_000);
    child.stdout.on('data', () => {
      if (out.includes(`floyo ${name} ready`)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${out.slice(-2000)}`)));
  });
}

const stop = (child) =>
  new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => (clearTimeout(t), resolve()));
    child.kill('SIGTERM');
  });

async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function bareBull(n) {
  const Bull = require('bull');
  const queue = new Bull('bare', REDIS_URL, { prefix: `${PREFIX}bare` });
  await queue.isReady();
  await queue.empty();
  let done = 0;
  let resolveAll;
  const all = new Promise((r) => (resolveAll = r));
  void queue.process('noop', WORKER_CONCURRENCY, async () => {
    if (++done === n) resolveAll();
    return null;
  });
  const started = Date.now();
  await pool(n, CONCURRENCY, (i) => queue.add('noop', { i }, { removeOnComplete: true }));
  await all;
  const seconds = (Date.now() - started) / 1000;
  await queue.close();
  return n / seconds;
}

async function main() {
  h.acquireLock('workflows');
  const { Client } = require('pg');
  const children = [];
  try {
    const { dir } = await h.snapshotDist();
    await h.freshDatabase(DATABASE_URL);
    await h.clearRedisPrefix(REDIS_URL, PREFIX);
    const port = await h.freePort();
    const env = h.serviceEnv(
      { port, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, prefix: PREFIX },
      // one bench user owns every execution: its per-owner cap is lifted to the worker's slots,
      // so the pipeline is measured, not the fairness rule (2 at once per owner by default)
      {
        WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
        WORKFLOW_MAX_RUNNING_PER_OWNER: String(WORKER_CONCURRENCY),
        WORKFLOW_TICK_INTERVAL_MS: String(TICK_MS),
        DB_POOL_SIZE: '10',
      },
    );
    console.log(`» machine: ${h.machine()}`);
    console.log(`» baseline: bare Bull, ${EXECUTIONS} no-op jobs, concurrency ${WORKER_CONCURRENCY}`);
    const baseline = await bareBull(EXECUTIONS);

    console.log('» starting dist/main.js and dist/worker.js');
    children.push(await startProcess(dir, 'main.js', env, 'api'));
    children.push(await startProcess(dir, 'worker.js', env, 'worker'));
    const base = `http://127.0.0.1:${port}`;
    const json = async (p, body, token) => {
      const res = await fetch(base + p, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const email = `bench-${Date.now()}@example.com`;
    const user = await json('/api/auth/register', { email, password: 'bench password 123' });
    const { access_token: token } = await json('/api/auth/login', { email, password: 'bench password 123' });
    const wf = await json('/api/workflows', { name: 'bench', steps: [{ type: 'delay', ms: 0 }] }, token);

    const pg = new Client({ connectionString: DATABASE_URL });
    await pg.connect();
    const completed = async () =>
      (await pg.query(`SELECT count(*)::int AS n FROM workflow_executions WHERE workflow_id = $1 AND status = 'completed'`, [wf.id]))
        .rows[0].n;

    console.log(`» ${EXECUTIONS} executions through API → queue → worker (${CONCURRENCY} concurrent requests)`);
    const started = Date.now();
    await pool(EXECUTIONS, CONCURRENCY, () => json(`/api/workflows/${wf.id}/execute`, {}, token));
    const accepted = Date.now();
    while ((await completed()) < EXECUTIONS) await h.sleep(100);
    const finished = Date.now();
    const eps = EXECUTIONS / ((finished - started) / 1000);
    const acceptRps = EXECUTIONS / ((accepted - started) / 1000);

    console.log(`» ${SCHEDULED} scheduled workflows due at the same instant (ticker every ${TICK_MS} ms)`);
    await pg.query(
      `INSERT INTO workflows (user_id, name, steps, schedule_config, is_active, version, next_run_at)
       SELECT $1, 'sched-' || g, '[{"id":"s","type":"delay","ms":0,"retries":0,"continue_on_error":false}]'::jsonb,
              '{"type":"interval","interval":3600}'::jsonb, true, 1, date_trunc('second', now()) + interval '3 seconds'
         FROM generate_series(1, $2) g`,
      [user.id, SCHEDULED],
    );
    const scheduledDone = async () =>
      (await pg.query(`SELECT count(*)::int AS n FROM workflow_executions WHERE trigger_type = 'schedule' AND started_at IS NOT NULL`))
        .rows[0].n;
    const deadline = Date.now() + 120_000;
    while ((await scheduledDone()) < SCHEDULED && Date.now() < deadline) await h.sleep(200);
    const lags = (
      await pg.query(
        `SELECT extract(epoch FROM started_at - scheduled_for) * 1000 AS ms FROM workflow_executions
          WHERE trigger_type = 'schedule' AND started_at IS NOT NULL ORDER BY 1`,
      )
    ).rows.map((r) => Number(r.ms));
    await pg.end();

    console.log('\nResults\n');
    console.log(
      h.table(
        ['scenario', 'service', 'baseline', 'ratio'],
        [
          [
            `executions/s (${EXECUTIONS}, delay 0, 1 worker × ${WORKER_CONCURRENCY})`,
            eps.toFixed(0),
            `${baseline.toFixed(0)} (bare Bull)`,
            (eps / baseline).toFixed(2),
          ],
          ['execute requests accepted/s (API only)', acceptRps.toFixed(0), '', ''],
          [
            `schedule due → start p50 (${lags.length}/${SCHEDULED} started)`,
            `${pct(lags, 50).toFixed(0)} ms`,
            `${TICK_MS} ms (tick)`,
            (pct(lags, 50) / TICK_MS).toFixed(2),
          ],
          ['schedule due → start p99', `${pct(lags, 99).toFixed(0)} ms`, `${TICK_MS} ms (tick)`, (pct(lags, 99) / TICK_MS).toFixed(2)],
        ],
        ['l', 'r', 'r', 'r'],
      ),
    );
  } finally {
    await Promise.all(children.map(stop));
  }
}

h.runMain(main);
