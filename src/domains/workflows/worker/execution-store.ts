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
  /** The delay step it was parked in (resumed now), and the time parked before. */
  parkedStep: { step_id: string; started_at: string } | null;
  parkedMs: number;
}

type Terminal = 'completed' | 'failed' | 'cancelled';

/** Whose slots an execution uses: its workflow's organization, else its workflow's user. */
export interface ExecutionOwner {
  userId: string;
  organizationId: string | null;
}

/** What a job does with its execution (see `acquireSlot`). */
export type SlotDecision =
  | { kind: 'gone' }
  | { kind: 'acquired' }
  /** parked in a delay that has not ended: continue with job `<id>:w<seq>` then */
  | { kind: 'early'; seq: number; resumeAt: Date }
  /** all of the owner's slots are taken (or older executions wait for them): continue with `<id>:w<seq>` */
  | { kind: 'wait'; seq: number };

const OPEN = `e.status IN ('pending', 'running')`;
const READY = `(e.resume_at IS NULL OR e.resume_at <= now())`;
/** `$1` is the owner: the organization for its workflows, else the user for their personal ones. */
const ownerFilter = (owner: ExecutionOwner) => (owner.organizationId ? 'w.organization_id = $1' : 'w.organization_id IS NULL AND w.user_id = $1');
const ownerParam = (owner: ExecutionOwner) => owner.organizationId ?? owner.userId;

/**
 * The worker's writes to executions. Every transition is guarded by the current status in
 * the WHERE clause, so however often a job is retried or taken over after a crash, an
 * execution reaches exactly one terminal state.
 */
