import { randomUUID } from 'node:crypto';
import type { ValidationIssue } from '@/platform/http/pipes/validation.pipe';
import { HTTP_METHODS } from '@/platform/http/outbound/safe-http';
import { LOG_LEVELS, type LogLevel, STEP_LIMITS, type StepType, type WorkflowStep } from './step.types';

const STEP_ID = /^[A-Za-z0-9_-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPES: StepType[] = ['http', 'delay', 'notify', 'integration', 'log'];
const COMMON_KEYS = ['id', 'type', 'retries', 'continue_on_error', 'name'];
const KEYS: Record<StepType, string[]> = {
  http: ['method', 'url', 'headers', 'body', 'timeout_ms'],
  delay: ['ms'],
  notify: ['message', 'target'],
  integration: ['integration_id', 'action', 'params'],
  log: ['message', 'level'],
};

export type StepsResult = { ok: true; steps: WorkflowStep[] } | { ok: false; issues: ValidationIssue[] };

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates and normalises a workflow's `steps`: an ordered array of typed steps, or the
 * legacy object form `{name: step, ...}` (keys become step ids). Every message names the
 * failing step (`steps[2] "notify-team": ...`) and its location.
 */
export function normaliseSteps(input: unknown, loc: (string | number)[] = ['body', 'steps']): StepsResult {
  let entries: [string | undefined, unknown][];
  if (Array.isArray(input)) {
    entries = input.map((s) => [undefined, s]);
  } else if (isObject(input)) {
    entries = Object.entries(input).map(([key, s]) => [key, s]);
  } else {
    return fail(loc, 'steps must be an array of steps (or an object of named steps)', 'type_error');
  }
  if (entries.length > STEP_LIMITS.maxSteps) {
    return fail(loc, `a workflow has at most ${STEP_LIMITS.maxSteps} steps`, 'too_long');
  }
  const issues: ValidationIssue[] = [];
  const steps: WorkflowStep[] = [];
  const seen = new Set<string>();
  entries.forEach(([legacyKey, raw], index) => {
    const at = [...loc, legacyKey ?? index];
    const label = (id?: unknown) => `steps[${index}]${typeof id === 'string' && id ? ` "${id}"` : ''}`;
    if (!isObject(raw)) {
      issues.push({ loc: at, msg: `${label(legacyKey)}: a step must be an object`, type: 'type_error' });
      return;
    }
    const id = raw.id ?? legacyKey ?? `step-${index + 1}-${randomUUID().slice(0, 8)}`;
    const problems = validateStep(raw, id);
    for (const p of problems) issues.push({ loc: [...at, ...p.field], msg: `${label(id)}: ${p.msg}`, type: p.type });
    if (problems.length) return;
    if (seen.has(id as string)) {
      issues.push({ loc: [...at, 'id'], msg: `${label(id)}: duplicate step id`, type: 'value_error' });
      return;
    }
    seen.add(id as string);
    steps.push(buildStep(raw, id as string));
  });
  if (!issues.length && Buffer.byteLength(JSON.stringify(steps)) > STEP_LIMITS.maxSerializedBytes) {
    issues.push({ loc, msg: `steps are larger than ${STEP_LIMITS.maxSerializedBytes} bytes`, type: 'too_long' });
  }
  return issues.length ? { ok: false, issues } : { ok: true, steps };
}

interface Problem {
  field: string[];
  msg: string;
  type: string;
}

function validateStep(raw: Raw, id: unknown): Problem[] {
  const out: Problem[] = [];
  const bad = (field: string, msg: string, type = 'value_error') => out.push({ field: [field], msg, type });
  if (typeof id !== 'string' || !STEP_ID.test(id)) bad('id', 'id must be 1–64 letters, digits, "_" or "-"');
  const type = raw.type as StepType;
  if (!TYPES.includes(type)) {
    bad('type', `type must be one of ${TYPES.join(', ')}`);
    return out;
  }
  for (const key of Object.keys(raw)) {
    if (!COMMON_KEYS.includes(key) && !KEYS[type].includes(key)) bad(key, `unknown field "${key}" for a ${type} step`, 'extra_forbidden');
  }
  if (raw.retries !== undefined && !isInt(raw.retries, 0, STEP_LIMITS.maxRetries)) bad('retries', 'retries must be an integer 0–5');
  if (raw.continue_on_error !== undefined && typeof raw.continue_on_error !== 'boolean') {
    bad('continue_on_error', 'continue_on_error must be a boolean');
  }
  switch (type) {
    case 'http':
      if (!HTTP_METHODS.includes(raw.method as never)) bad('method', `method must be one of ${HTTP_METHODS.join(', ')}`);
      if (typeof raw.url !== 'string' || !isHttpUrlOrTemplate(raw.url)) bad('url', 'url must be an http(s) URL (templates allowed)');
      if (raw.headers !== undefined && !(isObject(raw.headers) && Object.values(raw.headers).every((v) => typeof v === 'string'))) {
        bad('headers', 'headers must be an object of strings');
      }
      if (raw.timeout_ms !== undefined && !isInt(raw.timeout_ms, 1, STEP_LIMITS.maxTimeoutMs)) {
        bad('timeout_ms', `timeout_ms must be an integer 1–${STEP_LIMITS.maxTimeoutMs}`);
      }
      break;
    case 'delay':
      if (!isInt(raw.ms, 0, STEP_LIMITS.maxDelayMs)) bad('ms', `ms must be an integer 0–${STEP_LIMITS.maxDelayMs}`);
      break;
    case 'notify':
      if (typeof raw.message !== 'string' || !raw.message.trim() || raw.message.length > STEP_LIMITS.maxMessageLength) {
        bad('message', `message must be a non-empty string of at most ${STEP_LIMITS.maxMessageLength} characters`);
      }
      if (raw.target !== undefined && raw.target !== 'user' && raw.target !== 'org') bad('target', 'target must be "user" or "org"');
      break;
    case 'log':
      if (typeof raw.message !== 'string' || raw.message.length > STEP_LIMITS.maxMessageLength) {
        bad('message', `message must be a string of at most ${STEP_LIMITS.maxMessageLength} characters`);
      }
      if (raw.level !== undefined && !LOG_LEVELS.includes(raw.level as LogLevel))
        bad('level', `level must be one of ${LOG_LEVELS.join(', ')}`);
      break;
    case 'integration':
      if (typeof raw.integration_id !== 'string' || !UUID.test(raw.integration_id)) bad('integration_id', 'integration_id must be a UUID');
      if (typeof raw.action !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(raw.action))
        bad('action', 'action must be an action name such as "post_message"');
      if (raw.params !== undefined && !isObject(raw.params)) bad('params', 'params must be an object');
      break;
  }
  return out;
}

function buildStep(raw: Raw, id: string): WorkflowStep {
  const base = {
    id,
    retries: (raw.retries as number | undefined) ?? 0,
    continue_on_error: (raw.continue_on_error as boolean | undefined) ?? false,
  };
  switch (raw.type as StepType) {
    case 'http':
      return {
        ...base,
        type: 'http',
        method: raw.method as never,
        url: raw.url as string,
        ...(raw.headers ? { headers: raw.headers as Record<string, string> } : {}),
        ...(raw.body !== undefined ? { body: raw.body } : {}),
        timeout_ms: (raw.timeout_ms as number | undefined) ?? STEP_LIMITS.defaultTimeoutMs,
      };
    case 'delay':
      return { ...base, type: 'delay', ms: raw.ms as number };
    case 'notify':
      return { ...base, type: 'notify', message: raw.message as string, target: (raw.target as 'user' | 'org' | undefined) ?? 'user' };
    case 'log':
      return { ...base, type: 'log', message: raw.message as string, level: (raw.level as LogLevel | undefined) ?? 'info' };
    case 'integration':
      return {
        ...base,
        type: 'integration',
        integration_id: raw.integration_id as string,
        action: raw.action as string,
        ...(raw.params ? { params: raw.params as Record<string, unknown> } : {}),
      };
  }
}

function isInt(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function isHttpUrlOrTemplate(value: string): boolean {
  if (value.length > STEP_LIMITS.maxUrlLength) return false;
  if (/^\{\{[^}]+\}\}/.test(value)) return true; // the whole base comes from a template
  try {
    const u = new URL(value.replace(/\{\{[^}]*\}\}/g, 'x'));
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function fail(loc: (string | number)[], msg: string, type: string): StepsResult {
  return { ok: false, issues: [{ loc, msg, type }] };
}
