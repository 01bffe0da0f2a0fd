import { createHash } from 'node:crypto';
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
 * How a dry run's Idempotency-Key is stored: `dry-run <sha256 of the key>`. The space keeps it
 * apart from every real run's key (1–255 printable ASCII characters, no space), so a dry run
 * never answers with a real run of the same key nor the other way round, in the one unique
 * index of (workflow, key); the hash keeps it within the column's 255 characters.
 */
const dryRunKey = (key: string) => `dry-run ${createHash('sha256').update(key).digest('hex')}`;

/**
 * Manual executions (and dry runs, `dryRun`: nothing is sent, see WorkflowRunner): recorded
 * as `pending` and handed to the worker through Bull. The
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
    dryRun = false,
  ): Promise<WorkflowExecution> {
    const execution = await this.transactions.run(async (tx) => {
      const workflow = await this.workflows.findById(workflowId, tx);
      if (!workflow) throw new NotFoundException(WORKFLOW_NOT_FOUND);
      // a dry run is how an inactive workflow is tested before it is activated
      if (!workflow.isActive && !dryRun) throw new ConflictException('Workflow is not active');
      const key = idempotencyKey === undefined ? null : dryRun ? dryRunKey(idempotencyKey) : idempotencyKey;
      const id = await this.executions.insertManual(workflowId, user.id, key, trigger ?? {}, dryRun, tx);
      if (!id) {
        // the same key again: the same execution (of the same kind: dry runs and real runs have their own keys)
        return this.executions.getByIdempotencyKey(workflowId, key!, dryRun, tx);
      }
      await this.audit.record(tx, {
        actorId: user.id,
        organizationId: workflow.organizationId,
        action: 'execute',
        resourceType: 'workflow',
        resourceId: workflowId,
        ip: client.ip,
        userAgent: client.userAgent,
        details: { execution_id: id, ...(dryRun ? { dry_run: true } : {}) },
      });
      return this.executions.getById(id, tx);
    });
    if (execution.status === 'pending') await this.enqueue(execution.id);
    return execution;
  }

  /** Bounded: a Redis outage must not hang the request (the sweep enqueues it later). Manual, webhook and activity runs. */
  async enqueue(executionId: string): Promise<void> {
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
