#!/usr/bin/env node
'use strict';
/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): the top N frames by SELF time with
 * file:line, the top N by INCLUSIVE time (a frame counted once per sample however often it
 * recurses), and self time per package / area. Percentages are of the busy time (all
 * samples except "(idle)"); the idle share is printed separately.
 *
 *   node bench/lib/cpuprofile-top.js <file.cpuprofile> [--top=25] [--filter=regex] [--from=ms] [--to=ms] [--callers=regex [--depth=8]] [--layers]
 *
 * --filter keeps only the inclusive rows whose function or file matches (e.g. "dist/").
 * --callers=regex prints, for the samples whose leaf frame matches, the most common call
 * paths (--depth=8 frames up from the leaf): who is responsible for a hot native frame.
 * --layers also charges every busy sample to one layer of this service's request path
 * (feature layers first: the innermost rate limiter / cache / JWT / logging / helmet / …
 * frame on the stack; else the innermost infrastructure frame: pg, ioredis, Nest, Fastify…).
 * --from / --to keep only the samples in that window (ms since the profile started): e.g.
 * --to=3000 for the boot of a process started with --cpu-prof, --from=… for the load.
 */
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const opt = (name, fallback) => {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};
if (!file) {
  console.error('usage: node bench/lib/cpuprofile-top.js <file.cpuprofile> [--top=25] [--filter=regex]');
  process.exit(2);
}
const TOP = Number(opt('top', 25));
const FILTER = opt('filter', '') ? new RegExp(opt('filter', '')) : null;
const LAYERS = args.includes('--layers');
/** Feature layers (checked first, innermost match wins), then infrastructure layers. */
const FEATURE_LAYERS = [
  ['rate limiter (throttler guard + its Redis calls)', /throttler/],
  ['response cache (incl. its Redis calls)', /response-cache|memory-cache\.store/],
  ['realtime publish (emitter)', /realtime\.service|redis-emitter|notepack/],
  ['pattern analysis queue', /patterns\/analysis\//],
  ['JWT verify', /jsonwebtoken|\/jws\/|\/jwa\/|verifyAccess|createHmac|\bHmac\b/],
  ['request logging (pino, pino-http, redact)', /pino|sonic-boom|@pinojs/],
  ['helmet', /helmet/],
  ['metrics (prom-client)', /prom-client|perf\/observe/],
  ['validation (class-validator/transformer)', /class-validator|class-transformer|validation\.pipe|event-input/],
  ['Swagger / bull-board', /@nestjs\/swagger|bull-board/],
];
const INFRA_LAYERS = [
  ['pg driver (incl. socket writes)', /\/pg\/|pg-protocol|pg-pool|postgres-date|pg-types/],
  ['typeorm', /typeorm/],
  ['DB circuit breaker (cockatiel)', /cockatiel|db-circuit-breaker/],
  ['ioredis (other callers)', /ioredis/],
  ['socket.io', /socket\.io|engine\.io|\/ws\//],
  ['Nest core + rxjs + reflect-metadata', /@nestjs|rxjs|reflect-metadata/],
  ['Fastify (+ cors, compress, middie, router)', /fastify|find-my-way|middie|avvio/],
  ['app code (dist/)', /\.cache\/floyo-bench\/dist|\/dist\//],
  ['module loading (require)', /Module\._compile|Module\._load|wrapSafe/],
  ['node http', /_http_|node:http/],
];
const layerOf = (n) => {
  const name = n.callFrame.functionName;
  if (name === '(garbage collector)' || name === '(program)') return name;
  const stack = [];
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const p = nodes.get(id);
    if (p && p.callFrame.functionName !== '(root)') stack.push(`${p.callFrame.functionName} ${p.callFrame.url}`);
  }
  for (const frame of stack) for (const [layer, re] of FEATURE_LAYERS) if (re.test(frame)) return layer;
  for (const frame of stack) for (const [layer, re] of INFRA_LAYERS) if (re.test(frame)) return layer;
  return 'other (node internals, microtask plumbing, natives)';
};
const CALLERS = opt('callers', '') ? new RegExp(opt('callers', '')) : null;
const DEPTH = Number(opt('depth', 8));
const FROM = Number(opt('from', 0)) * 1000; // µs
const TO = Number(opt('to', Infinity)) * 1000;

const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const shortUrl = (url) => {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + 1);
  const cache = u.indexOf('/.cache/floyo-bench/');
  if (cache >= 0) return u.slice(cache + '/.cache/floyo-bench/'.length);
  const cwd = process.cwd() + path.sep;
  return u.startsWith(cwd) ? u.slice(cwd.length) : u;
};
const keyOf = (n) => {
  const cf = n.callFrame;
  return `${cf.functionName || '(anonymous)'}\t${shortUrl(cf.url)}${cf.url ? `:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : ''}`;
};
/** node_modules/<pkg> (scoped too), the app's own code, node: internals, or a V8 pseudo-frame. */
const areaOf = (n) => {
  const url = n.callFrame.url || '';
  if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native / V8 builtins)';
  const dist = /\/dist\/([^/]+)/.exec(url);
  if (dist && (url.includes('/.cache/floyo-bench/dist/') || !url.includes('/node_modules/'))) {
    return `app: dist/${dist[1].replace(/\.js$/, '')}`;
  }
  const idx = url.lastIndexOf('/node_modules/');
  if (idx >= 0) {
    const parts = url.slice(idx + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node: internals';
  return shortUrl(url);
};

// time per sample: timeDeltas[i] is the time since the previous sample (µs)
const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
const self = new Map();
const inclusive = new Map();
const areas = new Map();
const requires = new Map();
const paths = new Map();
const layers = new Map();
let total = 0;
let idle = 0;
let clock = 0; // µs since the profile started
for (let i = 0; i < samples.length; i++) {
  clock += deltas[i] ?? 0;
  const dt = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0); // the sample lasts until the next one
  if (clock < FROM || clock > TO) continue;
  const n = nodes.get(samples[i]);
  if (!n) continue;
  total += dt;
  if (n.callFrame.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  const k = keyOf(n);
  self.set(k, (self.get(k) ?? 0) + dt);
  if (CALLERS && CALLERS.test(k)) {
    const chain = [];
    for (let id = n.id; id !== undefined && chain.length < DEPTH; id = parent.get(id)) {
      const p = nodes.get(id);
      if (p && p.callFrame.functionName !== '(root)') chain.push(keyOf(p).replace('\t', ' '));
    }
    const key = chain.join('\n        <- ');
    paths.set(key, (paths.get(key) ?? 0) + dt);
  }
  if (LAYERS) {
    const l = layerOf(n);
    layers.set(l, (layers.get(l) ?? 0) + dt);
  }
  const a = areaOf(n);
  areas.set(a, (areas.get(a) ?? 0) + dt);
  // module loading: charge the sample to the OUTERMOST package module being evaluated
  // (a module's top-level code is a frame at line 1, column 1 of its file)
  let outer = null;
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const cf = nodes.get(id)?.callFrame;
    if (cf && cf.lineNumber === 0 && cf.columnNumber === 0 && cf.url.includes('/node_modules/') && !cf.url.includes('/.cache/floyo-bench/'))
      outer = nodes.get(id);
  }
  if (outer) {
    const pkg = areaOf(outer);
    requires.set(pkg, (requires.get(pkg) ?? 0) + dt);
  }
  const seen = new Set();
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const p = nodes.get(id);
    if (!p || p.callFrame.functionName === '(root)') continue;
    const pk = keyOf(p);
    if (seen.has(pk)) continue;
    seen.add(pk);
    inclusive.set(pk, (inclusive.get(pk) ?? 0) + dt);
  }
}
const busy = total - idle;
const pc = (v) => `${((100 * v) / busy).toFixed(1).padStart(5)} %`;
const msOf = (v) => `${(v / 1000).toFixed(0).padStart(7)} ms`;
const print = (title, map, n, filter) => {
  console.log(`\n${title}`);
  const rows = [...map]
    .filter(([k]) => !filter || filter.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
  for (const [k, v] of rows) {
    const [fn, where] = k.split('\t');
    console.log(`${pc(v)} ${msOf(v)}  ${fn}${where ? `  ${where}` : ''}`);
  }
};
console.log(
  `${path.basename(file)}${FROM || TO < Infinity ? ` [${FROM / 1000}..${TO === Infinity ? 'end' : TO / 1000} ms]` : ''}: ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s (idle ${((100 * idle) / (total || 1)).toFixed(0)} %); percentages are of the busy time`,
);
print(`top ${TOP} frames by self time`, self, TOP);
print(`self time by area (package / app folder)`, areas, TOP);
if (LAYERS) print('busy time by layer of the request path', layers, 40);
if (requires.size)
  print('module loading: time inside the top-level code of each package the app required (outermost package)', requires, TOP);
print(`top ${TOP} frames by inclusive time${FILTER ? ` matching ${FILTER}` : ''}`, inclusive, TOP, FILTER);
if (CALLERS) {
  console.log(`\ncall paths of the frames matching ${CALLERS} (leaf first, ${DEPTH} frames)`);
  for (const [k, v] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${pc(v)} ${msOf(v)}  ${k}\n`);
}
