import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@/domains/audit';
import { Transactions } from '@/platform/database/transactions';
import type { AuthUser } from '@/platform/http/principal';
import type { ClientInfo } from '@/platform/http/client-info';
import { page, type Page } from '@/platform/http/pagination';
import { validationFailed } from '@/platform/http/pipes/validation.pipe';
import type { CreateWorkflowDto, ListWorkflowsQuery, UpdateWorkflowDto } from './dto/workflow.dto';
import type { WorkflowVersion } from './entities/workflow-version.entity';
import type { Workflow } from './entities/workflow.entity';
import { nextRunAfter, parseSchedule, type ScheduleConfig } from './schedule/schedule';
import { IntegrationGateway } from '@/domains/integrations';
import { EventBus } from '@/platform/event-bus/event-bus';
import { normaliseSteps } from './steps/step-validation';
import { parseTrigger, type WorkflowTrigger } from './triggers/activity-trigger';
import type { WorkflowStep } from './steps/step.types';
import { type HookView, type IssuedHook, WorkflowHooks } from './triggers/workflow-hooks';
import { WorkflowsRepository } from './workflows.repository';

export const WORKFLOW_NOT_FOUND = 'Workflow not found';

interface Content {
  name: string;
  description: string | null;
  steps: WorkflowStep[];
  scheduleConfig: ScheduleConfig | null;
  trigger: WorkflowTrigger | null;
}

/** A stored workflow, and the webhook hook its change issued (the one time its secret is shown). */
export interface WorkflowChange {
  workflow: Workflow;
  issuedHook: IssuedHook | null;
}

const NO_WEBHOOK = 'Workflow has no webhook trigger';

/**
 * Workflow definitions and their versions. Every change of content (name, description,
 * steps, schedule) is a new version; rollback restores an old version's content as a new
 * one. Authorization happens before (RequireOrgPermission); these use cases assume it.
 */
@Injectable()
export class WorkflowsService {
  constructor(
    private readonly workflows: WorkflowsRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly integrations: IntegrationGateway,
    private readonly bus: EventBus,
    private readonly hooks: WorkflowHooks,
  ) {}

  private announced(change: WorkflowChange): WorkflowChange {
    this.changed(change.workflow);
    return change;
  }

  /** Announces the change (activity triggers are cached per user); returns the workflow. */
  private changed(workflow: Workflow): Workflow {
    void this.bus.publish('workflow.changed', {
      workflowId: workflow.id,
      userId: workflow.userId,
      organizationId: workflow.organizationId,
    });
    return workflow;
  }

  async create(user: AuthUser, dto: CreateWorkflowDto, client: ClientInfo): Promise<Workflow> {
    return (await this.createWithHook(user, dto, client)).workflow;
  }

  /** create(), also returning the hook (and its secret) issued for a webhook trigger. */
  async createWithHook(user: AuthUser, dto: CreateWorkflowDto, client: ClientInfo): Promise<WorkflowChange> {
    const steps = validSteps(dto.steps);
    const schedule = validSchedule(dto.schedule_config);
    const trigger = validTrigger(dto.trigger, !!dto.organization_id);
    await this.checkIntegrationSteps(dto.steps, steps, { userId: user.id, organizationId: dto.organization_id ?? null });
    return this.announced(
      await this.transactions.run(async (tx) => {
        const isActive = dto.is_active ?? true;
        const workflow = await this.workflows.insert(
          {
            userId: user.id,
            organizationId: dto.organization_id ?? null,
            name: dto.name,
            description: dto.description ?? null,
            steps,
            scheduleConfig: schedule,
            trigger: trigger as Record<string, unknown> | null,
            isActive,
            version: 1,
            nextRunAt: isActive && schedule ? nextRunAfter(schedule, new Date()) : null,
          },
          tx,
        );
        await this.recordVersion(tx, workflow, user.id, 'Created');
        await this.audited(tx, user, workflow, 'create', client, { version: 1 });
        return { workflow, issuedHook: await this.hooks.sync(workflow, tx) };
      }),
    );
  }

