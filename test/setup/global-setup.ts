import 'tsconfig-paths/register'; // the `@/` alias: global setup runs outside Jest's module mapper
import 'reflect-metadata';
import { Client } from 'pg';
import { loadConfig } from '../../src/platform/config/load-config';
import { buildDataSourceOptions } from '../../src/platform/database/data-source.options';
import { FloyoDataSource } from '../../src/platform/database/floyo-data-source';
import { Redis } from 'ioredis';
import { TEST_DATABASE_URL, TEST_ENV, TEST_REDIS_URL } from './test-env';

/**
 * A fresh test database for every run (dropped and re-created), migrated the way
 * production migrates: through the advisory-locked runner.
 */
export default async function globalSetup(): Promise<void> {
  for (const [key, value] of Object.entries(TEST_ENV)) process.env[key] = value;
  await recreateDatabase(TEST_DATABASE_URL);
  await clearRedisNamespace(TEST_REDIS_URL, TEST_ENV.REDIS_KEY_PREFIX);
  const ds = new FloyoDataSource(buildDataSourceOptions(loadConfig(), 'migrations'));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

export async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to recreate database with odd name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/** Deletes the keys earlier test runs left under the test prefix (never touches others). */
async function clearRedisNamespace(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
