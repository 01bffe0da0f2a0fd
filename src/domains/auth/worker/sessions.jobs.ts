import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '@/platform/config/app-config';
import { JobHandler } from '@/platform/queue/job-handler.decorator';
import { JOBS, QUEUES } from '@/platform/queue/queues';
import { SessionsService } from '../sessions.service';

/** Worker: purges long-dead sessions (and their refresh tokens) on a cron. */
@Injectable()
export class SessionsJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger(SessionsJobs.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue,
  ) {}

  /** Repeatable jobs are keyed by name + cron + jobId: N workers adding it is idempotent. */
  async onApplicationBootstrap(): Promise<void> {
    await this.queue.add(
      JOBS.maintenance.purgeSessions,
      {},
      {
        repeat: { cron: this.config.worker.sessionCleanupCron },
        jobId: JOBS.maintenance.purgeSessions,
      },
    );
  }

  @JobHandler(QUEUES.maintenance, JOBS.maintenance.purgeSessions, { concurrency: 1 })
  async purge(): Promise<{ deleted: number }> {
    const deleted = await this.sessions.purgeExpired();
    if (deleted) this.logger.log(`purged ${deleted} expired session(s)`);
    return { deleted };
  }
}
