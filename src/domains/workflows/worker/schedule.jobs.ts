import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '@/platform/config/app-config';
import { Transactions } from '@/platform/database/transactions';
import { JobHandler } from '@/platform/queue/job-handler.decorator';
import { JOBS, QUEUES } from '@/platform/queue/queues';
import { ExecutionsRepository } from '../executions.repository';
import { nextRunAfter } from '../schedule/schedule';
import { WorkflowsRepository } from '../workflows.repository';
import { currentJobId, executionJobOptions, scheduledJobId } from './execution-job';

const TICK_JOB_ID = 'schedule-tick';
const CLAIM_BATCH = 500;
const MAX_BATCHES_PER_TICK = 20;
const RECOVER_AFTER_SECONDS = 30;

/**
 * The one schedule ticker. The database is the source of truth:
 * each tick claims due workflows with FOR UPDATE SKIP LOCKED, records one execution per
 * (workflow, due time) — a unique index makes a duplicate tick harmless — advances
 * next_run_at past now (missed runs coalesce into one), then enqueues with deterministic
 * job ids. It also re-enqueues executions whose job was lost (pending, or parked past their
 * resume time, after a Redis outage or a worker's death), and purges old executions on a cron.
 */
@Injectable()
export class ScheduleJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger(ScheduleJobs.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly workflowDefinitions: WorkflowsRepository,
    private readonly executions: ExecutionsRepository,
    private readonly config: AppConfig,
    @InjectQueue(QUEUES.schedules) private readonly schedules: Queue,
    @InjectQueue(QUEUES.workflows) private readonly workflows: Queue,
  ) {}

  onApplicationBootstrap(): void {
    // In the background: a worker booting while Redis is away must not hang on it.
    void this.registerRepeatables().catch((err: Error) => this.logger.error(`could not register the ticker: ${err.message}`));
  }

  private async registerRepeatables(): Promise<void> {
    const every = this.config.workflows.tickIntervalMs;
    for (const r of await this.schedules.getRepeatableJobs()) {
      const stale =
        (r.name === JOBS.schedules.tick && Number(r.every) !== every) ||
        (r.name === JOBS.schedules.purgeExecutions && r.cron !== this.config.workflows.purgeCron);
      if (stale) await this.schedules.removeRepeatableByKey(r.key);
    }
    await this.schedules.add(JOBS.schedules.tick, {}, { repeat: { every }, jobId: TICK_JOB_ID, removeOnComplete: true, removeOnFail: 100 });
    await this.schedules.add(
      JOBS.schedules.purgeExecutions,
      {},
      {
        repeat: { cron: this.config.workflows.purgeCron },
        jobId: JOBS.schedules.purgeExecutions,
      },
    );
  }

  @JobHandler(QUEUES.schedules, JOBS.schedules.tick, { concurrency: 1 })
  async tick(): Promise<{ scheduled: number; recovered: number }> {
    let scheduled = 0;
    for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
      const { created, claimed } = await this.claimDue();
      for (const c of created) await this.enqueue(c.id, scheduledJobId(c.workflowId, c.scheduledFor));
      scheduled += created.length;
      if (claimed < CLAIM_BATCH) break;
    }
    const recovered = await this.recoverPending();
    return { scheduled, recovered };
  }

  /** One transaction: claim due rows, record their executions, advance their schedules. */
  private claimDue(): Promise<{ claimed: number; created: { id: string; workflowId: string; scheduledFor: Date }[] }> {
    return this.transactions.run(async (tx) => {
      const due = await this.workflowDefinitions.lockDue(CLAIM_BATCH, tx);
      if (!due.length) return { claimed: 0, created: [] };
      const next = due.map((w) => {
        try {
          return nextRunAfter(w.scheduleConfig, w.dbNow, w.nextRunAt);
        } catch (err) {
          this.logger.error(`workflow ${w.id}: unusable schedule, disabling it: ${(err as Error).message}`);
          return null;
        }
      });
      const created = await this.executions.insertScheduled(
        due.map((w) => w.id),
        due.map((w) => w.nextRunAt),
        tx,
      );
      await this.workflowDefinitions.setNextRuns(
        due.map((w) => w.id),
        next,
        tx,
      );
      return { claimed: due.length, created };
    });
  }

  private async recoverPending(): Promise<number> {
    const stale = await this.executions.stale(RECOVER_AFTER_SECONDS, CLAIM_BATCH);
    for (const e of stale) await this.enqueue(e.id, currentJobId(e));
    return stale.length;
  }

  private enqueue(executionId: string, jobId: string): Promise<unknown> {
    return this.workflows.add(
      JOBS.workflows.execute,
      { executionId },
      executionJobOptions(jobId, this.config.workflows.executionTimeoutMs),
    );
  }

  @JobHandler(QUEUES.schedules, JOBS.schedules.purgeExecutions, { concurrency: 1 })
  async purge(): Promise<{ deleted: number }> {
    const deleted = await this.executions.purgeOlderThan(this.config.workflows.executionRetentionDays);
    if (deleted) this.logger.log(`purged ${deleted} execution(s) older than ${this.config.workflows.executionRetentionDays} days`);
    return { deleted };
  }
}
