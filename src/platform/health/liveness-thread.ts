import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LivenessThreadData } from './liveness-thread.worker';

/** How often the main thread stamps the shared clock the liveness thread reads. */
const LIVENESS_HEARTBEAT_MS = 100;

export interface LivenessThread {
  /** The port it listens on (the configured one, or the one the OS chose for 0 in tests). */
  readonly port: number;
  stop(): Promise<void>;
}

export interface LivenessThreadOptions {
  port: number;
  host: string;
  maxStallMs: number;
  /** Called if the thread dies after it started (its probe then fails: the pod is restarted). */
  onFailure?: (err: Error) => void;
}

/**
 * Serves `GET /health/liveness` on its own port from a worker thread (LIVENESS_PORT).
 *
 * Under overload the API's event loop turns slowly (every queued request runs in each turn)
 * and a probe on the API port waits for it — the kubelet would then restart pods that are
 * only busy, the classic restart cascade. This listener answers from its own loop within a
 * millisecond whatever the load, and still fails when the main loop is really stuck: it
 * answers 503 once the main thread's heartbeat is older than `maxStallMs`.
 */
export function startLivenessThread(options: LivenessThreadOptions): Promise<LivenessThread> {
  const heartbeat = new SharedArrayBuffer(8);
  const lastBeat = new BigInt64Array(heartbeat);
  const beat = () => Atomics.store(lastBeat, 0, process.hrtime.bigint());
  beat();
  const timer = setInterval(beat, LIVENESS_HEARTBEAT_MS);
  timer.unref();

  const workerData: LivenessThreadData = { heartbeat, port: options.port, host: options.host, maxStallMs: options.maxStallMs };
  const worker = new Worker(join(__dirname, 'liveness-thread.worker.js'), {
    workerData,
    // a tiny isolate: it holds one HTTP server and nothing else
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2, stackSizeMb: 1 },
    // none of the API's node flags (--cpu-prof would write its profile under the same name)
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  worker.unref();

  let stopping = false;
  let started = false;
  let failed = false;
  return new Promise<LivenessThread>((resolve, reject) => {
    // a dying thread reports twice ('error', then 'exit'): the first one counts
    const fail = (err: Error) => {
      clearInterval(timer);
      if (stopping || failed) return;
      failed = true;
      if (!started) return reject(new Error(`liveness listener on ${options.host}:${options.port}: ${err.message}`));
      options.onFailure?.(err);
    };
    worker.on('message', (msg: { type: string; port?: number; message?: string }) => {
      if (msg.type === 'error') {
        fail(new Error(msg.message));
        void worker.terminate();
      } else if (msg.type === 'listening' && !started) {
        started = true;
        resolve({
          port: msg.port!,
          stop: async () => {
            stopping = true;
            clearInterval(timer);
            await worker.terminate();
          },
        });
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`thread exited with code ${code}`)));
  });
}
