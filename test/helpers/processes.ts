import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { TEST_ENV } from '../setup/test-env';

export const ROOT = join(__dirname, '..', '..');
export const DIST_MAIN = join(ROOT, 'dist', 'main.js');
export const DIST_WORKER = join(ROOT, 'dist', 'worker.js');

export function assertBuilt(): void {
  if (!existsSync(DIST_MAIN) || !existsSync(DIST_WORKER)) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it for you)');
  }
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a node script to completion (with a deadline) and captures its output. */
export function runNode(script: string, args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...TEST_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Service {
  child: ChildProcess;
  port: number;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals, timeoutMs?: number) => Promise<number | null>;
}

/** Starts dist/main.js or dist/worker.js and waits until it logs that it is ready. */
export async function startService(kind: 'api' | 'worker', env: Record<string, string> = {}, readyTimeoutMs = 30_000): Promise<Service> {
  assertBuilt();
  const port = Number(env.PORT ?? (await freePort()));
  const child = spawn(process.execPath, [kind === 'api' ? DIST_MAIN : DIST_WORKER], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...TEST_ENV,
      LOG_LEVEL: 'info',
      PORT: String(port),
      // a worker serves only /metrics and /health/liveness, on its own port
      ...(kind === 'worker' ? { WORKER_METRICS_PORT: String(port) } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} not ready in ${readyTimeoutMs} ms:\n${out}`)), readyTimeoutMs);
    const check = () => {
      if (out.includes(`floyo ${kind} ready`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code} before ready:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    port,
    output: () => out,
    stop: async (signal = 'SIGTERM', timeoutMs = 30_000) => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