@Injectable()
export class ExecutionStore {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Whether the job may run its execution now. An owner (an organization for its
   * workflows, else the user) has at most `cap` executions holding a slot, across all
   * workers; the others wait in creation order — an execution takes a slot only when the
   * ones holding slots plus the older ones ready to run are fewer than `cap`. Decided under
   * a transaction advisory lock per owner, so concurrent jobs cannot both take the last slot.
   * A job that finds its execution already holding a slot (a crashed run taken over) goes on.
   */
  async acquireSlot(executionId: string, cap: number): Promise<SlotDecision> {
    return this.ds.transaction(async (em) => {
      const [e] = (await em.query(
        `SELECT e.id, e.created_at, e.holds_slot, e.resume_at, e.resume_at > now() AS early, w.user_id, w.organization_id
           FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
          WHERE e.id = $1 AND ${OPEN}
            FOR UPDATE OF e`,
        [executionId],
      )) as { created_at: Date; holds_slot: boolean; resume_at: Date | null; early: boolean; user_id: string; organization_id: string | null }[];
      if (!e) return { kind: 'gone' };
      const nextSeq = async () =>
        ((await em.query('UPDATE workflow_executions SET wake_seq = wake_seq + 1 WHERE id = $1 RETURNING wake_seq', [executionId])) as [
          { wake_seq: number }[],
          number,
        ])[0][0].wake_seq;
      if (e.early) return { kind: 'early', seq: await nextSeq(), resumeAt: e.resume_at! };
      if (e.holds_slot) return { kind: 'acquired' };
      const owner = { userId: e.user_id, organizationId: e.organization_id };
      await em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`floyo:workflow-owner:${ownerParam(owner)}`]);
      const [taken] = (await em.query(
        `SELECT count(*) FILTER (WHERE e.holds_slot)::int AS running,
                count(*) FILTER (WHERE NOT e.holds_slot AND ${READY} AND (e.created_at, e.id) < ($2, $3))::int AS ahead
           FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
          WHERE ${OPEN} AND ${ownerFilter(owner)}`,
        [ownerParam(owner), e.created_at, executionId],
      )) as { running: number; ahead: number }[];
      if (taken.running + taken.ahead >= cap) return { kind: 'wait', seq: await nextSeq() };
      await em.query('UPDATE workflow_executions SET holds_slot = true WHERE id = $1', [executionId]);
      return { kind: 'acquired' };
    });
  }

  /**
   * Parks a running execution in a delay step: its slot is released and it waits with no
   * worker until `resumeAt`; returns the sequence number of the job that resumes it.
   */
  async park(executionId: string, stepId: string, startedAt: string, resumeAt: Date): Promise<number | null> {
    const rows = (await this.ds.query(
      `UPDATE workflow_executions SET holds_slot = false, resume_at = $2, parked_step = $3::jsonb, wake_seq = wake_seq + 1
        WHERE id = $1 AND status = 'running'
        RETURNING wake_seq`,
      [executionId, resumeAt, JSON.stringify({ step_id: stepId, started_at: startedAt })],
    )) as [{ wake_seq: number }[], number];
    return rows[0][0]?.wake_seq ?? null;
  }

  /** Back from a delay: the step's log entry is written and the parked time is set aside. */
  async unpark(executionId: string, entry: StepLogEntry, parkedMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE workflow_executions
          SET execution_log = execution_log || $2::jsonb, resume_at = NULL, parked_step = NULL, parked_ms = parked_ms + $3
        WHERE id = $1 AND status = 'running'`,
      [executionId, JSON.stringify([entry]), Math.max(0, Math.round(parkedMs))],
    );
  }

  /**
   * The owner's oldest executions ready for a slot (at most `limit`), with the sequence
   * number of the job each waits on: when a slot frees, that job is woken at once.
   */
  async nextWaiting(owner: ExecutionOwner, limit: number): Promise<{ id: string; wakeSeq: number }[]> {
    const rows = (await this.ds.query(
      `SELECT e.id, e.wake_seq
         FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
        WHERE ${OPEN} AND NOT e.holds_slot AND ${READY} AND ${ownerFilter(owner)}
        ORDER BY e.created_at, e.id
        LIMIT $2`,
      [ownerParam(owner), limit],
    )) as { id: string; wake_seq: number }[];
    return rows.map((r) => ({ id: r.id, wakeSeq: r.wake_seq }));
  }

  /** pending|running → running (a crashed run is taken over); null when already finished or gone. */
  async claim(executionId: string): Promise<ClaimedExecution | null> {
    const rows = (await this.ds.query(
      `UPDATE workflow_executions e
          SET status = 'running', started_at = COALESCE(e.started_at, now()),
              attempts = e.attempts + CASE WHEN e.parked_step IS NULL THEN 1 ELSE 0 END -- back from a delay is not a new attempt
         FROM workflows w
        WHERE e.id = $1 AND e.status IN ('pending', 'running') AND w.id = e.workflow_id
        RETURNING e.id, e.workflow_id, w.user_id, w.organization_id, w.is_active, w.steps,
                  e.trigger_type, e.trigger_data, e.execution_log, e.started_at, e.attempts, e.parked_step, e.parked_ms`,
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
      parkedStep: (r.parked_step as ClaimedExecution['parkedStep']) ?? null,
      parkedMs: Number(r.parked_ms ?? 0),
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
      `UPDATE workflow_executions SET status = $2, error_message = $3, completed_at = now(),
              holds_slot = false, resume_at = NULL, parked_step = NULL
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

  /**
   * Executions whose job may have been lost (with Redis, or a worker that died between two
   * writes): pending for a while, or parked past their resume time. Enqueued again with the
   * id of the job they wait on, so one still queued is not doubled.
   */
  async stale(
    olderThanSeconds: number,
    limit: number,
  ): Promise<{ id: string; workflowId: string; scheduledFor: Date | null; wakeSeq: number }[]> {
    const rows = (await this.ds.query(
      `SELECT id, workflow_id, scheduled_for, wake_seq FROM workflow_executions
        WHERE (status = 'pending' AND created_at < now() - make_interval(secs => $1))
           OR (status = 'running' AND NOT holds_slot AND resume_at < now() - make_interval(secs => $1))
        ORDER BY created_at LIMIT $2`,
      [olderThanSeconds, limit],
    )) as { id: string; workflow_id: string; scheduled_for: Date | null; wake_seq: number }[];
    return rows.map((r) => ({ id: r.id, workflowId: r.workflow_id, scheduledFor: r.scheduled_for, wakeSeq: r.wake_seq }));
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
