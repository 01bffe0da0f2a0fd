'use strict';
/**
 * The built worker (`<BENCH_WORKER_DIST>/worker.js`, unchanged) in a child process that
 * also talks to the benchmark over IPC. Used by bench/analysis.js through
 * harness.startChild:
 * - {type:'ready'} once the worker printed `floyo worker ready` (its own boot line);
 * - {type:'memory', rss, heapUsed, ...} (process.memoryUsage()) every 200 ms;
 * - on {type:'profile:start'} / {type:'profile:stop', file} it records a V8 CPU profile of
 *   this process (node:inspector) between the two and answers {type:'profile', file}.
 * Nothing else is added: the worker boots, processes its queues and shuts down (SIGTERM)
 * exactly as `node dist/worker.js` does.
 */
const fs = require('node:fs');
const path = require('node:path');

const dist = process.env.BENCH_WORKER_DIST;
if (!dist) throw new Error('BENCH_WORKER_DIST is not set');

const send = (msg) => {
  if (process.connected) process.send(msg);
};

// The ready line is written by dist/bootstrap/run-or-exit.js with process.stdout.write.
let ready = false;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (!ready && String(chunk).includes('floyo worker ready')) {
    ready = true;
    setImmediate(() => send({ type: 'ready', pid: process.pid }));
  }
  return write(chunk, ...rest);
};

setInterval(() => send({ type: 'memory', at: Date.now(), ...process.memoryUsage() }), 200).unref();

let session = null;
process.on('message', (msg) => {
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'profile:start' && !session) {
    const inspector = require('node:inspector');
    session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: 1000 }, () =>
        session.post('Profiler.start', () => send({ type: 'profile:started' })),
      ),
    );
  } else if (msg.type === 'profile:stop' && session) {
    session.post('Profiler.stop', (err, result) => {
      if (!err) fs.writeFileSync(msg.file, JSON.stringify(result.profile));
      session.disconnect();
      session = null;
      send({ type: 'profile', file: err ? null : msg.file, error: err ? String(err.message ?? err) : null });
    });
  }
});
// The parent is gone: nothing may outlive it.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));

require(path.join(dist, 'worker.js'));
