import type { WorkflowExecution } from '../entities/workflow-execution.entity';
import type { WorkflowVersion } from '../entities/workflow-version.entity';
import type { Workflow } from '../entities/workflow.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A webhook trigger's URL (`POST` it, signed) — and its secret, only in the answer that issued it. */
export class WorkflowHookResponse {
  id: string;
  /** The path under the API's base URL: `/api/hooks/{id}`. */
  url: string;
  /** Shown once: by the create/update that added the webhook trigger, and by each rotation. */
  secret?: string;
}

export class WorkflowResponse {
  id: string;
  name: string;
  description: string | null;
  steps: unknown[];
  schedule_config: Record<string, unknown> | null;
  trigger: Record<string, unknown> | null;
  organization_id: string | null;
  owner_id: string;
  is_active: boolean;
  version: number;
  next_run_at: string | null;
  last_run_at: string | null;
  created_at: string;
  updated_at: string;
  /** The webhook trigger's URL (null without one); its secret only when just issued. */
  hook?: WorkflowHookResponse | null;

  /** `hook` (when given) is shown as is: pass the issued hook (with its secret) only from the call that issued it. */
  static from(w: Workflow, hook?: WorkflowHookResponse | null): WorkflowResponse {
    return {
      id: w.id,
      name: w.name,
      description: w.description,
      steps: w.steps,
      schedule_config: w.scheduleConfig,
      trigger: w.trigger,
      organization_id: w.organizationId,
      owner_id: w.userId,
      is_active: w.isActive,
      version: w.version,
      next_run_at: iso(w.nextRunAt),
      last_run_at: iso(w.lastRunAt),
      created_at: w.createdAt.toISOString(),
      updated_at: w.updatedAt.toISOString(),
      ...(hook !== undefined ? { hook } : {}),
    };
  }
}

export class WorkflowVersionResponse {
  version_number: number;
  name: string;
  description: string | null;
  steps: unknown[];
  schedule_config: Record<string, unknown> | null;
  trigger: Record<string, unknown> | null;
  change_summary: string | null;
  created_by: string | null;
  created_at: string;

  static from(v: WorkflowVersion): WorkflowVersionResponse {
    return {
      version_number: v.versionNumber,
      name: v.name,
      description: v.description,
      steps: v.steps,
      schedule_config: v.scheduleConfig,
      trigger: v.trigger,
      change_summary: v.changeSummary,
      created_by: v.createdBy,
      created_at: v.createdAt.toISOString(),
    };
  }
}

export class ExecutionResponse {
  id: string;
  workflow_id: string;
  status: string;
  trigger_type: string;
  triggered_by: string | null;
  scheduled_for: string | null;
  started_at: string | null;
  completed_at: string | null;
  error_message: string | null;
  attempts: number;
  /** A dry run: nothing was sent (http and integration steps recorded their requests). */
  dry_run: boolean;
  created_at: string;
  execution_log?: unknown[];
  /** What started it ({{trigger.*}}): the manual trigger body, or the matched event of an activity trigger. */
  trigger_data?: Record<string, unknown> | null;

  static from(e: WorkflowExecution, withLog = false): ExecutionResponse {
    return {
      id: e.id,
      workflow_id: e.workflowId,
      status: e.status,
      trigger_type: e.triggerType,
      triggered_by: e.triggeredBy,
      scheduled_for: iso(e.scheduledFor),
      started_at: iso(e.startedAt),
      completed_at: iso(e.completedAt),
      error_message: e.errorMessage,
      attempts: e.attempts,
      dry_run: e.dryRun,
      created_at: e.createdAt.toISOString(),
      ...(withLog ? { execution_log: e.executionLog, trigger_data: e.triggerData } : {}),
    };
  }
}
