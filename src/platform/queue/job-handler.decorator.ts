import { SetMetadata } from '@nestjs/common';
import type { QueueName } from './queues';

export const JOB_HANDLER = 'floyo:jobHandler';

export interface JobHandlerMeta {
  queue: QueueName;
  name: string;
  /** Jobs of this name run at once per worker process (default: WORKER_CONCURRENCY). */
  concurrency?: number;
}

/**
 * Marks a method of a worker provider as the handler of one job. The QueueWorker collects
 * them, checks them against the JOBS catalogue and starts processing after the boot.
 */
export const JobHandler = (queue: QueueName, name: string, options: { concurrency?: number } = {}) =>
  SetMetadata<string, JobHandlerMeta>(JOB_HANDLER, { queue, name, ...options });
