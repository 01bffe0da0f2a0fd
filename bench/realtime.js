#!/usr/bin/env node
'use strict';
/**
 * Realtime fan-out benchmark (issue 6). Two API processes (dist/main.js) on the Redis
 * adapter; N Socket.IO clients (default 2,000) spread over both; a publisher in this
 * process emits through @socket.io/redis-emitter — exactly how the worker and the API
 * services emit — to an organization room every client is in, and to each user's room.
 * Prints delivery latency (emit → receipt) p50/p99 across replicas, and API memory per
 * connected socket (RSS growth / sockets per process). Baseline in the same run: the
 * same emit → receipt path through a bare socket.io server + redis adapter (no Nest, no
 * auth) with the same clients.
 *
 *   npm run bench:realtime [-- --clients=2000 --rounds=20]
 */
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const jwt = require('jsonwebtoken');
const { Redis } = require('ioredis');
const { Emitter } = require('@socket.io/redis-emitter');
const { io } = require('socket.io-client');
const h = require('./lib/harness');

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};
const CLIENTS = arg('clients', 2_000);
const ROUNDS = arg('rounds', 20);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/floyo_bench_rt';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'floyo-bench-rt:';
const SECRET = h.BENCH_SECRET;

const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function startApi(dir, port) {
  const env = h.serviceEnv({ port, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, prefix: PREFIX }, { DB_POOL_SIZE: '10' });
  return h.spawnApi(dir, env);
}

/** The baseline server: socket.io + redis adapter, nothing else. */
async function startBare(port) {
  const { Server } = require('socket.io');
  const { createAdapter } = require('@socket.io/redis-adapter');
  const pub = new Redis(REDIS_URL);
  const sub = pub.duplicate();
  const server = http.createServer();
  const ioServer = new Server(server, { transports: ['websocket'], serveClient: false });
  ioServer.adapter(createAdapter(pub, sub, { key: `${PREFIX}bare.socket.io` }));
  ioServer.on('connection', (s) => {
    s.join(['org:bench', `user:${s.handshake.auth.user}`]);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    close: () =>
      new Promise((r) => {
        ioServer.close();
        pub.disconnect();
        sub.disconnect();
        r();
      }),
  };
}

async function connectAll(ports, tokens, auth) {
  const sockets = [];
  const batch = 100;
  for (let i = 0; i < tokens.length; i += batch) {
    const chunk = tokens.slice(i, i + batch).map((tok, j) => {
      const port = ports[(i + j) % ports.length];
      const s = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], auth: auth(tok, i + j), reconnection: false, forceNew: true });
      return new Promise((resolve, reject) => {
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    });
    sockets.push(...(await Promise.all(chunk)));
  }
  return sockets;
}

async function measureFanout(sockets, emitter, users) {
  const lat = [];
  for (const s of sockets) s.on('notification', (p) => lat.push(Date.now() - p.sent_at));
  // org-wide: one emit, every socket receives it
  for (let r = 0; r < ROUNDS; r++) {
    const before = lat.length;
    emitter
      .to('org:bench')
      .emit('notification', { message: 'bench', sent_at: Date.now(), event_id: randomUUID(), timestamp: new Date().toISOString() });
    const deadline = Date.now() + 10_000;
    while (lat.length < before + sockets.length && Date.now() < deadline) await h.sleep(5);
  }
  const orgWide = lat.splice(0).sort((a, b) => a - b);
  // per user: one emit per user room (the everyday case)
  for (let r = 0; r < Math.max(1, Math.floor(ROUNDS / 4)); r++) {
    const before = lat.length;
    for (const u of users) emitter.to(`user:${u}`).emit('notification', { message: 'bench', sent_at: Date.now() });
    const deadline = Date.now() + 10_000;
    while (lat.length < before + sockets.length && Date.now() < deadline) await h.sleep(5);
  }
  const perUser = lat.splice(0).sort((a, b) => a - b);
  for (const s of sockets) s.off('notification');
  return { orgWide, perUser };
}

