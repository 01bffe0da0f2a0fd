import { Injectable } from '@nestjs/common';
import { type Queryable, Sql } from '@/platform/database/sql';

export interface UserCounts {
  events: number;
  patterns: number;
  relationships: number;
  suggestions: number;
}

/** Reads the per-user counters the database triggers keep (a sum over ≤ 16 rows by primary key). */
@Injectable()
export class StatsService {
  constructor(private readonly sql: Sql) {}

  /** `em`: a transaction's manager to read inside it; by default a pooled connection. */
  async counts(userId: string, em: Queryable = this.sql): Promise<UserCounts> {
    const [row] = (await em.query(
      `SELECT coalesce(sum(event_count), 0)::bigint AS events, coalesce(sum(pattern_count), 0)::bigint AS patterns,
              coalesce(sum(relationship_count), 0)::bigint AS relationships, coalesce(sum(suggestion_count), 0)::bigint AS suggestions
         FROM user_stats WHERE user_id = $1`,
      [userId],
    )) as Record<keyof UserCounts, string>[];
    return {
      events: Number(row.events),
      patterns: Number(row.patterns),
      relationships: Number(row.relationships),
      suggestions: Number(row.suggestions),
    };
  }
}
