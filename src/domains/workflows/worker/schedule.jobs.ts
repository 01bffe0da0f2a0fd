import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '@/platform/config/app-config';
import { JobHandler } from '@/platform/queue/job-handler.decorator';
import { JOBS, QUEUES } from '@/platform/queue/queues';
import { nextRunAfter, type ScheduleConfig } from '../schedule/schedule';
import { currentJobId, executionJobOptions, scheduledJobId } from './execution-job';
import { ExecutionStore } from './execution-store';

const TICK_JOB_ID = 'schedule-tick';
const CLAIM_BATCH = 500;
const MAX_BATCHES_PER_TICK = 20;
const RECOVER_AFTER_SECONDS = 30;

interface DueRow {
  id: string;
  next_run_at: Date;
  schedule_config: ScheduleConfig;
  db_now: Date;
}

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
    @InjectDataSource() private readonly ds: DataSource,
    private readonly store: ExecutionStore,
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
    await this.schedules.add(JOBS.schedules.purgeExecutions, {}, {
      repeat: { cron: this.config.workflows.purgeCron },
      jobId: JOBS.schedules.purgeExecutions,
    });
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
    return this.ds.transaction(async (em) => {
      const due = (await em.query(
        `SELECT id, next_run_at, schedule_config, now() AS db_now FROM workflows
          WHERE is_active AND next_run_at IS NOT NULL AND next_run_at <= now()
          ORDER BY next_run_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [CLAIM_BATCH],
      )) as DueRow[];
      if (!due.length) return { claimed: 0, created: [] };
      const next = due.map((w) => {
        try {
          return nextRunAfter(w.schedule_config, w.db_now, w.next_run_at);
        } catch (err) {
          this.logger.error(`workflow ${w.id}: unusable schedule, disabling it: ${(err as Error).message}`);
          return null;
        }
      });
      const rows = (await em.query(
        `INSERT INTO workflow_executions (workflow_id, trigger_type, status, scheduled_for, trigger_data)
         SELECT t.w, 'schedule', 'pending', t.d, jsonb_build_object('scheduled_for', t.d)
           FROM unnest($1::uuid[], $2::timestamptz[]) AS t(w, d)
         ON CONFLICT (workflow_id, scheduled_for) DO NOTHING
         RETURNING id, workflow_id, scheduled_for`,
        [due.map((w) => w.id), due.map((w) => w.next_run_at)],
      )) as { id: string; workflow_id: string; scheduled_for: Date }[];
      await em.query(
        `UPDATE workflows w SET next_run_at = t.n FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, n) WHERE w.id = t.id`,
        [due.map((w) => w.id), next],
      );
      return {
        claimed: due.length,
        created: rows.map((r) => ({ id: r.id, workflowId: r.workflow_id, scheduledFor: r.scheduled_for })),
      };
    });
  }

  private async recoverPending(): Promise<number> {
    const stale = await this.store.stale(RECOVER_AFTER_SECONDS, CLAIM_BATCH);
    for (const e of stale) await this.enqueue(e.id, currentJobId(e));
    return stale.length;
  }

  private enqueue(executionId: string, jobId: string): Promise<unknown> {
    return this.workflows.add(JOBS.workflows.execute, { executionId }, executionJobOptions(jobId, this.config.workflows.executionTimeoutMs));
  }

  @JobHandler(QUEUES.schedules, JOBS.schedules.purgeExecutions, { concurrency: 1 })
  async purge(): Promise<{ deleted: number }> {
    const deleted = await this.store.purgeOlderThan(this.config.workflows.executionRetentionDays);
    if (deleted) this.logger.log(`purged ${deleted} execution(s) older than ${this.config.workflows.executionRetentionDays} days`);
    return { deleted };
  }
}
