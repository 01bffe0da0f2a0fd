import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** A stable signed 64-bit key for pg_advisory_lock, derived from a readable name. */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * Runs `fn` while holding a session-level advisory lock on a dedicated connection, so
 * that N replicas doing the same thing (migrating, a scheduled sweep) run it one at a time.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, name: string, fn: () => Promise<T>): Promise<T> {
  const key = advisoryLockKey(name);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
