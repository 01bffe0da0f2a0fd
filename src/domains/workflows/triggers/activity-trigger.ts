import type { ValidationIssue } from '@/platform/http/pipes/validation.pipe';

/**
 * An activity trigger: the workflow runs for every ingested event of its owner that matches
 * all the given conditions. `file_path` is a glob (`*` within one path segment, `**` across
 * segments, `?` one character); the others match exactly (case-insensitive).
 */
export interface ActivityTrigger {
  type: 'activity';
  match: { event_type?: string; tool?: string; operation?: string; file_path?: string };
  /** Runs started per minute at most; further matches in that minute are coalesced (logged, not run). */
  max_runs_per_minute: number;
  /** Organization workflows: also the events of the organization's members (default: only the owner's). */
  include_members: boolean;
}

/**
 * A webhook trigger: the workflow gets a URL (`POST /api/hooks/{hook id}`) and a signing
 * secret (WorkflowHook); every signed delivery starts one run with its JSON body as
 * `{{trigger.body}}` (webhook-triggers.service.ts).
 */
export interface WebhookTrigger {
  type: 'webhook';
  /**
   * Deliveries accepted per minute at most; further ones are refused with 429. Only lowers
   * WORKFLOW_WEBHOOK_MAX_PER_MINUTE (the per-hook ceiling, also the default when absent).
   */
  max_runs_per_minute?: number;
}

export type WorkflowTrigger = ActivityTrigger | WebhookTrigger;

/** What an ingested event offers to matching (and, as `{{trigger.*}}`, to the run). */
export interface ActivityEvent {
  id: string;
  event_type: string;
  file_path: string | null;
  tool: string | null;
  operation: string | null;
  timestamp: string;
}

const TRIGGER_LIMITS = { defaultRunsPerMinute: 10, maxRunsPerMinute: 1_000, maxValueLength: 255, maxGlobLength: 1_024 } as const;
const MATCH_KEYS = ['event_type', 'tool', 'operation', 'file_path'] as const;

export type TriggerResult = { ok: true; trigger: WorkflowTrigger | null } | { ok: false; issues: ValidationIssue[] };

/** Validates `trigger` (null/undefined: none); 422 issues name the field. */
export function parseTrigger(input: unknown, isOrgWorkflow: boolean, loc: (string | number)[] = ['body', 'trigger']): TriggerResult {
  if (input === null || input === undefined) return { ok: true, trigger: null };
  const issues: ValidationIssue[] = [];
  const bad = (path: (string | number)[], msg: string, type = 'value_error') => issues.push({ loc: [...loc, ...path], msg, type });
  if (typeof input !== 'object' || Array.isArray(input)) {
    bad(
      [],
      'trigger must be an object such as {"type": "activity", "match": {"event_type": "file_created"}} or {"type": "webhook"}',
      'type_error',
    );
    return { ok: false, issues };
  }
  const raw = input as Record<string, unknown>;
  if (raw.type === 'webhook') return parseWebhookTrigger(raw, bad, issues);
  if (raw.type !== 'activity') {
    bad(['type'], 'type must be "activity" or "webhook"');
    return { ok: false, issues };
  }
  for (const key of Object.keys(raw)) {
    if (!['type', 'match', 'max_runs_per_minute', 'include_members'].includes(key)) bad([key], `unknown field "${key}"`, 'extra_forbidden');
  }
  const match = raw.match;
  const out: ActivityTrigger['match'] = {};
  if (typeof match !== 'object' || match === null || Array.isArray(match)) {
    bad(['match'], `match must be an object with at least one of ${MATCH_KEYS.join(', ')}`, 'type_error');
  } else {
    for (const [key, value] of Object.entries(match)) {
      if (!(MATCH_KEYS as readonly string[]).includes(key)) {
        bad(['match', key], `unknown condition "${key}" (conditions: ${MATCH_KEYS.join(', ')})`, 'extra_forbidden');
        continue;
      }
      const max = key === 'file_path' ? TRIGGER_LIMITS.maxGlobLength : TRIGGER_LIMITS.maxValueLength;
      if (typeof value !== 'string' || !value.trim() || value.length > max || value.includes('\u0000')) {
        bad(['match', key], `${key} must be a non-empty string of at most ${max} characters`, 'string_type');
        continue;
      }
      if (key === 'file_path' && /\*{3,}/.test(value)) {
        bad(['match', key], 'file_path: "***" is not a glob; use * (one segment) or ** (any depth)');
        continue;
      }
      out[key as (typeof MATCH_KEYS)[number]] = value;
    }
    if (!issues.length && !Object.keys(out).length) bad(['match'], `match needs at least one of ${MATCH_KEYS.join(', ')}`, 'missing');
  }
  const perMinute = raw.max_runs_per_minute ?? TRIGGER_LIMITS.defaultRunsPerMinute;
  if (typeof perMinute !== 'number' || !Number.isInteger(perMinute) || perMinute < 1 || perMinute > TRIGGER_LIMITS.maxRunsPerMinute) {
    bad(['max_runs_per_minute'], `max_runs_per_minute must be an integer 1–${TRIGGER_LIMITS.maxRunsPerMinute}`);
  }
  const members = raw.include_members ?? false;
  if (typeof members !== 'boolean') bad(['include_members'], 'include_members must be a boolean');
  else if (members && !isOrgWorkflow) bad(['include_members'], "include_members is for an organization's workflows");
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    trigger: { type: 'activity', match: out, max_runs_per_minute: perMinute as number, include_members: members as boolean },
  };
}

