import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { withTimeout } from '@/platform/async/with-timeout';
import { AppConfig } from '@/platform/config/app-config';
import type { DomainEvents } from '@/platform/event-bus/domain-events';
import { OnDomainEvent } from '@/platform/event-bus/event-bus';
import { DEFAULT_JOB_OPTIONS, JOBS, QUEUES } from '@/platform/queue/queues';
import { AnalysisPositions } from './analysis-positions';

export interface AnalysisJobData {
  userId: string;
}

/** An enqueue waits at most this long for Redis (Bull's own client queues while it is away). */
const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * Schedules a user's analysis in the worker. Job ids are deterministic (user + time
 * bucket), so however many ingests, retries or replicas ask within one window, one job
 * runs. Nothing here ever fails its caller: scheduling is best effort, and the next
 * ingest or generate call schedules again.
 */
@Injectable()
export class AnalysisQueue {
  private readonly logger = new Logger(AnalysisQueue.name);

  constructor(
    @InjectQueue(QUEUES.analysis) private readonly queue: Queue<AnalysisJobData>,
    private readonly positions: AnalysisPositions,
    private readonly config: AppConfig,
  ) {}

  /**
   * After an ingest (not awaited by ingest): the first ingest of a debounce window
   * schedules one run at the window's end, covering every event of the window.
   */
  /** New activity: one Redis round trip, not awaited; debounced per user, fails open. */
  @OnDomainEvent('activity.ingested')
  onIngested({ userId, earliest }: DomainEvents['activity.ingested']): void {
    this.afterIngest(userId, earliest);
  }

  afterIngest(userId: string, earliest: Date | null): void {
    void (async () => {
      if (!(await this.positions.touch(userId, earliest))) return;
      const every = this.config.analysis.debounceMs;
      await this.add(userId, `${userId}:${Math.floor(Date.now() / every)}`, every);
    })().catch((err: Error) => this.logger.warn(`could not schedule the analysis of user ${userId}: ${err.message}`));
  }

  /** Continue at once (a run that used up its budget). */
  continueNow(userId: string): Promise<void> {
    return this.add(userId, `${userId}:continue:${Date.now()}`, 0);
  }

  /** Run at `at` (events waiting to settle, a postponed rebuild); one job per user and second. */
  at(userId: string, at: Date, reason: string): Promise<void> {
    const delay = Math.max(0, at.getTime() - Date.now());
    return this.add(userId, `${userId}:${reason}:${Math.ceil(at.getTime() / 1000)}`, delay);
  }

  private async add(userId: string, jobId: string, delay: number): Promise<void> {
    const options: JobOptions = {
      ...DEFAULT_JOB_OPTIONS,
      jobId,
      delay,
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      timeout: 10 * 60_000,
      removeOnComplete: { age: 3_600, count: 5_000 },
    };
    try {
      await withTimeout(this.queue.add(JOBS.analysis.analyseUser, { userId }, options), ENQUEUE_TIMEOUT_MS, 'Redis did not answer');
    } catch (err) {
      this.logger.warn(`could not enqueue the analysis of user ${userId}: ${(err as Error).message}`);
    }
  }
}
