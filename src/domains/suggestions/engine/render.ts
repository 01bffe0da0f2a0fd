import type { SequenceEvidence } from '@/domains/patterns';
import { describeStep, parseStep } from '@/domains/patterns';
import type { SuggestionRule } from './catalogue';
import { describeTiming, type Timing } from './timing';

/** Files cited in the reasoning (actual_files keeps up to 5). */
const FILES_CITED = 3;

export interface RenderInput {
  rule: SuggestionRule;
  sequence: SequenceEvidence;
  /** the steps the rule matched (the whole sequence for rules without steps) */
  matched: string[];
  timing: Timing;
  useActualFiles: boolean;
}

export interface RenderedSuggestion {
  trigger: string;
  toolsInvolved: string[];
  reasoning: string;
  sampleCode: string;
  actualFiles: string[];
  title: string;
}

const basename = (p: string) => p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1) || p;
const day = (d: Date) => d.toISOString().slice(0, 10);

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5_400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3_600).toFixed(1)} h`;
}

/** `{name}` → value; unknown placeholders stay as they are (templates may contain JSON braces). */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The placeholder values of a match (see catalogue.ts). */
function placeholders(matched: string[], timing: Timing): Record<string, string> {
  const values = stepPlaceholders(matched);
  values.cron = timing.cron;
  values.when = timing.when;
  values.When = timing.when.charAt(0).toUpperCase() + timing.when.slice(1);
  return values;
}

/** The placeholders that depend only on the matched steps (what a workflow draft fills in). */
export function stepPlaceholders(matched: string[]): Record<string, string> {
  const steps = matched.map(parseStep);
  const values: Record<string, string> = {};
  steps.forEach((s, i) => {
    values[`s${i + 1}_tool`] = s.subject;
    values[`s${i + 1}_action`] = s.action;
    values[`s${i + 1}_ext`] = s.ext ?? 'file';
  });
  const ext = [...steps].reverse().find((s) => s.ext)?.ext ?? '';
  values.ext = ext || 'file';
  values.EXT = ext ? ext.slice(1).toUpperCase() : 'file';
  values.glob = ext ? `*${ext}` : '*';
  values.steps = matched.map(describeStep).join(' → ');
  values.tools = toolsOf(matched).join(', ');
  return values;
}

const toolsOf = (steps: string[]) => [...new Set(steps.map((s) => parseStep(s).subject).filter((t) => t !== 'file'))];

/** The suggestion's texts; `reasoning` cites the evidence: how often, when, which files. */
export function render(input: RenderInput): RenderedSuggestion {
  const { rule, sequence: seq, matched, timing } = input;
  const values = placeholders(matched, timing);
  const files = input.useActualFiles ? seq.files : [];
  const when = describeTiming(timing);
  const gap = seq.avgGapSeconds !== null ? `, about ${duration(seq.avgGapSeconds)} between steps` : '';
  const cited = files.length ? `, e.g. with ${files.slice(0, FILES_CITED).map(basename).join(', ')}` : '';
  const evidence =
    `You did ${seq.steps.map(describeStep).join(' → ')} ${seq.count} times on ${seq.days} different day${seq.days === 1 ? '' : 's'} ` +
    `between ${day(seq.firstSeen)} and ${day(seq.lastSeen)}${when ? `, ${when}` : ''}${gap}${cited}.`;
  return {
    trigger: fill(rule.trigger, values),
    toolsInvolved: toolsOf(seq.steps),
    reasoning: `${evidence} ${fill(rule.action, values)}`,
    sampleCode: fill(rule.sample, values),
    actualFiles: files,
    title: fill(rule.title, values),
  };
}
