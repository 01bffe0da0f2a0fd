import { createHash } from 'node:crypto';
import type { SequenceEvidence, UserEvidence } from '@/domains/patterns';
import { parseStep, SEQUENCE_SEPARATOR, sequenceKey } from '@/domains/patterns';
import type { StepMatcher, SuggestionRule } from './catalogue';
import { render } from './render';
import { confidenceOf, isSignificant } from './scoring';
import { timingOf } from './timing';

/**
 * The engine proper, pure: recurring sequences in, suggestion candidates out.
 * 1. Only significant sequences count (scoring.ts): a routine, not chance co-occurrence.
 * 2. Each rule with steps is matched against each sequence (contiguous steps). Matches
 *    of one rule on the same steps are one suggestion, whose evidence key is those steps
 *    — never a path — so a dismissed suggestion stays dismissed however the evidence grows.
 *    The strongest sequence (most occurrences) carries it.
 * 3. A rule that supersedes another drops the other's suggestion for the same routine.
 * 4. Fallback rules (the schedule) take the maximal sequences nothing else covers.
 */

export interface Candidate {
  ruleId: string;
  evidenceKey: string;
  trigger: string;
  toolsInvolved: string[];
  /** the card's title (human-readable) */
  suggestedIntegration: string;
  suggestedConnector: string | null;
  sampleCode: string;
  reasoning: string;
  actualFiles: string[];
  confidence: number;
  /** path-free: what the workflow draft needs */
  metadata: { title: string; sequence: string[]; matched: string[]; cron: string; when: string; scores: Record<string, number> };
}

export interface EvaluationSettings {
  useActualFiles: boolean;
}

/** A subsumed sequence: a longer one contains it and happens at least this often relative to it. */
const SUBSUMED_RATIO = 0.8;
const EVIDENCE_KEY_MAX = 255;
/** suggestions.suggested_integration */
const TITLE_MAX = 255;
const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

const matches = (m: StepMatcher, step: string): boolean => {
  const s = parseStep(step);
  return (
    (!m.tools || m.tools.includes(s.subject)) &&
    (!m.verbs || m.verbs.includes(s.action)) &&
    (!m.exts || (!!s.ext && m.exts.includes(s.ext)))
  );
};

/** Start of the first contiguous match of `matchers` in `steps`, or -1. */
function findMatch(steps: string[], matchers: readonly StepMatcher[]): number {
  for (let i = 0; i + matchers.length <= steps.length; i++) {
    if (matchers.every((m, j) => matches(m, steps[i + j]))) return i;
  }
  return -1;
}

const contains = (outer: string, inner: string) =>
  `${SEQUENCE_SEPARATOR}${outer}${SEQUENCE_SEPARATOR}`.includes(`${SEQUENCE_SEPARATOR}${inner}${SEQUENCE_SEPARATOR}`);

const evidenceKeyOf = (steps: string[]) => {
  const key = sequenceKey(steps);
  return key.length <= EVIDENCE_KEY_MAX ? key : `sha1:${createHash('sha1').update(key).digest('hex')}`;
};

interface Match {
  rule: SuggestionRule;
  sequence: SequenceEvidence;
  matched: string[];
}

const stronger = (a: SequenceEvidence, b: SequenceEvidence) =>
  a.count !== b.count ? a.count > b.count : a.steps.length !== b.steps.length ? a.steps.length < b.steps.length : a.key < b.key;

export function evaluate(evidence: UserEvidence, rules: readonly SuggestionRule[], settings: EvaluationSettings): Candidate[] {
  const asOf = evidence.asOf;
  if (!asOf) return [];
  const counts = new Map(evidence.sequences.map((s) => [s.key, s.count]));
  const routines = evidence.sequences.filter((s) => isSignificant(s, evidence.stepCounts, evidence.stepsTotal, counts));
  const byEvidence = new Map<string, Match>();
  for (const sequence of routines) {
    for (const rule of rules) {
      if (!rule.sequence) continue;
      const start = findMatch(sequence.steps, rule.sequence);
      if (start < 0) continue;
      const matched = sequence.steps.slice(start, start + rule.sequence.length);
      const id = `${rule.id}\u0000${sequenceKey(matched)}`;
      const current = byEvidence.get(id);
      if (!current || stronger(sequence, current.sequence)) byEvidence.set(id, { rule, sequence, matched });
    }
  }
  const explicit = [...byEvidence.values()];
  const kept = explicit.filter(
    (m) =>
      !explicit.some((o) => o !== m && o.rule.supersedes?.includes(m.rule.id) && contains(sequenceKey(o.matched), sequenceKey(m.matched))),
  );
  const covered = explicit.map((m) => sequenceKey(m.matched));
  const maximal = routines.filter(
    (s) =>
      !routines.some((t) => t !== s && t.steps.length > s.steps.length && contains(t.key, s.key) && t.count >= SUBSUMED_RATIO * s.count),
  );
  // Strongest first: one fallback suggestion per routine, not one per routine-plus-a-step.
  maximal.sort((a, b) => (stronger(a, b) ? -1 : stronger(b, a) ? 1 : 0));
  for (const rule of rules) {
    if (rule.sequence || !rule.fallback) continue;
    for (const sequence of maximal) {
      if (covered.some((c) => contains(sequence.key, c) || contains(c, sequence.key))) continue;
      if (rule.timing) {
        const t = timingOf(sequence.hours, sequence.weekdays);
        if (t.hourShare < rule.timing.minHourShare || sequence.days < rule.timing.minDays) continue;
      }
      kept.push({ rule, sequence, matched: sequence.steps });
      covered.push(sequence.key);
    }
  }
  return kept
    .map((m) => toCandidate(m, asOf, settings))
    .sort((a, b) => b.confidence - a.confidence || a.ruleId.localeCompare(b.ruleId) || a.evidenceKey.localeCompare(b.evidenceKey));
}

function toCandidate({ rule, sequence, matched }: Match, asOf: Date, settings: EvaluationSettings): Candidate {
  const timing = timingOf(sequence.hours, sequence.weekdays);
  const scores = confidenceOf(sequence, asOf);
  const text = render({ rule, sequence, matched, timing, useActualFiles: settings.useActualFiles });
  return {
    ruleId: rule.id,
    evidenceKey: evidenceKeyOf(matched),
    trigger: text.trigger,
    toolsInvolved: text.toolsInvolved,
    suggestedIntegration: cut(text.title, TITLE_MAX),
    suggestedConnector: rule.connector,
    sampleCode: text.sampleCode,
    reasoning: text.reasoning,
    actualFiles: text.actualFiles,
    confidence: scores.confidence,
    metadata: {
      title: text.title,
      sequence: sequence.steps,
      matched,
      cron: timing.cron,
      when: timing.when,
      scores: { support: scores.support, recency: scores.recency, consistency: scores.consistency },
    },
  };
}
