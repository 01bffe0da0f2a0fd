import type { SequenceEvidence } from '@/domains/patterns';
import { sequenceKey } from '@/domains/patterns';

/**
 * How much a recurring sequence is worth suggesting. Pure functions;
 * docs/intelligence.md ("Routine or chance", "Confidence") documents the formulas.
 */

const DAY_MS = 86_400_000;

/** A sequence is a routine, not chance, when P(X ≥ count) under independence is below this. */
const SIGNIFICANCE = 1e-6;
/** support = count / (count + SUPPORT_HALF): 5 occurrences → 0.5, 20 → 0.8 */
const SUPPORT_HALF = 5;
/** recency halves every RECENCY_HALF_LIFE_DAYS of silence (relative to the user's latest activity) */
const RECENCY_HALF_LIFE_DAYS = 14;
/** pseudo-observations that pull small samples towards "no consistency" */
const PRIOR = 4;
const WEIGHTS = { support: 0.45, recency: 0.3, consistency: 0.25 } as const;

/** ln(k!) — exact sum for small k, Stirling's series beyond. */
function lnFactorial(k: number): number {
  if (k < 2) return 0;
  if (k < 64) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + 1 / (12 * k) - 1 / (360 * k ** 3);
}

/** P(X ≥ k) for X ~ Poisson(λ), summed in log space (accurate in the far tail, where it matters). */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  if (lambda >= k) return 1; // not above expectation: never significant, no need for precision
  let logTerm = -lambda + k * Math.log(lambda) - lnFactorial(k);
  let sum = 0;
  for (let i = k; i < k + 10_000; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12) break;
    logTerm += Math.log(lambda) - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

/**
 * Occurrences expected if the user's steps followed one another at random: N positions
 * times the product of each step's frequency, λ = N · Π (cᵢ / N).
 */
function expectedCount(steps: string[], stepCounts: Map<string, number>, stepsTotal: number, observed: number): number {
  if (stepsTotal <= 0) return 0;
  let lambda = stepsTotal;
  for (const s of steps) lambda *= Math.max(stepCounts.get(s) ?? observed, observed) / stepsTotal;
  return lambda;
}

/**
 * A routine, not chance: the sequence occurs far more often than if the user's steps
 * followed one another at random — and, for 3–4 steps, far more often than its shorter
 * part (the first n−1 steps, or the last n−1) followed or preceded by that step at
 * random. The second test keeps "routine + an unrelated step that often happens
 * anyway" from counting as a routine of its own. `sequenceCounts` holds the counts of
 * the known recurring sequences; a part missing from it is not tested.
 */
export function isSignificant(
  seq: Pick<SequenceEvidence, 'steps' | 'count'>,
  stepCounts: Map<string, number>,
  stepsTotal: number,
  sequenceCounts: Map<string, number> = new Map(),
): boolean {
  if (poissonTail(seq.count, expectedCount(seq.steps, stepCounts, stepsTotal, seq.count)) >= SIGNIFICANCE) return false;
  if (seq.steps.length < 3 || stepsTotal <= 0) return true;
  const share = (step: string) => Math.max(stepCounts.get(step) ?? seq.count, seq.count) / stepsTotal;
  const parts: [string[], string][] = [
    [seq.steps.slice(0, -1), seq.steps[seq.steps.length - 1]],
    [seq.steps.slice(1), seq.steps[0]],
  ];
  return parts.every(([part, extra]) => {
    const partCount = sequenceCounts.get(sequenceKey(part));
    return partCount === undefined || poissonTail(seq.count, partCount * share(extra)) < SIGNIFICANCE;
  });
}

/** The busiest `width`-hour window of the day (circular): its first hour and its share of occurrences. */
export function busiestHours(hours: number[], width: number): { start: number; share: number; inWindow: number } {
  const total = hours.reduce((a, b) => a + b, 0);
  let best = { start: 0, inWindow: -1 };
  for (let h = 0; h < 24; h++) {
    let n = 0;
    for (let i = 0; i < width; i++) n += hours[(h + i) % 24] ?? 0;
    if (n > best.inWindow) best = { start: h, inWindow: n };
  }
  // The window starts at its first busy hour (08:00 for a routine always at 08:xx, not 07:00).
  let start = best.start;
  for (let i = 0; i < width - 1 && total && !(hours[start] ?? 0); i++) start = (start + 1) % 24;
  return { start, inWindow: best.inWindow, share: total ? best.inWindow / total : 0 };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export interface ConfidenceParts {
  support: number;
  recency: number;
  consistency: number;
  confidence: number;
}

/**
 * confidence = 0.45·support + 0.30·recency + 0.25·consistency, each in [0, 1]:
 * - support = count / (count + 5)
 * - recency = 0.5 ^ (days since last seen / 14), measured from the user's latest analysed event
 * - consistency = the better of
 *     time of day: share of occurrences in the busiest 3 hours, shrunk towards chance
 *       ((in + 4·⅛) / (count + 4)) and rescaled so that chance (⅛) is 0 and "always" is 1;
 *     regularity: distinct days with an occurrence / (days from first to last + 4).
 */
export function confidenceOf(
  seq: Pick<SequenceEvidence, 'count' | 'lastSeen' | 'hours' | 'days' | 'firstDay' | 'lastDay'>,
  asOf: Date,
): ConfidenceParts {
  const support = seq.count / (seq.count + SUPPORT_HALF);
  const ageDays = Math.max(0, (asOf.getTime() - seq.lastSeen.getTime()) / DAY_MS);
  const recency = 0.5 ** (ageDays / RECENCY_HALF_LIFE_DAYS);
  const chance = 3 / 24;
  const { inWindow } = busiestHours(seq.hours, 3);
  const shrunk = (inWindow + PRIOR * chance) / (seq.count + PRIOR);
  const timeOfDay = clamp01((shrunk - chance) / (1 - chance));
  const regularity = clamp01(seq.days / (seq.lastDay - seq.firstDay + 1 + PRIOR));
  const consistency = Math.max(timeOfDay, regularity);
  const confidence = WEIGHTS.support * support + WEIGHTS.recency * recency + WEIGHTS.consistency * consistency;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { support: round(support), recency: round(recency), consistency: round(consistency), confidence: round(clamp01(confidence)) };
}
