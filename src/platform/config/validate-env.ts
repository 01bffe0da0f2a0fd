import { envSchema } from './env.schema';
import type { Env } from './env.types';

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates raw environment variables against the Joi schema (all problems at once,
 * production rules included) and returns the typed, defaulted values.
 * Used by @nestjs/config (`validate`) and by the typeorm CLI data source.
 */
export function validateEnv(raw: Record<string, unknown>): Env {
  const { error, value } = envSchema.validate(raw, {
    abortEarly: false,
    allowUnknown: true,
    stripUnknown: true,
    convert: true,
  });
  if (error) {
    const problems = error.details.map((d) => {
      // a rule over the whole environment names its variable at the start of its message
      const key = String(d.path[0] ?? d.context?.key ?? /^"([A-Z0-9_]+)"/.exec(d.message)?.[1] ?? '?');
      const msg = d.message.replace(/^"[^"]+" /, '');
      return `${key}: ${msg}`;
    });
    throw new ConfigValidationError([...new Set(problems)]);
  }
  return value as Env;
}
