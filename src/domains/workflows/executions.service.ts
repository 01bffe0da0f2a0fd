import { InjectQueue } from '@nestjs/bull';
import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { Repository } from 'typeorm';
import { AuditService } from '@/domains/audit';
import type { AuthUser } from '@/platform/http/principal';
import type { ClientInfo } from '@/platform/http/client-info';
import { AppConfig } from '@/platform/config/app-config';
import { JOBS, QUEUES } from '@/platform/queue/queues';
import { WorkflowExecution } from './entities/workflow-execution.entity';
import { Workflow } from './entities/workflow.entity';
import { executionJobOptions } from './worker/execution-job';
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
    @InjectRepository(WorkflowExecution) private readonly executions: Repository<WorkflowExecution>,
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
    const execution = await this.executions.manager.transaction(async (em) => {
      const workflow = await em.findOneBy(Workflow, { id: workflowId });
      if (!workflow) throw new NotFoundException(WORKFLOW_NOT_FOUND);
      if (!workflow.isActive) throw new ConflictException('Workflow is not active');
      const inserted = (await em.query(
        `INSERT INTO workflow_executions (workflow_id, triggered_by, trigger_type, status, idempotency_key, trigger_data)
         VALUES ($1, $2, 'manual', 'pending', $3, $4::jsonb)
         ON CONFLICT (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id`,
        [workflowId, user.id, idempotencyKey ?? null, JSON.stringify(trigger ?? {})],
      )) as { id: string }[];
      const id = inserted[0]?.id;
      if (!id) {
        // the same key again: the same execution
        return em.findOneByOrFail(WorkflowExecution, { workflowId, idempotencyKey: idempotencyKey! });
      }
      await this.audit.record(em, {
        actorId: user.id,
        organizationId: workflow.organizationId,
        action: 'execute',
        resourceType: 'workflow',
        resourceId: workflowId,
        ip: client.ip,
        userAgent: client.userAgent,
        details: { execution_id: id },
      });
      return em.findOneByOrFail(WorkflowExecution, { id });
    });
    if (execution.status === 'pending') await this.enqueue(execution.id);
    return execution;
  }

  /** Bounded: a Redis outage must not hang the request (the sweep enqueues it later). */
  private async enqueue(executionId: string): Promise<void> {
    const add = this.queue.add(JOBS.workflows.execute, { executionId }, executionJobOptions(executionId, this.config.workflows.executionTimeoutMs));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`queue did not accept the job within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([add, timeout]);
    } catch (err) {
      add.catch(() => undefined);
      this.logger.warn(`execution ${executionId} left pending for the recovery sweep: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  list(workflowId: string, limit: number, offset: number): Promise<WorkflowExecution[]> {
    return this.executions.find({
      where: { workflowId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
      select: {
        id: true,
        workflowId: true,
        status: true,
        triggerType: true,
        triggeredBy: true,
        scheduledFor: true,
        startedAt: true,
        completedAt: true,
        errorMessage: true,
        attempts: true,
        createdAt: true,
      },
    });
  }

  async get(workflowId: string, executionId: string): Promise<WorkflowExecution> {
    const execution = await this.executions.findOneBy({ id: executionId, workflowId });
    if (!execution) throw new NotFoundException('Execution not found');
    return execution;
  }
}
