/**
 * The liveness listener's thread (started by liveness-thread.ts on LIVENESS_PORT).
 *
 * It answers `GET /health/liveness` from its own event loop, so a probe is never queued
 * behind the API's traffic, and it reports the main thread's event loop as the thing that
 * is alive: the main thread stamps a shared clock every LIVENESS_HEARTBEAT_MS; a stamp older
 * than `maxStallMs` (a loop blocked or spinning) answers 503, and the kubelet restarts the pod.
 * Plain node:http only: this file must not load the application (its own V8 heap is small).
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface LivenessThreadData {
  heartbeat: SharedArrayBuffer;
  port: number;
  host: string;
  maxStallMs: number;
}

const { heartbeat, port, host, maxStallMs } = workerData as LivenessThreadData;
const lastBeat = new BigInt64Array(heartbeat);
const JSON_TYPE = 'application/json; charset=utf-8';

function answer(res: http.ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(head ? undefined : text);
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '/').split('?', 1)[0];
  const head = req.method === 'HEAD';
  if (path !== '/health/liveness') return answer(res, 404, { detail: `Not Found: ${path} (this port serves /health/liveness only)` }, head);
  if (req.method !== 'GET' && !head) return answer(res, 405, { detail: `Method ${req.method} not allowed: use GET` }, head);
  const stalledMs = Number((process.hrtime.bigint() - Atomics.load(lastBeat, 0)) / 1_000_000n);
  const timestamp = new Date().toISOString();
  if (stalledMs > maxStallMs) {
    return answer(
      res,
      503,
      { status: 'stalled', detail: `the event loop has not turned for ${stalledMs} ms (limit ${maxStallMs} ms)`, timestamp },
      head,
    );
  }
  answer(res, 200, { status: 'alive', timestamp }, head);
}

/**
 * Bounds on what clients can hold open. A probe sends its request at once on one
 * connection; every open socket costs this thread's small heap, so without a cap a few
 * thousand idle connections ran it out of memory — and a dead thread fails every later
 * probe (the pod restarted by whoever can reach the port). Beyond the cap a connection is
 * closed at once; one idle for 2 s, or that has not sent a whole request within 2 s, is
 * closed.
 */
const MAX_CONNECTIONS = 512;
const REQUEST_DEADLINE_MS = 2_000;

const server = http.createServer(
  {
    headersTimeout: REQUEST_DEADLINE_MS,
    requestTimeout: REQUEST_DEADLINE_MS,
    connectionsCheckingInterval: 500,
    keepAliveTimeout: REQUEST_DEADLINE_MS,
  },
  handle,
);
server.maxConnections = MAX_CONNECTIONS;
// the request deadlines start with a request's first byte: a silent socket is closed by this one
server.timeout = REQUEST_DEADLINE_MS;
server.on('error', (err) => parentPort!.postMessage({ type: 'error', message: err.message }));
server.listen(port, host, () => {
  const address = server.address();
  parentPort!.postMessage({ type: 'listening', port: typeof address === 'object' && address ? address.port : port });
});