  /**
   * Integration steps name an integration the workflow may use, one of its connector's
   * actions, and params that match the action's schema: 422 naming the step and field now,
   * not a failed run later.
   */
  private async checkIntegrationSteps(
    input: unknown,
    steps: WorkflowStep[],
    owner: { userId: string; organizationId: string | null },
  ): Promise<void> {
    const checks = steps.flatMap((step, index) =>
      step.type === 'integration'
        ? [
            {
              ...owner,
              integrationId: step.integration_id,
              action: step.action,
              params: step.params ?? {},
              loc: ['body', 'steps', Array.isArray(input) ? index : step.id],
              label: `steps[${index}] "${step.id}"`,
            },
          ]
        : [],
    );
    if (!checks.length) return;
    const issues = await this.integrations.checkSteps(checks);
    if (issues.length) throw validationFailed(issues);
  }

  async list(user: AuthUser, query: ListWorkflowsQuery): Promise<Page<Workflow>> {
    const [items, total] = await this.workflows.page(user.id, query.organization_id, query.skip, query.limit);
    return page(items, total, query.skip, query.limit);
  }

  async get(id: string): Promise<Workflow> {
    const workflow = await this.workflows.findById(id);
    if (!workflow) throw new NotFoundException(WORKFLOW_NOT_FOUND);
    return workflow;
  }

