import { Injectable } from '@nestjs/common';
import { PatternEvidenceRepository } from './pattern-evidence.repository';

/** What the suggestion engine may know about one recurring sequence (a temporal pattern). */
export interface SequenceEvidence {
  id: string;
  key: string;
  steps: string[];
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  avgGapSeconds: number | null;
  /** occurrence starts per UTC hour (24) and weekday (7, Monday first) */
  hours: number[];
  weekdays: number[];
  days: number;
  firstDay: number;
  lastDay: number;
  /** most recent distinct files first (anonymised when the user asked) */
  files: string[];
}

export interface UserEvidence {
  sequences: SequenceEvidence[];
  /** how often each step of those sequences occurred */
  stepCounts: Map<string, number>;
  /** all steps analysed (N of the significance test) */
  stepsTotal: number;
  /** the user's latest analysed event: "now" for recency, so results do not drift with the clock */
  asOf: Date | null;
  salt: string | null;
}

/** The engine reads at most this many sequences per evaluation: the most recently seen. */
const EVIDENCE_LIMIT = 5_000;

/** Reads a user's analysis results for the suggestion engine: a bounded number of queries and rows. */
@Injectable()
export class PatternEvidenceService {
  constructor(private readonly evidence: PatternEvidenceRepository) {}

  async read(userId: string): Promise<UserEvidence> {
    const state = await this.evidence.state(userId);
    const rows = await this.evidence.sequences(userId, EVIDENCE_LIMIT);
    const stepKeys = [...new Set(rows.flatMap((r) => r.sequence))];
    const counts = stepKeys.length ? await this.evidence.stepCounts(userId, stepKeys) : [];
    return {
      sequences: rows.map((r) => ({
        id: r.id,
        key: r.sequence_key,
        steps: r.sequence,
        count: r.count,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        avgGapSeconds: r.avg_gap_seconds,
        hours: r.metadata.hours ?? new Array<number>(24).fill(0),
        weekdays: r.metadata.weekdays ?? new Array<number>(7).fill(0),
        days: r.metadata.days ?? 1,
        firstDay: r.metadata.first_day ?? 0,
        lastDay: r.metadata.last_day ?? 0,
        files: r.example_files,
      })),
      stepCounts: new Map(counts.map((c) => [c.sequence_key, c.count])),
      stepsTotal: state ? Number(state.steps_total) : 0,
      asOf: state?.position_at ?? null,
      salt: state?.salt ?? null,
    };
  }
}
