import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Sql } from '@/platform/database/sql';

export interface UserCounts {
  events: number;
  patterns: number;
  relationships: number;
  suggestions: number;
}

/** Statements on the stats domain's table: user_stats (written only by the database's triggers). */
@Injectable()
export class StatsRepository {
  constructor(private readonly sql: Sql) {}

  /** A user's totals: a sum over ≤ 16 counter rows by primary key; inside `tx` when given. */
  async counts(userId: string, tx?: EntityManager): Promise<UserCounts> {
    const { rows } = await this.sql.run<Record<keyof UserCounts, string>>(
      `SELECT coalesce(sum(event_count), 0)::bigint AS events, coalesce(sum(pattern_count), 0)::bigint AS patterns,
              coalesce(sum(relationship_count), 0)::bigint AS relationships, coalesce(sum(suggestion_count), 0)::bigint AS suggestions
         FROM user_stats WHERE user_id = $1`,
      [userId],
      tx,
    );
    const [row] = rows;
    return {
      events: Number(row.events),
      patterns: Number(row.patterns),
      relationships: Number(row.relationships),
      suggestions: Number(row.suggestions),
    };
  }
}
