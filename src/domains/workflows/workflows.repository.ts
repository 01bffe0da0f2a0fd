import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, type Repository } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { WorkflowVersion } from './entities/workflow-version.entity';
import { Workflow } from './entities/workflow.entity';
import type { ScheduleConfig } from './schedule/schedule';

/** The columns of a new workflow. */
export type NewWorkflow = Pick<
  Workflow,
  'userId' | 'organizationId' | 'name' | 'description' | 'steps' | 'scheduleConfig' | 'trigger' | 'isActive' | 'version' | 'nextRunAt'
>;

/** The columns of a new version of a workflow. */
export type NewWorkflowVersion = Pick<
  WorkflowVersion,
  'workflowId' | 'versionNumber' | 'name' | 'description' | 'steps' | 'scheduleConfig' | 'trigger' | 'changeSummary' | 'createdBy'
>;

/** A scheduled workflow whose run is due, locked by the ticker's transaction. */
export interface DueWorkflow {
  id: string;
  nextRunAt: Date;
  scheduleConfig: ScheduleConfig;
  /** The database's now() (the schedules advance from it). */
  dbNow: Date;
}

/**
 * Statements on the workflows domain's definitions: workflows and workflow_versions (the
 * executions are ExecutionsRepository's).
 */
@Injectable()
export class WorkflowsRepository {
  constructor(
    @InjectRepository(Workflow) private readonly workflows: Repository<Workflow>,
    @InjectRepository(WorkflowVersion) private readonly versions: Repository<WorkflowVersion>,
    private readonly sql: Sql,
  ) {}

  /** Who owns the workflow, and its organization (the org permission guard's loader). */
  async ownerOf(id: string): Promise<{ ownerId: string; organizationId: string | null } | null> {
    const row = await this.workflows.findOne({
      where: { id },
      select: { id: true, userId: true, organizationId: true },
    });
    return row ? { ownerId: row.userId, organizationId: row.organizationId } : null;
  }

  insert(values: NewWorkflow, tx: EntityManager): Promise<Workflow> {
    return tx.save(tx.create(Workflow, values));
  }

  /**
   * A page of an organization's workflows (`organizationId`), else of the user's personal
   * ones; newest first, with the total.
   */
  page(userId: string, organizationId: string | undefined, skip: number, take: number): Promise<[Workflow[], number]> {
    const where = organizationId ? { organizationId } : { userId, organizationId: IsNull() };
    return this.workflows.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      skip,
      take,
    });
  }

  /** The workflow (inside `tx` when given). */
  findById(id: string, tx?: EntityManager): Promise<Workflow | null> {
    return tx ? tx.findOneBy(Workflow, { id }) : this.workflows.findOneBy({ id });
  }

  /** The workflow, its row locked for update until `tx` ends. */
  lockById(id: string, tx: EntityManager): Promise<Workflow | null> {
    return tx.findOne(Workflow, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  save(workflow: Workflow, tx: EntityManager): Promise<Workflow> {
    return tx.save(workflow);
  }

  async delete(id: string, tx: EntityManager): Promise<void> {
    await tx.delete(Workflow, { id });
  }

  findVersion(workflowId: string, versionNumber: number, tx: EntityManager): Promise<WorkflowVersion | null> {
    return tx.findOneBy(WorkflowVersion, { workflowId, versionNumber });
  }

  async insertVersion(values: NewWorkflowVersion, tx: EntityManager): Promise<void> {
    await tx.save(tx.create(WorkflowVersion, values));
  }

  /** The workflow's versions, newest first. */
  listVersions(workflowId: string): Promise<WorkflowVersion[]> {
    return this.versions.find({ where: { workflowId }, order: { versionNumber: 'DESC' } });
  }

  /**
   * Up to `limit` active workflows whose run is due, oldest due first, locked until `tx`
   * ends; rows another ticker holds are skipped.
   */
  async lockDue(limit: number, tx: EntityManager): Promise<DueWorkflow[]> {
    const { rows } = await this.sql.run<{ id: string; next_run_at: Date; schedule_config: ScheduleConfig; db_now: Date }>(
      `SELECT id, next_run_at, schedule_config, now() AS db_now FROM workflows
        WHERE is_active AND next_run_at IS NOT NULL AND next_run_at <= now()
        ORDER BY next_run_at
        LIMIT $1
        FOR UPDATE SKIP LOCKED`,
      [limit],
      tx,
    );
    return rows.map((w) => ({ id: w.id, nextRunAt: w.next_run_at, scheduleConfig: w.schedule_config, dbNow: w.db_now }));
  }

  /** Sets each workflow's next run (`nextRunAt[i]` for `ids[i]`; null stops its schedule). */
  async setNextRuns(ids: string[], nextRunAt: (Date | null)[], tx: EntityManager): Promise<void> {
    await this.sql.run(
      `UPDATE workflows w SET next_run_at = t.n FROM unnest($1::uuid[], $2::timestamptz[]) AS t(id, n) WHERE w.id = t.id`,
      [ids, nextRunAt],
      tx,
    );
  }

  /**
   * The active activity-triggered workflows whose trigger sees `userId`'s events: the user's
   * personal ones, their own in organizations they belong to, and their organizations'
   * workflows that include the members' events.
   */
  async activityTriggersOf(userId: string): Promise<{ id: string; trigger: Record<string, unknown> }[]> {
    const { rows } = await this.sql.run<{ id: string; trigger: Record<string, unknown> }>(
      `SELECT w.id, w.trigger FROM workflows w
        WHERE w.is_active AND w.trigger->>'type' = 'activity'
          AND ((w.organization_id IS NULL AND w.user_id = $1)
            OR (w.organization_id IN (SELECT m.organization_id FROM organization_members m WHERE m.user_id = $1)
                AND (w.user_id = $1 OR (w.trigger->>'include_members')::boolean)))`,
      [userId],
    );
    return rows;
  }
}
