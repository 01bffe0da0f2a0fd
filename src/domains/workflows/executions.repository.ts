import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import type { StepLogEntry } from './engine/execution-log';
import { WorkflowExecution } from './entities/workflow-execution.entity';
import type { WorkflowStep } from './steps/step.types';

export interface ClaimedExecution {
  id: string;
  workflowId: string;
  ownerId: string;
  organizationId: string | null;
  workflowActive: boolean;
  steps: WorkflowStep[];
  triggerType: string;
  triggerData: unknown;
  /** Nothing is sent: http and integration steps record their requests, delays do not wait. */
  dryRun: boolean;
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

/** An open execution, locked by the slot decision's transaction. */
export interface OpenExecution {
  createdAt: Date;
  holdsSlot: boolean;
  resumeAt: Date | null;
  /** Parked in a delay that has not ended yet. */
  early: boolean;
  owner: ExecutionOwner;
}

const OPEN = `e.status IN ('pending', 'running')`;
const READY = `(e.resume_at IS NULL OR e.resume_at <= now())`;
/** `$1` is the owner: the organization for its workflows, else the user for their personal ones. */
const ownerFilter = (owner: ExecutionOwner) =>
  owner.organizationId ? 'w.organization_id = $1' : 'w.organization_id IS NULL AND w.user_id = $1';
const ownerParam = (owner: ExecutionOwner) => owner.organizationId ?? owner.userId;

/** What the list of a workflow's executions shows (no log, no trigger data). */
const LISTED = {
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
  dryRun: true,
  createdAt: true,
} as const;

/**
 * Every statement on workflow_executions: the API's manual runs and reads, the ticker's
 * scheduled runs, and the worker's writes. Every transition of the worker is guarded by
 * the current status in the WHERE clause, so however often a job is retried or taken over
 * after a crash, an execution reaches exactly one terminal state.
 */
@Injectable()
export class ExecutionsRepository {
  constructor(
    @InjectRepository(WorkflowExecution) private readonly executions: Repository<WorkflowExecution>,
    private readonly sql: Sql,
  ) {}

