import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { StepLogEntry } from '../engine/execution-log';
import type { WorkflowStep } from '../steps/step.types';

export interface ClaimedExecution {
  id: string;
  workflowId: string;
  ownerId: string;
  organizationId: string | null;
  workflowActive: boolean;
  steps: WorkflowStep[];
  triggerType: string;
  triggerData: unknown;
  executionLog: StepLogEntry[];
  startedAt: Date;
  attempts: number;
}

type Terminal = 'completed' | 'failed' | 'cancelled';

/**
 * The worker's writes to executions. Every transition is guarded by the current status in
 * the WHERE clause, so however often a job is retried or taken over after a crash, an
 * execution reaches exactly one terminal state.
 */
@Injectable()
export class ExecutionStore {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** pending|running → running (a crashed run is taken over); null when already finished or gone. */
  async claim(executionId: string): Promise<ClaimedExecution | null> {
    const rows = (await this.ds.query(
      `UPDATE workflow_executions e
          SET status = 'running', started_at = COALESCE(e.started_at, now()), attempts = e.attempts + 1
         FROM workflows w
        WHERE e.id = $1 AND e.status IN ('pending', 'running') AND w.id = e.workflow_id
        RETURNING e.id, e.workflow_id, w.user_id, w.organization_id, w.is_active, w.steps,
                  e.trigger_type, e.trigger_data, e.execution_log, e.started_at, e.attempts`,
      [executionId],
    )) as [Record<string, unknown>[], number];
    const r = rows[0][0];
    if (!r) return null;
    return {
      id: r.id as string,
      workflowId: r.workflow_id as string,
      ownerId: r.user_id as string,
      organizationId: (r.organization_id as string | null) ?? null,
      workflowActive: r.is_active as boolean,
      steps: r.steps as WorkflowStep[],
      triggerType: r.trigger_type as string,
      triggerData: r.trigger_data,
      executionLog: (r.execution_log as StepLogEntry[]) ?? [],
      startedAt: r.started_at as Date,
      attempts: r.attempts as number,
    };
  }

  async appendLog(executionId: string, entry: StepLogEntry): Promise<void> {
    await this.ds.query(
      `UPDATE workflow_executions SET execution_log = execution_log || $2::jsonb WHERE id = $1 AND status = 'running'`,
      [executionId, JSON.stringify([entry])],
    );
  }

  /** running|pending → terminal, once. False if someone else finished it first. */
  async finish(executionId: string, status: Terminal, error: string | null): Promise<boolean> {
    const res = (await this.ds.query(
      `UPDATE workflow_executions SET status = $2, error_message = $3, completed_at = now()
        WHERE id = $1 AND status IN ('pending', 'running')
        RETURNING id`,
      [executionId, status, error],
    )) as [unknown[], number];
    if (status === 'completed' || status === 'failed') {
      await this.ds.query(
        `UPDATE workflows w SET last_run_at = now() FROM workflow_executions e WHERE e.id = $1 AND w.id = e.workflow_id`,
        [executionId],
      );
    }
    return res[1] > 0;
  }

  /** Executions stuck pending (their job lost with Redis) that should be enqueued again. */
  async stalePending(olderThanSeconds: number, limit: number): Promise<{ id: string; workflowId: string; scheduledFor: Date | null }[]> {
    const rows = (await this.ds.query(
      `SELECT id, workflow_id, scheduled_for FROM workflow_executions
        WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT $2`,
      [olderThanSeconds, limit],
    )) as { id: string; workflow_id: string; scheduled_for: Date | null }[];
    return rows.map((r) => ({ id: r.id, workflowId: r.workflow_id, scheduledFor: r.scheduled_for }));
  }

  /** Deletes executions older than the retention, in batches; returns how many. */
  async purgeOlderThan(days: number, batch = 1_000): Promise<number> {
    let total = 0;
    for (;;) {
      const res = (await this.ds.query(
        `DELETE FROM workflow_executions WHERE id IN (
           SELECT id FROM workflow_executions
            WHERE created_at < now() - make_interval(days => $1) AND status IN ('completed', 'failed', 'cancelled')
            LIMIT $2)`,
        [days, batch],
      )) as [unknown[], number];
      total += res[1];
      if (res[1] < batch) return total;
    }
  }
}
