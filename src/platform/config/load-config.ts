import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import { readFileSync } from 'node:fs';
import { AppConfig } from './app-config';
import { validateEnv } from './validate-env';

/** Reads `.env` (if present) under the real environment: variables already set win. */
function readRawEnv(envFile = resolve(process.cwd(), '.env')): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parse(readFileSync(envFile)) : {};
  return { ...fromFile, ...process.env };
}

/**
 * Loads and validates configuration outside Nest (entrypoints before the app exists,
 * the typeorm CLI, scripts). Throws ConfigValidationError naming every bad variable.
 */
export function loadConfig(overrides: Record<string, string | undefined> = {}): AppConfig {
  return new AppConfig(validateEnv({ ...readRawEnv(), ...overrides }), packageVersion());
}

let cachedVersion: string | undefined;
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  // src/platform/config and dist/platform/config are both three levels below the root
  for (const candidate of [resolve(__dirname, '../../../package.json')]) {
    if (existsSync(candidate)) {
      cachedVersion = (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
      return cachedVersion;
    }
  }
  return '0.0.0';
}
