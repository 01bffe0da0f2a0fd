import { InjectQueue } from '@nestjs/bull';
import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Queue } from 'bull';
import { AuditService } from '@/domains/audit';
import { withTimeout } from '@/platform/async/with-timeout';
import type { AuthUser } from '@/platform/http/principal';
import type { ClientInfo } from '@/platform/http/client-info';
import { AppConfig } from '@/platform/config/app-config';
import { Transactions } from '@/platform/database/transactions';
import { JOBS, QUEUES } from '@/platform/queue/queues';
import type { WorkflowExecution } from './entities/workflow-execution.entity';
import { ExecutionsRepository } from './executions.repository';
import { executionJobOptions } from './worker/execution-job';
import { WorkflowsRepository } from './workflows.repository';
import { WORKFLOW_NOT_FOUND } from './workflows.service';

const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * Manual executions: recorded as `pending` and handed to the worker through Bull. The
 * database row is the source of truth — if Redis does not take the job in time, the
 * ticker's recovery sweep enqueues it later (job ids are deterministic, so twice is once).
 */
@Injectable()
export class ExecutionsService {
  private readonly logger = new Logger(ExecutionsService.name);

  constructor(
    private readonly executions: ExecutionsRepository,
    private readonly workflows: WorkflowsRepository,
    private readonly transactions: Transactions,
    @InjectQueue(QUEUES.workflows) private readonly queue: Queue,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async execute(
    user: AuthUser,
    workflowId: string,
    trigger: Record<string, unknown> | undefined,
    idempotencyKey: string | undefined,
    client: ClientInfo,
  ): Promise<WorkflowExecution> {
    const execution = await this.transactions.run(async (tx) => {
      const workflow = await this.workflows.findById(workflowId, tx);
      if (!workflow) throw new NotFoundException(WORKFLOW_NOT_FOUND);
      if (!workflow.isActive) throw new ConflictException('Workflow is not active');
      const id = await this.executions.insertManual(workflowId, user.id, idempotencyKey ?? null, trigger ?? {}, tx);
      if (!id) {
        // the same key again: the same execution
        return this.executions.getByIdempotencyKey(workflowId, idempotencyKey!, tx);
      }
      await this.audit.record(tx, {
        actorId: user.id,
        organizationId: workflow.organizationId,
        action: 'execute',
        resourceType: 'workflow',
        resourceId: workflowId,
        ip: client.ip,
        userAgent: client.userAgent,
        details: { execution_id: id },
      });
      return this.executions.getById(id, tx);
    });
    if (execution.status === 'pending') await this.enqueue(execution.id);
    return execution;
  }

  /** Bounded: a Redis outage must not hang the request (the sweep enqueues it later). */
  private async enqueue(executionId: string): Promise<void> {
    const add = this.queue.add(
      JOBS.workflows.execute,
      { executionId },
      executionJobOptions(executionId, this.config.workflows.executionTimeoutMs),
    );
    try {
      await withTimeout(add, ENQUEUE_TIMEOUT_MS, `queue did not accept the job within ${ENQUEUE_TIMEOUT_MS} ms`);
    } catch (err) {
      this.logger.warn(`execution ${executionId} left pending for the recovery sweep: ${(err as Error).message}`);
    }
  }

  list(workflowId: string, limit: number, offset: number): Promise<WorkflowExecution[]> {
    return this.executions.list(workflowId, limit, offset);
  }

  async get(workflowId: string, executionId: string): Promise<WorkflowExecution> {
    const execution = await this.executions.findOfWorkflow(workflowId, executionId);
    if (!execution) throw new NotFoundException('Execution not found');
    return execution;
  }
}
