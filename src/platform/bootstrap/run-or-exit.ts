import type { INestApplicationContext } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '@/platform/config/app-config';
import { loadConfig } from '@/platform/config/load-config';
import { describeBootError } from './boot-errors';

const log = (level: number, msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), service: 'floyo', msg, ...extra })}\n`);

export interface Booted {
  app: INestApplicationContext;
  /** Runs on SIGTERM before the app closes (the API: readiness 503, then the drain delay). */
  drain?: () => Promise<void>;
}

/**
 * Runs an entrypoint with validated config.
 * - Any boot failure prints one clear message to stderr (which variable, which dependency
 *   and how to start it) and exits 1. Invalid configuration stops before anything connects.
 * - SIGTERM/SIGINT: drain (if any), close the app (servers, sockets, queues — waiting for
 *   running jobs —, pools) and exit 0; if all that exceeds SHUTDOWN_GRACE_MS, exit 1.
 */
export async function runOrExit(name: string, boot: (config: AppConfig) => Promise<Booted>): Promise<void> {
  let config: AppConfig | undefined;
  let booted: Booted;
  try {
    config = loadConfig();
    booted = await boot(config);
  } catch (err) {
    process.stderr.write(`floyo ${name}: ${describeBootError(err, { database: config?.db.url })}\n`);
    process.exit(1);
  }
  log(30, `floyo ${name} ready`, { env: config.env });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config!.http.shutdownGraceMs;
    log(30, `floyo ${name} stopping (${signal})`);
    setTimeout(() => {
      log(50, `floyo ${name}: shutdown exceeded ${graceMs} ms, exiting`);
      process.exit(1);
    }, graceMs).unref();
    (async () => {
      await booted.drain?.();
      await booted.app.close();
    })().then(
      () => process.exit(0),
      (err: Error) => {
        log(50, `floyo ${name}: error during shutdown: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** The API's drain: not-ready at once, keep serving for SHUTDOWN_DRAIN_MS. */
export function drainFor(ms: number, beginShutdown: () => void): () => Promise<void> {
  return async () => {
    beginShutdown();
    if (ms > 0) await sleep(ms);
  };
}
