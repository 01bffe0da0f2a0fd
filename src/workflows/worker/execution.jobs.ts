import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../../config/app-config';
import { FeatureFlagsService } from '../../feature-flags/feature-flags.service';
import { JobHandler } from '../../queue/job-handler.decorator';
import { JOBS, QUEUES } from '../../queue/queues';
import { RealtimeService } from '../../realtime/realtime.service';
import type { StepLogEntry } from '../engine/execution-log';
import { WorkflowRunner } from '../engine/workflow-runner';
import type { ExecutionJobData } from './execution-job';
import { type ClaimedExecution, ExecutionStore } from './execution-store';

/**
 * Worker: runs one execution per job. Claims it (pending or an interrupted run), runs the
 * steps — skipping those an interrupted run completed — logging each step before the next
 * starts, and ends it in exactly one terminal state. Status changes go to realtime clients.
 */
const EXECUTION_FLAG = 'enable_workflow_execution';

@Injectable()
export class ExecutionJobs implements OnModuleInit {
  private readonly logger = new Logger(ExecutionJobs.name);

  constructor(
    private readonly store: ExecutionStore,
    private readonly runner: WorkflowRunner,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
    private readonly flags: FeatureFlagsService,
    @InjectQueue(QUEUES.workflows) private readonly queue: Queue,
  ) {}

  onModuleInit(): void {
    // Out of job attempts (infrastructure kept failing): the execution fails, visibly.
    this.queue.on('failed', (job: Job<ExecutionJobData>, err: Error) => {
      if (job.name !== JOBS.workflows.execute || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      void this.store
        .finish(job.data.executionId, 'failed', `worker error: ${err.message}`.slice(0, 2_000))
        .catch((e: Error) => this.logger.error(`could not mark execution ${job.data.executionId} failed: ${e.message}`));
    });
  }

  @JobHandler(QUEUES.workflows, JOBS.workflows.execute)
  async execute(job: Job<ExecutionJobData>): Promise<{ status: string }> {
    const execution = await this.store.claim(job.data.executionId);
    if (!execution) return { status: 'skipped' };
    if (execution.triggerType === 'schedule' && !execution.workflowActive) {
      await this.end(execution, 'cancelled', 'workflow was deactivated before the run started');
      return { status: 'cancelled' };
    }
    // The kill switch also stops runs queued before it was flipped, and scheduled runs.
    const subject = { userId: execution.ownerId, ...(execution.organizationId ? { organizationIds: [execution.organizationId] } : {}) };
    if (!(await this.flags.isEnabled(EXECUTION_FLAG, subject, { whenMissing: true }))) {
      await this.end(execution, 'cancelled', `workflow execution is temporarily disabled (${EXECUTION_FLAG})`);
      return { status: 'cancelled' };
    }
    this.publish(execution, 'running', null);
    const remaining = execution.startedAt.getTime() + this.config.workflows.executionTimeoutMs - Date.now();
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
      },
      {
        onStep: async (entry: StepLogEntry) => {
          await this.store.appendLog(execution.id, entry);
          this.publish(execution, 'running', { id: entry.step_id, status: entry.status });
        },
      },
    );
    await this.end(execution, result.status, result.status === 'failed' ? result.error : null);
    return { status: result.status };
  }

  private async end(execution: ClaimedExecution, status: 'completed' | 'failed' | 'cancelled', error: string | null): Promise<void> {
    if (await this.store.finish(execution.id, status, error)) this.publish(execution, status, null);
  }

  private publish(e: ClaimedExecution, status: string, step: { id: string; status: string } | null): void {
    const payload = { id: e.id, workflow_id: e.workflowId, status, step };
    this.realtime.toUser(e.ownerId, 'workflow.execution.updated', payload);
    if (e.organizationId) this.realtime.toOrg(e.organizationId, 'workflow.execution.updated', payload);
  }
}