  /** The update; a trigger changed to webhook issues its hook (removing the trigger deletes it). */
  async update(user: AuthUser, id: string, dto: UpdateWorkflowDto, client: ClientInfo): Promise<WorkflowChange> {
    const changes: Partial<Content> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.description !== undefined) changes.description = dto.description;
    if (dto.steps !== undefined) changes.steps = validSteps(dto.steps);
    if (dto.schedule_config !== undefined) changes.scheduleConfig = validSchedule(dto.schedule_config);
    if (changes.steps || dto.trigger !== undefined) {
      const current = await this.get(id);
      if (dto.trigger !== undefined) changes.trigger = validTrigger(dto.trigger, !!current.organizationId);
      if (changes.steps) {
        await this.checkIntegrationSteps(dto.steps, changes.steps, { userId: current.userId, organizationId: current.organizationId });
      }
    }
    return this.announced(
      await this.transactions.run(async (tx) => {
        const workflow = await this.lock(id, tx);
        const changed = (Object.keys(changes) as (keyof Content)[]).filter(
          (k) => JSON.stringify(workflow[k]) !== JSON.stringify(changes[k]),
        );
        if (!changed.length) return { workflow, issuedHook: null };
        Object.assign(workflow, changes);
        if (changed.includes('scheduleConfig')) workflow.nextRunAt = this.nextRun(workflow);
        workflow.version += 1;
        await this.workflows.save(workflow, tx);
        const summary = dto.change_summary ?? `Updated ${changed.map(describeField).join(', ')}`;
        await this.recordVersion(tx, workflow, user.id, summary);
        await this.audited(tx, user, workflow, 'update', client, { version: workflow.version, fields: changed.map(describeField) });
        return { workflow, issuedHook: await this.hooks.sync(workflow, tx) };
      }),
    );
  }

  /** Restores a version's content (its trigger too: a webhook trigger restored issues a new hook). */
  async rollback(user: AuthUser, id: string, versionNumber: number, client: ClientInfo): Promise<WorkflowChange> {
    return this.announced(
      await this.transactions.run(async (tx) => {
        const workflow = await this.lock(id, tx);
        const target = await this.workflows.findVersion(id, versionNumber, tx);
        if (!target) throw new NotFoundException(`Version ${versionNumber} not found`);
        workflow.name = target.name;
        workflow.description = target.description;
        workflow.steps = target.steps;
        workflow.scheduleConfig = target.scheduleConfig;
        workflow.trigger = target.trigger;
        workflow.nextRunAt = this.nextRun(workflow);
        workflow.version += 1;
        await this.workflows.save(workflow, tx);
        await this.recordVersion(tx, workflow, user.id, `Rolled back to version ${versionNumber}`);
        await this.audited(tx, user, workflow, 'rollback', client, { to_version: versionNumber, version: workflow.version });
        return { workflow, issuedHook: await this.hooks.sync(workflow, tx) };
      }),
    );
  }

  async setActive(user: AuthUser, id: string, active: boolean, client: ClientInfo): Promise<Workflow> {
    return this.changed(
      await this.transactions.run(async (tx) => {
        const workflow = await this.lock(id, tx);
        if (workflow.isActive === active) return workflow;
        workflow.isActive = active;
        // Deactivating stops the schedule at once; activating starts it from now.
        workflow.nextRunAt = this.nextRun(workflow);
        await this.workflows.save(workflow, tx);
        await this.audited(tx, user, workflow, active ? 'activate' : 'deactivate', client);
        return workflow;
      }),
    );
  }

  async remove(user: AuthUser, id: string, client: ClientInfo): Promise<void> {
    const removed = await this.transactions.run(async (tx) => {
      const workflow = await this.lock(id, tx);
      await this.audited(tx, user, workflow, 'delete', client, { name: workflow.name });
      await this.workflows.delete(id, tx);
      return workflow;
    });
    await this.changed(removed);
  }

  /** A new signing secret for the workflow's webhook (shown once; the old one is refused from now on). */
  async rotateHook(user: AuthUser, id: string, client: ClientInfo): Promise<IssuedHook> {
    return this.transactions.run(async (tx) => {
      const workflow = await this.lock(id, tx);
      const hook = await this.hooks.rotate(id, tx);
      if (!hook) throw new NotFoundException(NO_WEBHOOK);
      await this.audited(tx, user, workflow, 'rotate_hook_secret', client, { hook_id: hook.id });
      return hook;
    });
  }

  /** The webhook hooks of these workflows (workflow id → {id, url}; never a secret). */
  hooksOf(workflowIds: string[]): Promise<Map<string, HookView>> {
    return this.hooks.viewsOf(workflowIds);
  }

  listVersions(id: string): Promise<WorkflowVersion[]> {
    return this.workflows.listVersions(id);
  }

  private nextRun(workflow: Workflow): Date | null {
    const schedule = workflow.scheduleConfig as ScheduleConfig | null;
    return workflow.isActive && schedule ? nextRunAfter(schedule, new Date()) : null;
  }

  private async lock(id: string, tx: EntityManager): Promise<Workflow> {
    const workflow = await this.workflows.lockById(id, tx);
    if (!workflow) throw new NotFoundException(WORKFLOW_NOT_FOUND);
    return workflow;
  }

  private async recordVersion(tx: EntityManager, w: Workflow, userId: string, summary: string): Promise<void> {
    await this.workflows.insertVersion(
      {
        workflowId: w.id,
        versionNumber: w.version,
        name: w.name,
        description: w.description,
        steps: w.steps,
        scheduleConfig: w.scheduleConfig,
        trigger: w.trigger,
        changeSummary: summary.slice(0, 1_000),
        createdBy: userId,
      },
      tx,
    );
  }

  private audited(
    tx: EntityManager,
    user: AuthUser,
    w: Workflow,
    action: string,
    client: ClientInfo,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.audit.record(tx, {
      actorId: user.id,
      organizationId: w.organizationId,
      action,
      resourceType: 'workflow',
      resourceId: w.id,
      ip: client.ip,
      userAgent: client.userAgent,
      details,
    });
  }
}

function validSteps(input: unknown): WorkflowStep[] {
  const result = normaliseSteps(input);
  if (!result.ok) throw validationFailed(result.issues);
  return result.steps;
}

function validTrigger(input: unknown, isOrgWorkflow: boolean): WorkflowTrigger | null {
  const result = parseTrigger(input, isOrgWorkflow);
  if (!result.ok) throw validationFailed(result.issues);
  return result.trigger;
}

function validSchedule(input: unknown): ScheduleConfig | null {
  const result = parseSchedule(input);
  if (!result.ok) throw validationFailed(result.issues);
  return result.schedule;
}

const describeField = (k: keyof Content) => (k === 'scheduleConfig' ? 'schedule' : k);
