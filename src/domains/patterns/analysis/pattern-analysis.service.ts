import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '@/platform/config/app-config';
import { Transactions } from '@/platform/database/transactions';
import { fileExtension } from '../file-extension';
import { AnalysisPositions } from './analysis-positions';
import { AnalysisRepository, type EventRow, type TouchedPattern } from './analysis.repository';
import { EMPTY_TAIL, type FoldEvent, foldBatch } from './fold';
import { pathView } from './path-anonymizer';

/** Bumped when the fold's semantics change: stored aggregates are then rebuilt. */
const ANALYSIS_VERSION = 1;
/** A rebuild because of late events happens at most this often per user. */
const REBUILD_COOLDOWN_MS = 3_600_000;
/** Temporal patterns reported per run (realtime `pattern.updated`): the most frequent ones. */
const TOUCHED_REPORTED = 50;

export interface AnalysisOptions {
  /** Stop starting new batches after this long (a batch in progress finishes). */
  budgetMs: number;
  /** privacy_config.anonymize_paths */
  anonymise: boolean;
  /** Overrides ANALYSIS_BATCH_SIZE (tests and benchmarks; results never depend on it). */
  batchSize?: number;
}

export interface AnalysisRun {
  /** false when the budget ran out with events left to analyse */
  caughtUp: boolean;
  events: number;
  batches: number;
  rebuilt: boolean;
  /** the oldest event not analysed because it is younger than the settle horizon */
  pendingAt: Date | null;
  /** late events wait for a rebuild that the cooldown postpones until then */
  rebuildDueAt: Date | null;
  /** temporal patterns created or updated (at most TOUCHED_REPORTED) */
  touched: TouchedPattern[];
}

interface BatchOutcome {
  events: number;
  done: boolean;
  rebuilt: boolean;
  rebuildDueAt: Date | null;
  touched: TouchedPattern[];
  position: { us: string; id: string } | null;
}

/**
 * The incremental analysis of one user's events (see README, "Pattern intelligence").
 * Each batch is one transaction: lock the user's state row, read the next events after
 * the position in (timestamp, id) order, fold them (fold.ts) from the stored tail, merge
 * the deltas into the aggregates, move the position. A crash or a retried job repeats at
 * most an uncommitted batch; re-running with nothing new changes nothing. Runs in the
 * worker (debounced after ingest) and, within a budget, in the API for generate.
 */
@Injectable()
export class PatternAnalysisService {
  private readonly logger = new Logger(PatternAnalysisService.name);

  constructor(
    private readonly store: AnalysisRepository,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly positions: AnalysisPositions,
  ) {}

  /** What the stored aggregates depend on; any change rebuilds them. */
  fingerprint(anonymise: boolean): string {
    const a = this.config.analysis;
    return `v${ANALYSIS_VERSION};window=${a.relationWindowMs};idle=${a.sessionIdleMs};support=${a.minSupport};anon=${anonymise ? 1 : 0}`;
  }

  async analyse(userId: string, options: AnalysisOptions): Promise<AnalysisRun> {
    const run: AnalysisRun = { caughtUp: false, events: 0, batches: 0, rebuilt: false, pendingAt: null, rebuildDueAt: null, touched: [] };
    await this.store.ensureState(userId, randomBytes(32).toString('hex'));
    let late = await this.positions.takeLateMarker(userId);
    const deadline = Date.now() + options.budgetMs;
    let position: { us: string; id: string } | null = null;
    while (Date.now() < deadline) {
      const batch = await this.transactions.run((tx) => this.batch(userId, options, late, tx));
      late = null;
      if (!batch) return { ...run, caughtUp: true }; // the user is gone
      run.batches++;
      run.events += batch.events;
      run.rebuilt ||= batch.rebuilt;
      run.rebuildDueAt = batch.rebuildDueAt;
      position = batch.position;
      for (const t of batch.touched) report(run.touched, t);
      if (batch.done) {
        run.caughtUp = true;
        break;
      }
    }
    if (late !== null) await this.positions.restoreLateMarker(userId, late); // no batch ran: keep it for the next run
    if (run.caughtUp) run.pendingAt = await this.store.nextPendingAt(userId, position);
    if (position) await this.positions.remember(userId, position.us);
    if (run.events)
      this.logger.debug(`user ${userId}: analysed ${run.events} event(s) in ${run.batches} batch(es)${run.rebuilt ? ' (rebuilt)' : ''}`);
    return run;
  }

