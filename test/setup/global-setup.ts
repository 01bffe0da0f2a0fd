import 'reflect-metadata';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source.options';
import { FloyoDataSource } from '../../src/database/floyo-data-source';
import { TEST_DATABASE_URL, TEST_ENV } from './test-env';

/**
 * A fresh test database for every run (dropped and re-created), migrated the way
 * production migrates: through the advisory-locked runner.
 */
export default async function globalSetup(): Promise<void> {
  for (const [key, value] of Object.entries(TEST_ENV)) process.env[key] = value;
  await recreateDatabase(TEST_DATABASE_URL);
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