async function main() {
  h.acquireLock('realtime');
  const { Client } = require('pg');
  const apis = [];
  let sockets = [];
  try {
    const { dir } = await h.snapshotDist();
    await h.freshDatabase(DATABASE_URL);
    await h.clearRedisPrefix(REDIS_URL, PREFIX);
    const ports = [await h.freePort(), await h.freePort()];
    console.log(`» machine: ${h.machine()}`);
    for (const p of ports) apis.push(await startApi(dir, p));
    const idle = apis.map((a) => rssMb(a.pid));

    // users, sessions and one organization, straight in SQL (registration would spend
    // minutes in argon2); access tokens signed with the servers' key.
    const pg = new Client({ connectionString: DATABASE_URL });
    await pg.connect();
    const users = (
      await pg.query(
        `INSERT INTO users (email, password_hash) SELECT 'rt-' || g || '@bench.local', 'x' FROM generate_series(1, $1) g RETURNING id`,
        [CLIENTS],
      )
    ).rows.map((r) => r.id);
    const sessions = (
      await pg.query(
        `INSERT INTO user_sessions (user_id, expires_at) SELECT u, now() + interval '1 day' FROM unnest($1::uuid[]) u RETURNING id, user_id`,
        [users],
      )
    ).rows;
    const org = (await pg.query(`INSERT INTO organizations (name, slug) VALUES ('bench', 'bench-${Date.now()}') RETURNING id`)).rows[0].id;
    await pg.query(`INSERT INTO organization_members (organization_id, user_id, role) SELECT $1, u, 'member' FROM unnest($2::uuid[]) u`, [
      org,
      users,
    ]);
    await pg.end();
    const tokens = sessions.map((s) =>
      jwt.sign({ sid: s.id, type: 'access' }, SECRET, { subject: s.user_id, expiresIn: 3600, algorithm: 'HS256' }),
    );

    console.log(`» connecting ${CLIENTS} clients across 2 API processes`);
    const t0 = Date.now();
    sockets = await connectAll(ports, tokens, (tok) => ({ token: tok }));
    const connectSecs = (Date.now() - t0) / 1000;
    await h.sleep(1_000);
    const loaded = apis.map((a) => rssMb(a.pid));
    const emitterClient = new Redis(REDIS_URL);
    // the service's org room is org:<uuid>; the bare baseline uses org:bench
    const svcEmitter = new Emitter(emitterClient, { key: `${PREFIX}socket.io` });
    const svc = await measureFanout(sockets, { to: (room) => svcEmitter.to(room === 'org:bench' ? `org:${org}` : room) }, users);
    for (const s of sockets) s.close();
    sockets = [];

    console.log('» baseline: bare socket.io + redis adapter, same clients');
    const barePorts = [await h.freePort(), await h.freePort()];
    const bare = await Promise.all(barePorts.map(startBare));
    sockets = await connectAll(barePorts, users, (_tok, i) => ({ user: users[i] }));
    const baseline = await measureFanout(sockets, new Emitter(emitterClient, { key: `${PREFIX}bare.socket.io` }), users);
    for (const s of sockets) s.close();
    sockets = [];
    await Promise.all(bare.map((b) => b.close()));
    emitterClient.disconnect();

    const perProc = CLIENTS / 2;
    console.log('\nResults\n');
    console.log(
      h.table(
        ['measure', 'service', 'baseline (bare socket.io)', 'ratio'],
        [
          [
            'org-wide emit → receipt p50',
            `${pct(svc.orgWide, 50)} ms`,
            `${pct(baseline.orgWide, 50)} ms`,
            (pct(svc.orgWide, 50) / Math.max(1, pct(baseline.orgWide, 50))).toFixed(2),
          ],
          [
            'org-wide emit → receipt p99',
            `${pct(svc.orgWide, 99)} ms`,
            `${pct(baseline.orgWide, 99)} ms`,
            (pct(svc.orgWide, 99) / Math.max(1, pct(baseline.orgWide, 99))).toFixed(2),
          ],
          [
            'per-user emit → receipt p50',
            `${pct(svc.perUser, 50)} ms`,
            `${pct(baseline.perUser, 50)} ms`,
            (pct(svc.perUser, 50) / Math.max(1, pct(baseline.perUser, 50))).toFixed(2),
          ],
          [
            'per-user emit → receipt p99',
            `${pct(svc.perUser, 99)} ms`,
            `${pct(baseline.perUser, 99)} ms`,
            (pct(svc.perUser, 99) / Math.max(1, pct(baseline.perUser, 99))).toFixed(2),
          ],
          ['deliveries measured', `${svc.orgWide.length + svc.perUser.length}`, `${baseline.orgWide.length + baseline.perUser.length}`, ''],
          ['connect all clients', `${connectSecs.toFixed(1)} s`, '', ''],
          ['API RSS idle → with clients', apis.map((_, i) => `${idle[i].toFixed(0)}→${loaded[i].toFixed(0)} MB`).join(', '), '', ''],
          ['API memory per socket', `${(((loaded[0] - idle[0] + loaded[1] - idle[1]) / 2 / perProc) * 1024).toFixed(1)} KB`, '', ''],
        ],
        ['l', 'r', 'r', 'r'],
      ),
    );
  } finally {
    for (const s of sockets) s.close();
    for (const a of apis) a.kill('SIGTERM');
  }
}

h.runMain(main);
