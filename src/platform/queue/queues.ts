import type { JobOptions } from 'bull';

/** Queue names: one place, so producers and processors cannot disagree. */
export const QUEUES = {
  maintenance: 'maintenance',
  workflows: 'workflows',
  schedules: 'schedules',
  analysis: 'analysis',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Every job name, per queue. The worker refuses to boot unless each has exactly one handler. */
export const JOBS = {
  maintenance: { purgeSessions: 'purge-sessions' },
  workflows: { execute: 'execute' },
  schedules: { tick: 'tick', purgeExecutions: 'purge-executions' },
  analysis: { analyseUser: 'analyse-user' },
} as const satisfies Record<keyof typeof QUEUES, Record<string, string>>;

/** Every job has attempts, backoff, a timeout and bounded retention. */
export const DEFAULT_JOB_OPTIONS: JobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  timeout: 5 * 60_000,
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
};
