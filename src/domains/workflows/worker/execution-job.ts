import type { JobOptions } from 'bull';
import { DEFAULT_JOB_OPTIONS } from '@/platform/queue/queues';

export interface ExecutionJobData {
  executionId: string;
}

/**
 * Job id: the execution id for manual runs, `workflowId:dueAt` for scheduled ones —
 * deterministic, so enqueueing the same execution twice (a retry, the recovery sweep)
 * yields one job. Attempts cover infrastructure failures (database or Redis away); a
 * failing *step* is a business outcome recorded on the execution, not a job retry.
 */
export function executionJobOptions(jobId: string, executionTimeoutMs: number): JobOptions {
  return {
    ...DEFAULT_JOB_OPTIONS,
    jobId,
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
    // the runner aborts at the execution timeout; this is only a backstop
    timeout: executionTimeoutMs + 60_000,
  };
}

export const scheduledJobId = (workflowId: string, dueAt: Date) => `${workflowId}:${dueAt.toISOString()}`;

/**
 * The job an execution is waiting on: its first (manual: the execution id; scheduled:
 * `workflowId:dueAt`) until it has been continued, then `<id>:w<n>` — a wait for a slot or
 * a delay step ends one job and queues the next.
 */
export function currentJobId(e: { id: string; workflowId: string; scheduledFor: Date | null; wakeSeq: number }): string {
  if (e.wakeSeq > 0) return `${e.id}:w${e.wakeSeq}`;
  return e.scheduledFor ? scheduledJobId(e.workflowId, e.scheduledFor) : e.id;
}
