import type { INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/load-config';
import { describeBootError } from './boot-errors';

const log = (level: number, msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), service: 'floyo', msg, ...extra })}\n`);

/**
 * Runs an entrypoint with validated config.
 * - Any boot failure prints one clear message to stderr (which variable, which dependency
 *   and how to start it) and exits 1. Invalid configuration stops before anything connects.
 * - SIGTERM/SIGINT close the app (Nest shutdown hooks: readiness flips, servers and pools
 *   close) and exit 0, or 1 if that takes longer than SHUTDOWN_GRACE_MS.
 */
export async function runOrExit(
  name: string,
  boot: (config: AppConfig) => Promise<INestApplicationContext>,
): Promise<void> {
  let config: AppConfig | undefined;
  let app: INestApplicationContext;
  try {
    config = loadConfig();
    app = await boot(config);
  } catch (err) {
    process.stderr.write(`floyo ${name}: ${describeBootError(err, { database: config?.db.url })}\n`);
    process.exit(1);
  }
  log(30, `floyo ${name} ready`, { env: config.env });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(30, `floyo ${name} stopping (${signal})`);
    const deadline = setTimeout(() => {
      log(50, `floyo ${name}: shutdown exceeded ${config!.http.shutdownGraceMs} ms, exiting`);
      process.exit(1);
    }, config!.http.shutdownGraceMs);
    deadline.unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        log(50, `floyo ${name}: error during shutdown: ${err.message}`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