  /**
   * Records a manual run (or dry run) as `pending`; returns its id, or null when the
   * workflow already has an execution with this idempotency key (a dry run's is stored
   * apart from real runs' keys: see ExecutionsService).
   */
  async insertManual(
    workflowId: string,
    triggeredBy: string,
    idempotencyKey: string | null,
    trigger: Record<string, unknown>,
    dryRun: boolean,
    tx: EntityManager,
  ): Promise<string | null> {
    const { rows } = await this.sql.run<{ id: string }>(
      `INSERT INTO workflow_executions (workflow_id, triggered_by, trigger_type, status, idempotency_key, trigger_data, dry_run)
       VALUES ($1, $2, 'manual', 'pending', $3, $4::jsonb, $5)
       ON CONFLICT (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id`,
      [workflowId, triggeredBy, idempotencyKey, JSON.stringify(trigger), dryRun],
      tx,
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Records a webhook delivery's run as `pending` (trigger_type `webhook`); returns its id,
   * or null when the workflow already has a run with this idempotency key (`webhook:<key>`).
   */
  async insertWebhook(
    workflowId: string,
    idempotencyKey: string | null,
    trigger: Record<string, unknown>,
    tx: EntityManager,
  ): Promise<string | null> {
    const { rows } = await this.sql.run<{ id: string }>(
      `INSERT INTO workflow_executions (workflow_id, trigger_type, status, idempotency_key, trigger_data)
       VALUES ($1, 'webhook', 'pending', $2, $3::jsonb)
       ON CONFLICT (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id`,
      [workflowId, idempotencyKey, JSON.stringify(trigger)],
      tx,
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Runs of an activity-triggered workflow for the events that matched it: one per
   * (workflow, event) — idempotency key `activity:<event id>`, so an event ingested or
   * retried twice starts one run — and at most `perMinute` started per minute. Matches
   * beyond the cap are coalesced: counted into the newest run of the minute (its trigger
   * data and a `trigger` entry of its log). Serialised per workflow (a transaction advisory
   * lock) so concurrent ingests cannot both take the last place. Returns the new run ids.
   */
  async insertActivityRuns(
    workflowId: string,
    perMinute: number,
    events: { id: string; data: Record<string, unknown> }[],
    tx: EntityManager,
  ): Promise<{ created: string[]; coalesced: number }> {
    await this.sql.run('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`floyo:activity-runs:${workflowId}`], tx);
    const keys = events.map((e) => `activity:${e.id}`);
    const { rows: seen } = await this.sql.run<{ key: string }>(
      `SELECT idempotency_key AS key FROM workflow_executions WHERE workflow_id = $1 AND idempotency_key = ANY($2::varchar[])`,
      [workflowId, keys],
      tx,
    );
    const done = new Set(seen.map((r) => r.key));
    const fresh = events.filter((e) => !done.has(`activity:${e.id}`));
    if (!fresh.length) return { created: [], coalesced: 0 };
    const { rows: window } = await this.sql.run<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflow_executions
        WHERE workflow_id = $1 AND trigger_type = 'activity' AND created_at > now() - interval '1 minute'`,
      [workflowId],
      tx,
    );
    const room = Math.max(0, perMinute - window[0].n);
    const run = fresh.slice(0, room);
    const created: string[] = [];
    if (run.length) {
      const { rows } = await this.sql.run<{ id: string }>(
        `INSERT INTO workflow_executions (workflow_id, trigger_type, status, idempotency_key, trigger_data)
         SELECT $1, 'activity', 'pending', k, d FROM unnest($2::varchar[], $3::jsonb[]) AS t(k, d)
         ON CONFLICT (workflow_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id`,
        [workflowId, run.map((e) => `activity:${e.id}`), run.map((e) => JSON.stringify(e.data))],
        tx,
      );
      created.push(...rows.map((r) => r.id));
    }
    const coalesced = fresh.length - run.length;
    if (coalesced > 0) {
      const now = new Date().toISOString();
      const note: StepLogEntry = {
        step_id: 'trigger',
        type: 'trigger',
        status: 'coalesced',
        attempts: 0,
        started_at: now,
        finished_at: now,
        output: {
          coalesced_events: coalesced,
          max_runs_per_minute: perMinute,
          message: `${coalesced} more matching event(s) within the minute were coalesced into this run (max_runs_per_minute ${perMinute})`,
        },
      };
      await this.sql.run(
        `UPDATE workflow_executions
            SET trigger_data = jsonb_set(coalesce(trigger_data, '{}'), '{coalesced_events}',
                                         to_jsonb(coalesce((trigger_data->>'coalesced_events')::int, 0) + $2)),
                execution_log = execution_log || $3::jsonb
          WHERE id = (SELECT id FROM workflow_executions
                       WHERE workflow_id = $1 AND trigger_type = 'activity' AND created_at > now() - interval '1 minute'
                       ORDER BY created_at DESC, id DESC LIMIT 1)`,
        [workflowId, coalesced, JSON.stringify([note])],
        tx,
      );
    }
    return { created, coalesced };
  }

  getById(id: string, tx: EntityManager): Promise<WorkflowExecution> {
    return tx.findOneByOrFail(WorkflowExecution, { id });
  }

  getByIdempotencyKey(workflowId: string, idempotencyKey: string, dryRun: boolean, tx: EntityManager): Promise<WorkflowExecution> {
    return tx.findOneByOrFail(WorkflowExecution, { workflowId, idempotencyKey, dryRun });
  }

  /** A page of the workflow's executions, newest first, without their logs. */
  list(workflowId: string, limit: number, offset: number): Promise<WorkflowExecution[]> {
    return this.executions.find({
      where: { workflowId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
      select: LISTED,
    });
  }

  findOfWorkflow(workflowId: string, executionId: string): Promise<WorkflowExecution | null> {
    return this.executions.findOneBy({ id: executionId, workflowId });
  }

  /**
   * Records one `pending` execution per (workflow, due time) — `workflowIds[i]` due at
   * `dueAt[i]`; one already recorded (a duplicate tick) is skipped. Returns those created.
   */
  async insertScheduled(
    workflowIds: string[],
    dueAt: Date[],
    tx: EntityManager,
  ): Promise<{ id: string; workflowId: string; scheduledFor: Date }[]> {
    const { rows } = await this.sql.run<{ id: string; workflow_id: string; scheduled_for: Date }>(
      `INSERT INTO workflow_executions (workflow_id, trigger_type, status, scheduled_for, trigger_data)
       SELECT t.w, 'schedule', 'pending', t.d, jsonb_build_object('scheduled_for', t.d)
         FROM unnest($1::uuid[], $2::timestamptz[]) AS t(w, d)
       ON CONFLICT (workflow_id, scheduled_for) DO NOTHING
       RETURNING id, workflow_id, scheduled_for`,
      [workflowIds, dueAt],
      tx,
    );
    return rows.map((r) => ({ id: r.id, workflowId: r.workflow_id, scheduledFor: r.scheduled_for }));
  }

  /** The execution if it is still open (pending or running), its row locked until `tx` ends. */
  async lockOpen(executionId: string, tx: EntityManager): Promise<OpenExecution | null> {
    const { rows } = await this.sql.run<{
      created_at: Date;
      holds_slot: boolean;
      resume_at: Date | null;
      early: boolean;
      user_id: string;
      organization_id: string | null;
    }>(
      `SELECT e.id, e.created_at, e.holds_slot, e.resume_at, e.resume_at > now() AS early, w.user_id, w.organization_id
         FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
        WHERE e.id = $1 AND ${OPEN}
          FOR UPDATE OF e`,
      [executionId],
      tx,
    );
    const e = rows[0];
    if (!e) return null;
    return {
      createdAt: e.created_at,
      holdsSlot: e.holds_slot,
      resumeAt: e.resume_at,
      early: e.early,
      owner: { userId: e.user_id, organizationId: e.organization_id },
    };
  }

  /** The sequence number of the execution's next job (`<id>:w<seq>`). */
  async nextWakeSeq(executionId: string, tx: EntityManager): Promise<number> {
    const { rows } = await this.sql.run<{ wake_seq: number }>(
      'UPDATE workflow_executions SET wake_seq = wake_seq + 1 WHERE id = $1 RETURNING wake_seq',
      [executionId],
      tx,
    );
    return rows[0].wake_seq;
  }

  /** The owner's slot lock (a transaction advisory lock): held until `tx` ends. */
  async lockOwnerSlots(owner: ExecutionOwner, tx: EntityManager): Promise<void> {
    await this.sql.run('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`floyo:workflow-owner:${ownerParam(owner)}`], tx);
  }

  /**
   * The owner's open executions holding a slot (`running`), and those ready for one that
   * are older than the execution (`createdAt`, `executionId`) (`ahead`).
   */
  async slotsTaken(
    owner: ExecutionOwner,
    createdAt: Date,
    executionId: string,
    tx: EntityManager,
  ): Promise<{ running: number; ahead: number }> {
    const { rows } = await this.sql.run<{ running: number; ahead: number }>(
      `SELECT count(*) FILTER (WHERE e.holds_slot)::int AS running,
              count(*) FILTER (WHERE NOT e.holds_slot AND ${READY} AND (e.created_at, e.id) < ($2, $3))::int AS ahead
         FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
        WHERE ${OPEN} AND ${ownerFilter(owner)}`,
      [ownerParam(owner), createdAt, executionId],
      tx,
    );
    return rows[0];
  }

  async takeSlot(executionId: string, tx: EntityManager): Promise<void> {
    await this.sql.run('UPDATE workflow_executions SET holds_slot = true WHERE id = $1', [executionId], tx);
  }

  /**
   * Parks a running execution in a delay step: its slot is released and it waits with no
   * worker until `resumeAt`; returns the sequence number of the job that resumes it.
   */
  async park(executionId: string, stepId: string, startedAt: string, resumeAt: Date): Promise<number | null> {
    const { rows } = await this.sql.run<{ wake_seq: number }>(
      `UPDATE workflow_executions SET holds_slot = false, resume_at = $2, parked_step = $3::jsonb, wake_seq = wake_seq + 1
        WHERE id = $1 AND status = 'running'
        RETURNING wake_seq`,
      [executionId, resumeAt, JSON.stringify({ step_id: stepId, started_at: startedAt })],
    );
    return rows[0]?.wake_seq ?? null;
  }

  /** Back from a delay: the step's log entry is written and the parked time is set aside. */
  async unpark(executionId: string, entry: StepLogEntry, parkedMs: number): Promise<void> {
    await this.sql.run(
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
    const { rows } = await this.sql.run<{ id: string; wake_seq: number }>(
      `SELECT e.id, e.wake_seq
         FROM workflow_executions e JOIN workflows w ON w.id = e.workflow_id
        WHERE ${OPEN} AND NOT e.holds_slot AND ${READY} AND ${ownerFilter(owner)}
        ORDER BY e.created_at, e.id
        LIMIT $2`,
      [ownerParam(owner), limit],
    );
    return rows.map((r) => ({ id: r.id, wakeSeq: r.wake_seq }));
  }

  /** pending|running → running (a crashed run is taken over); null when already finished or gone. */
  async claim(executionId: string): Promise<ClaimedExecution | null> {
    const { rows } = await this.sql.run(
      `UPDATE workflow_executions e
          SET status = 'running', started_at = COALESCE(e.started_at, now()),
              attempts = e.attempts + CASE WHEN e.parked_step IS NULL THEN 1 ELSE 0 END -- back from a delay is not a new attempt
         FROM workflows w
        WHERE e.id = $1 AND e.status IN ('pending', 'running') AND w.id = e.workflow_id
        RETURNING e.id, e.workflow_id, w.user_id, w.organization_id, w.is_active, w.steps,
                  e.trigger_type, e.trigger_data, e.dry_run, e.execution_log, e.started_at, e.attempts, e.parked_step, e.parked_ms`,
      [executionId],
    );
    const r = rows[0];
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
      dryRun: r.dry_run === true,
      executionLog: (r.execution_log as StepLogEntry[]) ?? [],
      startedAt: r.started_at as Date,
      attempts: r.attempts as number,
      parkedStep: (r.parked_step as ClaimedExecution['parkedStep']) ?? null,
      parkedMs: Number(r.parked_ms ?? 0),
    };
  }

  async appendLog(executionId: string, entry: StepLogEntry): Promise<void> {
    await this.sql.run(`UPDATE workflow_executions SET execution_log = execution_log || $2::jsonb WHERE id = $1 AND status = 'running'`, [
      executionId,
      JSON.stringify([entry]),
    ]);
  }

  /** running|pending → terminal, once. False if someone else finished it first. */
  async finish(executionId: string, status: Terminal, error: string | null): Promise<boolean> {
    const res = await this.sql.run(
      `UPDATE workflow_executions SET status = $2, error_message = $3, completed_at = now(),
              holds_slot = false, resume_at = NULL, parked_step = NULL
        WHERE id = $1 AND status IN ('pending', 'running')
        RETURNING id`,
      [executionId, status, error],
    );
    if (status === 'completed' || status === 'failed') {
      // a dry run is not a run of the workflow
      await this.sql.run(
        `UPDATE workflows w SET last_run_at = now() FROM workflow_executions e WHERE e.id = $1 AND w.id = e.workflow_id AND NOT e.dry_run`,
        [executionId],
      );
    }
    return res.rowCount > 0;
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
    const { rows } = await this.sql.run<{ id: string; workflow_id: string; scheduled_for: Date | null; wake_seq: number }>(
      `SELECT id, workflow_id, scheduled_for, wake_seq FROM workflow_executions
        WHERE (status = 'pending' AND created_at < now() - make_interval(secs => $1))
           OR (status = 'running' AND NOT holds_slot AND resume_at < now() - make_interval(secs => $1))
        ORDER BY created_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => ({ id: r.id, workflowId: r.workflow_id, scheduledFor: r.scheduled_for, wakeSeq: r.wake_seq }));
  }

  /** Deletes executions older than the retention, in batches; returns how many. */
  async purgeOlderThan(days: number, batch = 1_000): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.sql.run(
        `DELETE FROM workflow_executions WHERE id IN (
           SELECT id FROM workflow_executions
            WHERE created_at < now() - make_interval(days => $1) AND status IN ('completed', 'failed', 'cancelled')
            LIMIT $2)`,
        [days, batch],
      );
      total += rowCount;
      if (rowCount < batch) return total;
    }
  }
}
