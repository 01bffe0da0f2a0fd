import { UnprocessableEntityException } from '@nestjs/common';
import { isISO8601 } from 'class-validator';
import { AppValidationPipe, validationFailed, type ValidationIssue, wellFormed } from '@/platform/http/pipes/validation.pipe';
import { jsonProblem } from './dto/bounded-json';
import { CreateEventDto, EVENT_TYPE_MAX, eventTime, FILE_PATH_MAX, OPERATION_MAX, TOOL_MAX } from './dto/create-event.dto';

const BATCH_MAX = 1_000;
/** Issues reported for one batch at most (the first ones, in item order). */
const MAX_ISSUES = 100;

/** A validated event ready to insert. */
export interface NewEvent {
  eventType: string;
  filePath: string | null;
  tool: string | null;
  operation: string | null;
  details: Record<string, unknown> | null;
  /** null: the database's now() */
  timestamp: Date | null;
  storageKey?: string | null;
  /** Overrides the file extension derived from filePath (uploads use the client's file name). */
  extension?: string | null;
}

const pipe = new AppValidationPipe();

const FIELDS = new Set(['event_type', 'file_path', 'tool', 'operation', 'details', 'timestamp']);
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max && !v.includes('\u0000') && wellFormed(v);
const optionalText = (v: unknown, max: number) => v === undefined || v === null || text(v, max);

/**
 * The hot path: a plain, valid create body is accepted without class-transformer and
 * class-validator (about 20 µs an item, most of a 1000-event batch's CPU). It is
 * deliberately stricter than CreateEventDto — anything it does not accept goes through
 * the full validation, which alone decides what is refused and how (a unit test checks
 * that every body it accepts the DTO accepts too, with the same result).
 */
export function fastParse(raw: unknown): NewEvent | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || Object.getPrototypeOf(raw) !== Object.prototype) return null;
  const body = raw as Record<string, unknown>;
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) return null;
  const { event_type, file_path, tool, operation, details, timestamp } = body;
  if (!text(event_type, EVENT_TYPE_MAX) || event_type === '') return null;
  if (!optionalText(file_path, FILE_PATH_MAX) || !optionalText(tool, TOOL_MAX) || !optionalText(operation, OPERATION_MAX)) return null;
  if (details !== undefined && details !== null) {
    if (typeof details !== 'object' || Array.isArray(details) || jsonProblem(details) !== null) return null;
  }
  let time: Date | null = null;
  if (timestamp !== undefined && timestamp !== null) {
    if (typeof timestamp !== 'string' || !isISO8601(timestamp, { strict: true })) return null;
    time = eventTime(timestamp);
    if (!time || Number.isNaN(time.getTime())) return null;
  }
  return {
    eventType: event_type,
    filePath: (file_path as string | null | undefined) ?? null,
    tool: (tool as string | null | undefined) ?? null,
    operation: (operation as string | null | undefined) ?? null,
    details: (details as Record<string, unknown> | null | undefined) ?? null,
    timestamp: time,
  };
}

/**
 * Validates one create body exactly as the global pipe would (after the fast path), with `loc` under
 * `prefix` (e.g. ["body", 3]). Nested values are size/depth-checked first, iteratively,
 * so a hostile document is a 422 and never reaches a recursive transformer.
 */
async function issuesOf(raw: unknown, prefix: (string | number)[]): Promise<{ event?: NewEvent; issues: ValidationIssue[] }> {
  const fast = fastParse(raw);
  if (fast) return { event: fast, issues: [] };
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const shallow: ValidationIssue[] = [];
    for (const [key, value] of Object.entries(raw)) {
      if (value === null || typeof value !== 'object') continue;
      const problem = jsonProblem(value);
      if (problem) shallow.push({ loc: [...prefix, key], msg: `${key} ${problem}`, type: 'boundedJson' });
    }
    if (shallow.length) return { issues: shallow };
  }
  let dto: CreateEventDto;
  try {
    dto = (await pipe.transform(raw, { type: 'body', metatype: CreateEventDto })) as CreateEventDto;
  } catch (err) {
    if (!(err instanceof UnprocessableEntityException)) throw err;
    const detail = (err.getResponse() as { detail: ValidationIssue[] }).detail;
    return { issues: detail.map((i) => ({ ...i, loc: [...prefix, ...i.loc.slice(1)] })) };
  }
  const timestamp = eventTime(dto.timestamp);
  if (timestamp && Number.isNaN(timestamp.getTime())) {
    return { issues: [{ loc: [...prefix, 'timestamp'], msg: 'timestamp must be an ISO-8601 date-time', type: 'isIso8601' }] };
  }
  return {
    issues: [],
    event: {
      eventType: dto.event_type,
      filePath: dto.file_path ?? null,
      tool: dto.tool ?? null,
      operation: dto.operation ?? null,
      details: dto.details ?? null,
      timestamp,
    },
  };
}

/** The body of POST /api/events. */
export async function parseEvent(raw: unknown): Promise<NewEvent> {
  const { event, issues } = await issuesOf(raw, ['body']);
  if (issues.length) throw validationFailed(issues);
  return event!;
}

/** The body of POST /api/events/batch: 1..1000 create bodies; one bad item fails them all. */
export async function parseEventBatch(raw: unknown): Promise<NewEvent[]> {
  if (!Array.isArray(raw)) {
    throw validationFailed([{ loc: ['body'], msg: 'Input should be a valid list', type: 'list_type' }]);
  }
  if (raw.length < 1 || raw.length > BATCH_MAX) {
    throw validationFailed([
      {
        loc: ['body'],
        msg: `List should have between 1 and ${BATCH_MAX} items, not ${raw.length}`,
        type: raw.length ? 'too_long' : 'too_short',
      },
    ]);
  }
  const events: NewEvent[] = [];
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < raw.length && issues.length < MAX_ISSUES; i++) {
    const result = await issuesOf(raw[i], ['body', i]);
    if (result.event) events.push(result.event);
    issues.push(...result.issues);
  }
  if (issues.length) throw validationFailed(issues.slice(0, MAX_ISSUES));
  return events;
}
