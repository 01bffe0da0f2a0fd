import { CronExpressionParser } from 'cron-parser';
import type { ValidationIssue } from '@/platform/http/pipes/validation.pipe';

export type ScheduleConfig = { type: 'cron'; cron: string; timezone?: string } | { type: 'interval'; interval: number };

const MIN_INTERVAL_SECONDS = 60;

export type ScheduleResult = { ok: true; schedule: ScheduleConfig | null } | { ok: false; issues: ValidationIssue[] };

/** Validates `schedule_config` (null/undefined = no schedule); cron through cron-parser. */
export function parseSchedule(input: unknown, loc: (string | number)[] = ['body', 'schedule_config']): ScheduleResult {
  if (input === null || input === undefined) return { ok: true, schedule: null };
  const bad = (field: string | null, msg: string, type = 'value_error'): ScheduleResult => ({
    ok: false,
    issues: [{ loc: field ? [...loc, field] : loc, msg, type }],
  });
  if (typeof input !== 'object' || Array.isArray(input)) return bad(null, 'schedule_config must be an object');
  const raw = input as Record<string, unknown>;
  if (raw.type === 'cron') {
    const extra = Object.keys(raw).filter((k) => !['type', 'cron', 'timezone'].includes(k));
    if (extra.length) return bad(extra[0], `unknown field "${extra[0]}"`, 'extra_forbidden');
    if (typeof raw.cron !== 'string' || !raw.cron.trim() || raw.cron.length > 120) return bad('cron', 'cron must be a cron expression');
    if (raw.timezone !== undefined && (typeof raw.timezone !== 'string' || !isTimeZone(raw.timezone))) {
      return bad('timezone', `unknown time zone "${String(raw.timezone)}"`);
    }
    if (raw.cron.trim().split(/\s+/).length > 5) return bad('cron', 'cron must have 5 fields (minute precision)');
    try {
      CronExpressionParser.parse(raw.cron, { tz: raw.timezone as string | undefined, strict: false });
    } catch (err) {
      return bad('cron', `invalid cron expression: ${(err as Error).message}`);
    }
    return { ok: true, schedule: { type: 'cron', cron: raw.cron.trim(), ...(raw.timezone ? { timezone: raw.timezone as string } : {}) } };
  }
  if (raw.type === 'interval') {
    const extra = Object.keys(raw).filter((k) => !['type', 'interval'].includes(k));
    if (extra.length) return bad(extra[0], `unknown field "${extra[0]}"`, 'extra_forbidden');
    const n = raw.interval;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_INTERVAL_SECONDS || n > 366 * 86_400) {
      return bad('interval', `interval must be an integer number of seconds ≥ ${MIN_INTERVAL_SECONDS}`);
    }
    return { ok: true, schedule: { type: 'interval', interval: n } };
  }
  return bad('type', 'type must be "cron" or "interval"');
}

/**
 * The first due time strictly after `after`. Missed runs coalesce: callers pass `now`,
 * so however many occurrences were missed while nothing ran, only the next one is kept.
 */
export function nextRunAfter(schedule: ScheduleConfig, after: Date, anchor?: Date): Date {
  if (schedule.type === 'interval') {
    const step = schedule.interval * 1000;
    const base = anchor ? anchor.getTime() : after.getTime();
    if (base > after.getTime()) return new Date(base);
    const periods = Math.floor((after.getTime() - base) / step) + 1;
    return new Date(base + periods * step);
  }
  const it = CronExpressionParser.parse(schedule.cron, { currentDate: after, tz: schedule.timezone });
  return it.next().toDate();
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
