import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig } from '@/platform/config/app-config';
import { FeatureFlagsService } from '@/domains/feature-flags';
import { Transactions } from '@/platform/database/transactions';
import { EventBus } from '@/platform/event-bus/event-bus';
import { JobHandler } from '@/platform/queue/job-handler.decorator';
import { JOBS, QUEUES } from '@/platform/queue/queues';
import type { StepLogEntry } from '../engine/execution-log';
import { WorkflowRunner } from '../engine/workflow-runner';
import { type ClaimedExecution, type ExecutionOwner, ExecutionsRepository } from '../executions.repository';
import { executionJobOptions, type ExecutionJobData } from './execution-job';

const EXECUTION_FLAG = 'enable_workflow_execution';
/** Delay steps at least this long park the execution; shorter ones are slept through. */
const PARK_DELAYS_FROM_MS = 1_000;
/** A waiting execution's job comes back after this at the latest; a freed slot wakes it at once. */
const WAIT_RECHECK_MS = 5_000;

/** What a job does with its execution (see `acquireSlot`). */
type SlotDecision =
  | { kind: 'gone' }
  | { kind: 'acquired' }
  /** parked in a delay that has not ended: continue with job `<id>:w<seq>` then */
  | { kind: 'early'; seq: number; resumeAt: Date }
  /** all of the owner's slots are taken (or older executions wait for them): continue with `<id>:w<seq>` */
  | { kind: 'wait'; seq: number };

/**
 * Worker: runs executions, fairly. A job first takes one of its owner's
 * WORKFLOW_MAX_RUNNING_PER_OWNER slots (shared by all workers, in creation order); with none
 * free it ends at once and a delayed job continues the execution later, so one tenant's
 * backlog never holds the worker slots others need. With a slot it claims the execution (a
 * pending one, or an interrupted run taken over), runs the steps — skipping those an
 * interrupted run completed — logging each before the next starts, and ends it in exactly
 * one terminal state. A long delay step parks the execution: slot released, no worker
 * held, a delayed job resumes it. A released slot wakes the owner's next waiting
 * execution. Status changes are published as `workflow.execution.changed` (realtime
 * clients hear of them through the relay).
 */
@Injectable()
export class ExecutionJobs implements OnModuleInit {
  private readonly logger = new Logger(ExecutionJobs.name);

  constructor(
    private readonly executions: ExecutionsRepository,
    private readonly transactions: Transactions,
    private readonly runner: WorkflowRunner,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    private readonly flags: FeatureFlagsService,
    @InjectQueue(QUEUES.workflows) private readonly queue: Queue,
  ) {}

