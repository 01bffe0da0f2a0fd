import { Injectable } from '@nestjs/common';
import type { Job } from 'bull';
import type { AnalysisJobData } from '@/domains/patterns';
import { JobHandler } from '@/platform/queue/job-handler.decorator';
import { JOBS, QUEUES } from '@/platform/queue/queues';
import { SuggestionEngine } from '../engine/suggestion-engine';

/**
 * A job analyses for at most this long, then hands over to a continuation job: it stays
 * well inside the job timeout and the shutdown grace period (SIGTERM lets it finish).
 */
const JOB_BUDGET_MS = 15_000;

/** Worker: one user's analysis and suggestion evaluation per job (see SuggestionEngine). */
@Injectable()
export class AnalysisJobs {
  constructor(private readonly engine: SuggestionEngine) {}

  @JobHandler(QUEUES.analysis, JOBS.analysis.analyseUser)
  async analyse(
    job: Job<AnalysisJobData>,
  ): Promise<{ events: number; batches: number; created: number; updated: number; caught_up: boolean }> {
    const result = await this.engine.refresh(job.data.userId, JOB_BUDGET_MS);
    return {
      events: result.run.events,
      batches: result.run.batches,
      created: result.created.length,
      updated: result.updated,
      caught_up: result.run.caughtUp,
    };
  }
}
