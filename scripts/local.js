#!/usr/bin/env node
/**
 * Local runner behind `npm start` and `npm test`. It uses only Node's standard library
 * until dependencies are installed, so both commands work from a fresh clone:
 *
 *   npm start  — install what is missing, check PostgreSQL and Redis, create the database
 *                if needed, build, then run the API and the worker together (migrations
 *                apply on boot in development). Ctrl-C stops both.
 *   npm test   — install what is missing, check PostgreSQL and Redis, build (some tests
 *                start dist/main.js and dist/worker.js), run the whole Jest suite on a
 *                freshly created test database, then the serial tests (they restart the
 *                local PostgreSQL). Extra arguments go to Jest.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const [command, ...rest] = process.argv.slice(2);

const DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/floyo',
  REDIS_URL: 'redis://127.0.0.1:6379',
  TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/floyo_test',
  TEST_REDIS_URL: 'redis://127.0.0.1:6379/0',
};

function dotenv() {
  const file = path.join(root, '.env');
  if (!fs.existsSync(file)) return {};
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}
const fileEnv = dotenv();
const setting = (key) => process.env[key] || fileEnv[key] || DEFAULTS[key];

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('» installing dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function ensureBuilt() {
  const built = path.join(root, 'dist', 'main.js');
  const stamp = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'migrations')));
  if (stamp >= sources && fs.existsSync(path.join(root, 'dist', 'worker.js'))) return;
  console.log('» building (npm run build)');
  run('npm', ['run', '--silent', 'build']);
}

function reachable(url, fallbackPort) {
  const u = new URL(url);
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || fallbackPort);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve({ ok, host, port });
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** docker-compose.yml has no default secrets: Compose refuses even `up -d postgres` until they are set. */
const COMPOSE_KEYS_HINT =
  'Compose first needs SECRET_KEY, ENCRYPTION_KEY and MINIO_ROOT_PASSWORD in the shell or in .env; the one-line command at the top of docker-compose.yml makes them.';

async function ensureServices(databaseUrl, redisUrl) {
  const [pg, redis] = await Promise.all([reachable(databaseUrl, 5432), reachable(redisUrl, 6379)]);
  const problems = [];
  if (!pg.ok) {
    problems.push(
      `PostgreSQL is not reachable at ${pg.host}:${pg.port}. Start it with \`docker compose up -d postgres\` ` +
        `(or your local server, e.g. \`pg_ctlcluster 15 main start\`), or set DATABASE_URL. ${COMPOSE_KEYS_HINT}`,
    );
  }
  if (!redis.ok) {
    problems.push(
      `Redis is not reachable at ${redis.host}:${redis.port}. Start it with \`docker compose up -d redis\` ` +
        `(or \`redis-server --daemonize yes\`), or set REDIS_URL. ${COMPOSE_KEYS_HINT}`,
    );
  }
  if (problems.length) {
    for (const p of problems) console.error(`✗ ${p}`);
    process.exit(1);
  }
}

async function ensureDatabase(url) {
  const { Client } = require(path.join(root, 'node_modules', 'pg'));
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      console.log(`» creating database ${name}`);
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/** Node flags per process, as the Dockerfile / k8s commands run them (docs/operations.md, "Memory"). */
const NODE_FLAGS = { main: ['--max-old-space-size=256'], worker: [] };

function supervise() {
  const children = ['main', 'worker'].map((entry) => {
    const child = spawn(process.execPath, [...NODE_FLAGS[entry], path.join(root, 'dist', `${entry}.js`)], { cwd: root, stdio: 'inherit' });
    child.entry = entry;
    return child;
  });
  let stopping = false;
  let exitCode = 0;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill(signal);
    setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }, 30_000).unref();
  };
  for (const c of children) {
    c.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`» ${c.entry} exited (${signal ?? code}); stopping the other process`);
        exitCode = code || 1;
        stop('SIGTERM');
      }
      if (children.every((x) => x.exitCode !== null || x.signalCode !== null)) process.exit(exitCode);
    });
  }
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main() {
  if (command === 'start') {
    ensureDependencies();
    const databaseUrl = setting('DATABASE_URL');
    await ensureServices(databaseUrl, setting('REDIS_URL'));
    await ensureDatabase(databaseUrl);
    ensureBuilt();
    process.env.DATABASE_URL = databaseUrl;
    process.env.REDIS_URL = setting('REDIS_URL');
    supervise();
  } else if (command === 'test') {
    ensureDependencies();
    await ensureServices(setting('TEST_DATABASE_URL'), setting('TEST_REDIS_URL'));
    ensureBuilt();
    const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
    run(process.execPath, [jest, ...rest]);
    // Tests that restart the shared PostgreSQL run alone, after everything else
    // (skipped when Jest got a file filter that does not name them).
    if (!rest.length || rest.some((a) => a.includes('serial'))) {
      run(process.execPath, [jest, '--config', 'jest.serial.config.js', ...rest.filter((a) => a.includes('serial'))]);
    }
  } else {
    console.error('usage: node scripts/local.js start|test [jest args]');
    process.exit(2);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
