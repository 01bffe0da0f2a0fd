/**
 * Operators' feature-flag CLI: works without the API (straight to PostgreSQL), writes the
 * audit row, and drops the flag's Redis cache so every replica sees the change at once.
 *
 *   npm run flags -- list
 *   npm run flags -- set enable_user_registration off
 *   npm run flags -- rollout enable_new_editor 25
 *
 * In the production image (no dev dependencies): `node dist/cli/flags.js <command>`.
 * Exit codes: 0 done, 1 failed (unknown flag, database unreachable), 2 usage.
 */
import 'reflect-metadata';
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AuditRepository, AuditService } from '@/domains/audit';
import type { AppConfig } from '@/platform/config/app-config';
import { loadConfig } from '@/platform/config/load-config';
import { buildDataSourceOptions } from '@/platform/database/data-source.options';
import { Sql } from '@/platform/database/sql';
import { Transactions } from '@/platform/database/transactions';
import { ENTITIES } from '../entities';
import { FeatureFlagsRepository } from '@/domains/feature-flags';
import { flagCacheKey, type FlagChanges, updateFlag } from '@/domains/feature-flags';

const USAGE = `usage:
  flags list                         every flag: state, rollout, overrides
  flags set <name> on|off            switch a flag (e.g. a kill switch) on or off
  flags rollout <name> <0-100>       set the rollout percentage`;

class UsageError extends Error {}

export interface CliOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs one command; returns the process exit code. */
export async function runFlagsCli(argv: string[], io: CliOutput = stdio, config: AppConfig = loadConfig()): Promise<number> {
  let command: () => Promise<number>;
  let dataSource: DataSource | undefined;
  const db = async () => {
    dataSource = await new DataSource(buildDataSourceOptions(config, 'app', ENTITIES)).initialize();
    return dataSource;
  };
  try {
    command = parse(argv, io, config, db);
  } catch (err) {
    io.err((err as Error).message);
    io.err(USAGE);
    return 2;
  }
  try {
    return await command();
  } catch (err) {
    io.err(`flags: ${(err as Error).message}`);
    return 1;
  } finally {
    await dataSource?.destroy();
  }
}

function parse(argv: string[], io: CliOutput, config: AppConfig, db: () => Promise<DataSource>): () => Promise<number> {
  const [cmd, name, value, ...rest] = argv;
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
  switch (cmd) {
    case 'list':
      if (name) throw new UsageError('list takes no arguments');
      return async () => list(await db(), io);
    case 'set': {
      if (!name || !['on', 'off'].includes(value ?? '')) throw new UsageError('set needs a flag name and on|off');
      return async () => change(await db(), io, config, name, { enabled: value === 'on' });
    }
    case 'rollout': {
      const pct = Number(value);
      if (!name || value === undefined || !Number.isInteger(pct) || pct < 0 || pct > 100) {
        throw new UsageError('rollout needs a flag name and an integer percentage 0-100');
      }
      return async () => change(await db(), io, config, name, { rolloutPercentage: pct });
    }
    default:
      throw new UsageError(cmd ? `unknown command "${cmd}"` : 'no command given');
  }
}

/** The flags' statements, on the CLI's own DataSource. */
const flagsOf = (ds: DataSource) => new FeatureFlagsRepository(new Sql(ds), ds);

async function list(ds: DataSource, io: CliOutput): Promise<number> {
  const rows = await flagsOf(ds).summaries();
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  io.out(`${'name'.padEnd(width)}  state  rollout  overrides  description`);
  for (const r of rows) {
    const state = (r.enabled ? 'on' : 'off').padEnd(5);
    const rollout = `${r.rollout_percentage}%`.padStart(7);
    io.out(`${r.name.padEnd(width)}  ${state}  ${rollout}  ${String(r.overrides).padStart(9)}  ${r.description}`);
  }
  return 0;
}

async function change(ds: DataSource, io: CliOutput, config: AppConfig, name: string, changes: FlagChanges): Promise<number> {
  const flags = flagsOf(ds);
  const audit = new AuditService(new AuditRepository(ds));
  const flag = await new Transactions(ds).run((tx) =>
    updateFlag(flags, audit, name, changes, { actorId: null, details: { via: 'cli', os_user: osUser() } }, tx),
  );
  if (!flag) {
    const known = await flags.names();
    io.err(`flags: unknown flag "${name}" (known: ${known.join(', ') || 'none'})`);
    return 1;
  }
  io.out(`${flag.name}: ${flag.enabled ? 'on' : 'off'}, rollout ${flag.rolloutPercentage}%`);
  const invalidated = await dropCache(config, name);
  if (invalidated) io.out('cache invalidated: every replica applies the change on its next request');
  else {
    const ttl = config.featureFlags.cacheTtlSeconds;
    io.err(`warning: Redis unreachable, cache not invalidated; replicas apply the change within ${ttl} s`);
  }
  return 0;
}

async function dropCache(config: AppConfig, name: string): Promise<boolean> {
  const redis = new Redis(config.redis.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.del(flagCacheKey(config.redis.keyPrefix, name));
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

if (require.main === module) {
  runFlagsCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: Error) => {
      // e.g. an invalid environment (ConfigValidationError names every bad variable)
      process.stderr.write(`flags: ${err.message}\n`);
      process.exit(1);
    });
}