function parseWebhookTrigger(
  raw: Record<string, unknown>,
  bad: (path: (string | number)[], msg: string, type?: string) => void,
  issues: ValidationIssue[],
): TriggerResult {
  for (const key of Object.keys(raw)) {
    if (!['type', 'max_runs_per_minute'].includes(key))
      bad([key], `unknown field "${key}" (a webhook trigger has type and max_runs_per_minute)`, 'extra_forbidden');
  }
  const perMinute = raw.max_runs_per_minute;
  if (
    perMinute !== undefined &&
    (typeof perMinute !== 'number' || !Number.isInteger(perMinute) || perMinute < 1 || perMinute > TRIGGER_LIMITS.maxRunsPerMinute)
  ) {
    bad(['max_runs_per_minute'], `max_runs_per_minute must be an integer 1–${TRIGGER_LIMITS.maxRunsPerMinute}`);
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, trigger: { type: 'webhook', ...(perMinute !== undefined ? { max_runs_per_minute: perMinute as number } : {}) } };
}

/** `/home/*\/reports/**\/*.csv` → a RegExp: `*` one segment's characters, `**` any, `?` one, the rest literal. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` also matches no directory at all
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'i');
}

/** A trigger compiled once: a predicate on events. */
export type CompiledMatch = (event: ActivityEvent) => boolean;

export function compileMatch(match: ActivityTrigger['match']): CompiledMatch {
  const equal = (expected: string | undefined, actual: string | null) =>
    expected === undefined || (actual !== null && actual.toLowerCase() === expected.toLowerCase());
  const path = match.file_path !== undefined ? globToRegExp(match.file_path) : null;
  return (e) =>
    equal(match.event_type, e.event_type) &&
    equal(match.tool, e.tool) &&
    equal(match.operation, e.operation) &&
    (path === null || (e.file_path !== null && path.test(e.file_path)));
}

/** `{{trigger.*}}` of a run started by an event. */
export function triggerData(e: ActivityEvent): Record<string, unknown> {
  const name = e.file_path ? e.file_path.slice(Math.max(e.file_path.lastIndexOf('/'), e.file_path.lastIndexOf('\\')) + 1) : null;
  const dot = name ? name.lastIndexOf('.') : -1;
  return {
    type: 'activity',
    event_id: e.id,
    event_type: e.event_type,
    file_path: e.file_path,
    file_name: name,
    extension: name && dot > 0 ? name.slice(dot).toLowerCase() : null,
    tool: e.tool,
    operation: e.operation,
    timestamp: e.timestamp,
  };
}
