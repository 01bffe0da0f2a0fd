/**
 * One entry of an execution's per-step log (stored in workflow_executions.execution_log).
 * An integration step logs `started` before it calls the provider, so a run taken over
 * after a crash knows the step may already have happened there.
 */
export interface StepLogEntry {
  step_id: string;
  type: string;
  /** `coalesced`: a note of the activity trigger (matches beyond max_runs_per_minute), not a step. */
  status: 'started' | 'completed' | 'failed' | 'coalesced';
  attempts: number;
  started_at: string;
  finished_at: string;
  output?: unknown;
  error?: string;
}

const MAX_LOGGED_BYTES = 16 * 1024;

/** Keeps a logged value under MAX_LOGGED_BYTES (a preview replaces anything larger). */
export function bounded(value: unknown, max = MAX_LOGGED_BYTES): unknown {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value) ?? 'null';
  if (Buffer.byteLength(json) <= max) return value;
  return { truncated: true, bytes: Buffer.byteLength(json), preview: Buffer.from(json).subarray(0, max).toString('utf8') };
}

export function boundedError(message: string, max = 2_000): string {
  return message.length > max ? `${message.slice(0, max)}…` : message;
}

/** The last entry per step id that completed: what a resumed run can skip. */
export function completedSteps(log: StepLogEntry[]): Map<string, StepLogEntry> {
  const done = new Map<string, StepLogEntry>();
  for (const entry of log) {
    if (entry.status === 'completed') done.set(entry.step_id, entry);
    else if (entry.status === 'failed') done.delete(entry.step_id);
  }
  return done;
}

/** Steps whose last entry is `started`: an attempt was interrupted mid-step (step id → when it started). */
export function interruptedSteps(log: StepLogEntry[]): Map<string, string> {
  const last = new Map<string, StepLogEntry>();
  for (const entry of log) last.set(entry.step_id, entry);
  return new Map([...last].filter(([, e]) => e.status === 'started').map(([id, e]) => [id, e.started_at]));
}