  /** One transaction: null when the user no longer exists. */
  private async batch(
    userId: string,
    options: AnalysisOptions,
    lateMarker: number | null,
    tx: EntityManager,
  ): Promise<BatchOutcome | null> {
    const state = await this.store.lockState(userId, tx);
    if (!state) return null;
    const fingerprint = this.fingerprint(options.anonymise);
    let position = state.position_us && state.position_id ? { us: state.position_us, id: state.position_id } : null;
    let tail = state.tail ?? EMPTY_TAIL;
    let lateFrom = minDate(state.late_from, lateMarker === null ? null : new Date(lateMarker));
    // Late events are behind the position: only a rebuild can place them in their sessions.
    if (lateFrom && (!position || lateFrom.getTime() >= Math.floor(Number(position.us) / 1000))) lateFrom = null;
    let rebuilt = false;
    let rebuildDueAt: Date | null = null;
    const parametersChanged = state.fingerprint !== fingerprint && (position !== null || state.fingerprint !== '');
    if (parametersChanged || lateFrom) {
      const cooledDown = !state.rebuilt_at || state.db_now.getTime() - state.rebuilt_at.getTime() >= REBUILD_COOLDOWN_MS;
      if (parametersChanged || cooledDown) {
        await this.store.resetAggregates(userId, tx);
        position = null;
        tail = EMPTY_TAIL;
        lateFrom = null;
        rebuilt = true;
      } else {
        rebuildDueAt = new Date(state.rebuilt_at!.getTime() + REBUILD_COOLDOWN_MS);
      }
    }
    const limit = options.batchSize ?? this.config.analysis.batchSize;
    const rows = await this.store.readEvents(userId, position, this.config.analysis.settleSeconds, limit, tx);
    const changed = rows.length > 0 || rebuilt || state.fingerprint !== fingerprint || !sameDate(lateFrom, state.late_from);
    if (!changed) return { events: 0, done: true, rebuilt, rebuildDueAt, touched: [], position };
    const view = pathView(options.anonymise, state.salt);
    const { tail: nextTail, delta } = foldBatch(
      tail,
      rows.map((r) => toFoldEvent(r, view)),
      this.config.analysis,
    );
    // Sequences first, the extension rows (which ingest also locks) last: shortest lock hold.
    const touched = await this.store.writeSequences(userId, delta.sequences, this.config.analysis.minSupport, tx);
    await this.store.writeRelations(userId, delta.relations.values(), tx);
    await this.store.writeHistograms(userId, delta.extensions, tx);
    const last = rows[rows.length - 1];
    if (last) position = { us: last.us, id: last.id };
    await this.store.saveState(
      userId,
      { position, tail: nextTail, fingerprint, events: rows.length, steps: delta.steps, lateFrom, rebuilt },
      tx,
    );
    return { events: rows.length, done: rows.length < limit, rebuilt, rebuildDueAt, touched, position };
  }

  /** The user's anonymisation key (created with the state row). */
  salt(userId: string): Promise<string | null> {
    return this.store.salt(userId);
  }

  /**
   * Takes the user's analysis lock inside `tx` (a transaction the caller opened): what
   * runs in it never interleaves with a batch of this analysis, nor with another holder.
   */
  lockUser(userId: string, tx: EntityManager): Promise<void> {
    return this.store.lockUser(userId, tx);
  }
}

function toFoldEvent(r: EventRow, view: (p: string) => string): FoldEvent {
  return {
    at: Math.floor(Number(r.us) / 1000),
    eventType: r.event_type,
    tool: r.tool,
    operation: r.operation,
    path: r.path ? view(r.path) : null,
    ext: fileExtension(r.path),
  };
}

/** Keeps the TOUCHED_REPORTED most frequent patterns of the run (the latest count of each). */
function report(into: TouchedPattern[], t: TouchedPattern): void {
  const i = into.findIndex((x) => x.id === t.id);
  if (i >= 0) into[i] = t;
  else if (into.length < TOUCHED_REPORTED) into.push(t);
  else {
    let least = 0;
    for (let j = 1; j < into.length; j++) if (into[j].count < into[least].count) least = j;
    if (into[least].count < t.count) into[least] = t;
  }
}

const minDate = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));
const sameDate = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);