  onModuleInit(): void {
    // Out of job attempts (infrastructure kept failing): the execution fails, visibly.
    this.queue.on('failed', (job: Job<ExecutionJobData>, err: Error) => {
      if (job.name !== JOBS.workflows.execute || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      void this.executions
        .finish(job.data.executionId, 'failed', `worker error: ${err.message}`.slice(0, 2_000))
        .catch((e: Error) => this.logger.error(`could not mark execution ${job.data.executionId} failed: ${e.message}`));
    });
  }

  @JobHandler(QUEUES.workflows, JOBS.workflows.execute)
  async execute(job: Job<ExecutionJobData>): Promise<{ status: string }> {
    const id = job.data.executionId;
    const slot = await this.acquireSlot(id, this.config.workflows.maxRunningPerOwner);
    switch (slot.kind) {
      case 'gone':
        return { status: 'skipped' };
      case 'wait':
        await this.continueLater(id, slot.seq, WAIT_RECHECK_MS);
        return { status: 'waiting' };
      case 'early':
        await this.continueLater(id, slot.seq, slot.resumeAt.getTime() - Date.now());
        return { status: 'parked' };
    }
    const execution = await this.executions.claim(id);
    if (!execution) return { status: 'skipped' };
    return this.run(execution);
  }

  /**
   * Whether the job may run its execution now. An owner (an organization for its
   * workflows, else the user) has at most `cap` executions holding a slot, across all
   * workers; the others wait in creation order — an execution takes a slot only when the
   * ones holding slots plus the older ones ready to run are fewer than `cap`. Decided under
   * a transaction advisory lock per owner, so concurrent jobs cannot both take the last slot.
   * A job that finds its execution already holding a slot (a crashed run taken over) goes on.
   */
  private acquireSlot(executionId: string, cap: number): Promise<SlotDecision> {
    return this.transactions.run(async (tx) => {
      const e = await this.executions.lockOpen(executionId, tx);
      if (!e) return { kind: 'gone' };
      const nextSeq = () => this.executions.nextWakeSeq(executionId, tx);
      if (e.early) return { kind: 'early', seq: await nextSeq(), resumeAt: e.resumeAt! };
      if (e.holdsSlot) return { kind: 'acquired' };
      await this.executions.lockOwnerSlots(e.owner, tx);
      const taken = await this.executions.slotsTaken(e.owner, e.createdAt, executionId, tx);
      if (taken.running + taken.ahead >= cap) return { kind: 'wait', seq: await nextSeq() };
      await this.executions.takeSlot(executionId, tx);
      return { kind: 'acquired' };
    });
  }

  private async run(execution: ClaimedExecution): Promise<{ status: string }> {
    if (execution.triggerType === 'schedule' && !execution.workflowActive && !execution.executionLog.length) {
      await this.end(execution, 'cancelled', 'workflow was deactivated before the run started');
      return { status: 'cancelled' };
    }
    // The kill switch also stops runs queued before it was flipped, scheduled and parked runs.
    const subject = { userId: execution.ownerId, ...(execution.organizationId ? { organizationIds: [execution.organizationId] } : {}) };
    if (!(await this.flags.isEnabled(EXECUTION_FLAG, subject, { whenMissing: true }))) {
      await this.end(execution, 'cancelled', `workflow execution is temporarily disabled (${EXECUTION_FLAG})`);
      return { status: 'cancelled' };
    }
    await this.publish(execution, 'running', null);
    if (execution.parkedStep) await this.backFromDelay(execution);
    // time parked in delay steps does not count against the execution's timeout
    const remaining = execution.startedAt.getTime() + execution.parkedMs + this.config.workflows.executionTimeoutMs - Date.now();
    if (remaining <= 0) {
      await this.end(execution, 'failed', 'execution timed out');
      return { status: 'failed' };
    }
    const result = await this.runner.run(
      {
        executionId: execution.id,
        workflowId: execution.workflowId,
        ownerId: execution.ownerId,
        organizationId: execution.organizationId,
        steps: execution.steps,
        trigger: execution.triggerData,
        previousLog: execution.executionLog,
        signal: AbortSignal.timeout(remaining),
        parkDelaysFromMs: PARK_DELAYS_FROM_MS,
        dryRun: execution.dryRun,
      },
      {
        onStep: async (entry: StepLogEntry) => {
          await this.executions.appendLog(execution.id, entry);
          await this.publish(execution, 'running', { id: entry.step_id, status: entry.status });
        },
      },
    );
    if (result.status === 'parked') {
      const seq = await this.executions.park(execution.id, result.stepId, result.startedAt, result.resumeAt);
      if (seq !== null) {
        await this.publish(execution, 'running', { id: result.stepId, status: 'waiting' });
        await this.continueLater(execution.id, seq, result.resumeAt.getTime() - Date.now());
      }
      await this.wakeNext(owner(execution));
      return { status: 'parked' };
    }
    await this.end(execution, result.status, result.status === 'failed' ? result.error : null);
    return { status: result.status };
  }

  /** The delay step it was parked in is done: logged as such, its time set aside. */
  private async backFromDelay(execution: ClaimedExecution): Promise<void> {
    const parked = execution.parkedStep!;
    const waited = Date.now() - Date.parse(parked.started_at);
    const entry: StepLogEntry = {
      step_id: parked.step_id,
      type: 'delay',
      status: 'completed',
      attempts: 1,
      started_at: parked.started_at,
      finished_at: new Date().toISOString(),
      output: { waited_ms: waited },
    };
    await this.executions.unpark(execution.id, entry, waited);
    execution.executionLog = [...execution.executionLog, entry];
    execution.parkedMs += waited;
    await this.publish(execution, 'running', { id: entry.step_id, status: entry.status });
  }

  /** Queues the job that continues the execution (`<id>:w<seq>`) after `delayMs`. */
  private async continueLater(executionId: string, seq: number, delayMs: number): Promise<void> {
    await this.queue.add(
      JOBS.workflows.execute,
      { executionId },
      {
        ...executionJobOptions(`${executionId}:w${seq}`, this.config.workflows.executionTimeoutMs),
        delay: Math.max(0, Math.round(delayMs)),
      },
    );
  }

  /** A slot of `who` was released: the owner's next waiting executions run now rather than at their recheck. */
  private async wakeNext(who: ExecutionOwner): Promise<void> {
    try {
      for (const waiting of await this.executions.nextWaiting(who, this.config.workflows.maxRunningPerOwner)) {
        if (waiting.wakeSeq === 0) continue; // its first job is queued and runs when a worker is free
        const job = await this.queue.getJob(`${waiting.id}:w${waiting.wakeSeq}`);
        if (job && (await job.isDelayed())) await job.promote();
      }
    } catch (err) {
      this.logger.warn(`could not wake waiting executions (they recheck within ${WAIT_RECHECK_MS} ms): ${(err as Error).message}`);
    }
  }

  private async end(execution: ClaimedExecution, status: 'completed' | 'failed' | 'cancelled', error: string | null): Promise<void> {
    if (await this.executions.finish(execution.id, status, error)) await this.publish(execution, status, null);
    await this.wakeNext(owner(execution));
  }

  private publish(e: ClaimedExecution, status: string, step: { id: string; status: string } | null): Promise<void> {
    return this.events.publish('workflow.execution.changed', {
      id: e.id,
      workflowId: e.workflowId,
      ownerId: e.ownerId,
      organizationId: e.organizationId,
      status,
      step,
    });
  }
}

const owner = (e: ClaimedExecution): ExecutionOwner => ({ userId: e.ownerId, organizationId: e.organizationId });
