/**
 * What the analysis sees of one event: a *step* `subject:action[:ext]`, e.g.
 * `python:run:.py`, `file:created:.csv`, `git:commit`, `vim:modified:.md`.
 * - subject: the tool (lower-cased), or `file` when the event names no tool;
 * - action: the operation, or else the event type without a `file_` prefix;
 * - ext: the file's extension, when it has one.
 * Parts are normalised and bounded, so a 4-step sequence key always fits the 600-char
 * column (4 × 92 + 3 × 3 < 600).
 */
export interface Step {
  key: string;
  subject: string;
  action: string;
  ext: string | null;
}

const SUBJECT_MAX = 40;
const ACTION_MAX = 30;
const EXT_MAX = 20;
export const SEQUENCE_SEPARATOR = ' → ';

/** Lower-case, trimmed, separators (`:` and `→`) and whitespace runs replaced, bounded. */
function part(value: string | null | undefined, max: number): string | null {
  if (!value) return null;
  const clean = value.trim().toLowerCase().replace(/[:→]/g, '_').replace(/\s+/g, '_').slice(0, max);
  return clean || null;
}

export function stepOf(event: { eventType: string; tool: string | null; operation: string | null; ext: string | null }): Step {
  const subject = part(event.tool, SUBJECT_MAX) ?? 'file';
  const action = part(event.operation, ACTION_MAX) ?? part(event.eventType.replace(/^file_/i, ''), ACTION_MAX) ?? 'event';
  const ext = event.ext ? event.ext.slice(0, EXT_MAX) : null;
  return { key: ext ? `${subject}:${action}:${ext}` : `${subject}:${action}`, subject, action, ext };
}

/** The structured step back from its key (keys never contain `:` inside a part). */
export function parseStep(key: string): Step {
  const [subject, action = '', ext = null] = key.split(':');
  return { key, subject, action, ext };
}

export const sequenceKey = (steps: string[]) => steps.join(SEQUENCE_SEPARATOR);

/** A step as a reader sees it: `python run (.py)`. */
export function describeStep(key: string): string {
  const s = parseStep(key);
  const who = s.subject === 'file' ? 'file' : s.subject;
  return `${who} ${s.action.replace(/_/g, ' ')}${s.ext ? ` (${s.ext})` : ''}`;
}

/** What kind of thing an event did to its file, for the relation types. */
export type VerbClass = 'edit' | 'open' | 'run' | 'create' | 'other';

const CLASSES: [VerbClass, ReadonlySet<string>][] = [
  ['create', new Set(['create', 'created', 'new', 'generate', 'generated', 'output', 'added', 'add'])],
  [
    'run',
    new Set([
      'run',
      'ran',
      'execute',
      'executed',
      'exec',
      'build',
      'built',
      'compile',
      'compiled',
      'test',
      'script_run',
      'command_executed',
    ]),
  ],
  [
    'edit',
    new Set(['save', 'saved', 'write', 'written', 'edit', 'edited', 'modify', 'modified', 'update', 'updated', 'change', 'changed']),
  ],
  ['open', new Set(['open', 'opened', 'read', 'view', 'viewed', 'access', 'accessed', 'preview'])],
];

export function verbClass(action: string): VerbClass {
  for (const [cls, verbs] of CLASSES) if (verbs.has(action)) return cls;
  return 'other';
}

/** Relation types of an ordered file pair (earlier → later event). */
export type RelationType = 'output_of' | 'edited_then_opened' | 'same_session';

export function relationType(earlier: VerbClass, later: VerbClass): RelationType {
  if (earlier === 'run' && later === 'create') return 'output_of';
  if (earlier === 'edit' && later === 'open') return 'edited_then_opened';
  return 'same_session';
}
