'use strict';
/**
 * A liveness probe in its own process (so the load generator's busy event loop does not
 * delay it): GET `url` every `intervalMs` on a NEW connection each time (as a kubelet or
 * a Docker HEALTHCHECK does), with a `timeoutMs` limit. Forked by bench/perf.js:
 *
 *   fork(__filename, [url, intervalMs, timeoutMs]) → send 'stop' → receives
 *   {type:'result', count, failures, latencies (ms, in order), connects (ms to the TCP
 *   connection, in order: a slow connect is the kernel's accept queue / SYN retries, a slow
 *   answer after a fast connect is the server's event loop), errors (first few)}
 */
const http = require('node:http');

const [url, intervalArg = '100', timeoutArg = '2000'] = process.argv.slice(2);
const intervalMs = Number(intervalArg);
const timeoutMs = Number(timeoutArg);
const latencies = [];
const connects = [];
const errors = [];
let failures = 0;
let inFlight = 0;
let stopping = false;

function probe() {
  const t0 = process.hrtime.bigint();
  inFlight++;
  let done = false;
  let connectMs = NaN;
  const finish = (ok, why) => {
    if (done) return;
    done = true;
    inFlight--;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    latencies.push(ms);
    connects.push(connectMs);
    if (!ok) {
      failures++;
      if (errors.length < 5) errors.push(why);
    }
    if (stopping && inFlight === 0) report();
  };
  const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
    res.resume();
    res.on('end', () => finish(res.statusCode === 200, `status ${res.statusCode}`));
    res.on('error', (err) => finish(false, err.message));
  });
  req.on('socket', (socket) => {
    socket.once('connect', () => (connectMs = Number(process.hrtime.bigint() - t0) / 1e6));
  });
  req.on('timeout', () => {
    req.destroy(new Error(`timeout after ${timeoutMs} ms`));
  });
  req.on('error', (err) => finish(false, err.message));
}

function report() {
  process.send({ type: 'result', count: latencies.length, failures, latencies, connects, errors }, () => process.exit(0));
}

const timer = setInterval(probe, intervalMs);
probe();
process.on('message', (msg) => {
  if (msg !== 'stop') return;
  stopping = true;
  clearInterval(timer);
  if (inFlight === 0) report();
});
process.on('disconnect', () => process.exit(0));
