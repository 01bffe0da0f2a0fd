import { Injectable } from '@nestjs/common';
import { Sql } from '@/platform/database/sql';

/** The analysis state the engine reads: where it stands, how many steps, the user's key. */
export interface EvidenceStateRow {
  position_at: Date | null;
  steps_total: string;
  salt: string;
}

export interface SequenceRow {
  id: string;
  sequence_key: string;
  sequence: string[];
  count: number;
  first_seen: Date;
  last_seen: Date;
  avg_gap_seconds: number | null;
  example_files: string[];
  metadata: { hours?: number[]; weekdays?: number[]; days?: number; first_day?: number; last_day?: number };
}

/** The suggestion engine's reads of a user's analysis results: one bounded statement each. */
@Injectable()
export class PatternEvidenceRepository {
  constructor(private readonly sql: Sql) {}

  async state(userId: string): Promise<EvidenceStateRow | null> {
    const { rows } = await this.sql.run<EvidenceStateRow>(
      'SELECT position_at, steps_total::text, salt FROM pattern_analysis_state WHERE user_id = $1',
      [userId],
    );
    return rows[0] ?? null;
  }

  /** The user's `limit` most recently seen temporal patterns. */
  async sequences(userId: string, limit: number): Promise<SequenceRow[]> {
    const { rows } = await this.sql.run<SequenceRow>(
      `SELECT id, sequence_key, sequence, count, first_seen, last_seen, avg_gap_seconds, example_files, metadata
         FROM temporal_patterns WHERE user_id = $1 ORDER BY last_seen DESC, sequence_key LIMIT $2`,
      [userId, limit],
    );
    return rows;
  }

  /** How often each of these single steps occurred (their one-step candidates). */
  async stepCounts(userId: string, stepKeys: string[]): Promise<{ sequence_key: string; count: number }[]> {
    const { rows } = await this.sql.run<{ sequence_key: string; count: number }>(
      'SELECT sequence_key, count FROM sequence_candidates WHERE user_id = $1 AND steps = 1 AND sequence_key = ANY($2::varchar[])',
      [userId, stepKeys],
    );
    return rows;
  }
}
