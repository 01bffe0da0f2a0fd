import type { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/load-config';
import { describeBootError } from './boot-errors';

/**
 * Runs an entrypoint with validated config; any boot failure prints one clear message to
 * stderr (which variable, which dependency and how to start it) and exits 1.
 * Invalid configuration stops the boot before anything connects.
 */
export async function runOrExit(name: string, boot: (config: AppConfig) => Promise<void>): Promise<void> {
  let config: AppConfig | undefined;
  try {
    config = loadConfig();
    await boot(config);
    process.stdout.write(
      `${JSON.stringify({ level: 30, time: Date.now(), service: 'floyo', env: config.env, msg: `floyo ${name} ready` })}\n`,
    );
  } catch (err) {
    process.stderr.write(`floyo ${name}: ${describeBootError(err, { database: config?.db.url })}\n`);
    process.exit(1);
  }
}
