import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Sql } from '@/platform/database/sql';

/** The statement of the retention clean-up (on the events domain's table; the use case is privacy's). */
@Injectable()
export class RetentionRepository {
  constructor(private readonly sql: Sql) {}

  /** Deletes the user's events older than `cutoff` in one statement; how many, and the storage keys of their files. */
  async deleteEventsBefore(userId: string, cutoff: Date, tx: EntityManager): Promise<{ n: number; keys: string[] }> {
    const { rows } = await this.sql.run<{ n: number; keys: string[] }>(
      `WITH gone AS (DELETE FROM events WHERE user_id = $1 AND "timestamp" < $2 RETURNING storage_key)
       SELECT count(*)::int AS n, coalesce(array_agg(storage_key) FILTER (WHERE storage_key IS NOT NULL), '{}') AS keys
         FROM gone`,
      [userId, cutoff.toISOString()],
      tx,
    );
    return rows[0];
  }
}
