import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import { AppConfig } from '@/platform/config/app-config';
import { Transactions } from '@/platform/database/transactions';
import { AnalysisQueue } from '@/domains/patterns';
import { PatternAnalysisService, type AnalysisRun } from '@/domains/patterns';
import { PatternEvidenceService } from '@/domains/patterns';
import { RealtimeService } from '@/platform/realtime/realtime.service';
import { UserConfigService } from '@/domains/users';
import { SuggestionResponse } from '../dto/suggestion.dto';
import { RULES } from './catalogue';
import { evaluate } from './match';
import { type SavedSuggestion, SuggestionCandidatesRepository } from './suggestion-candidates.repository';

export interface RefreshResult {
  run: AnalysisRun;
  /** suggestions created by this refresh, best first */
  created: SuggestionResponse[];
  /** open suggestions whose evidence changed */
  updated: number;
  /** events are left for the worker (budget used up, or not settled yet) */
  pending: boolean;
}

/** Settle follow-ups are scheduled at most this far ahead (an event stamped in the future waits for the next ingest). */
const MAX_FOLLOW_UP_MS = 86_400_000;

interface UserSettings {
  anonymise: boolean;
  maxSuggestions: number;
  useActualFiles: boolean;
}

/**
 * Pattern intelligence for one user: analyse what is new (PatternAnalysisService), then
 * evaluate the rule catalogue over the recurring sequences and store the suggestions.
 * Used by the worker's analysis job and, within a time budget, by POST
 * /api/suggestions/generate. New and changed suggestions and patterns are pushed to the
 * user's clients.
 */
@Injectable()
export class SuggestionEngine {
  private readonly logger = new Logger(SuggestionEngine.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly suggestions: SuggestionCandidatesRepository,
    private readonly analysis: PatternAnalysisService,
    private readonly evidence: PatternEvidenceService,
    private readonly queue: AnalysisQueue,
    private readonly userConfigs: UserConfigService,
    private readonly events: EventBus,
    private readonly realtime: RealtimeService,
    private readonly config: AppConfig,
  ) {}

  async refresh(userId: string, budgetMs: number): Promise<RefreshResult> {
    const settings = await this.settings(userId);
    const run = await this.analysis.analyse(userId, { budgetMs, anonymise: settings.anonymise });
    const scrubbed = settings.anonymise ? await this.scrub(userId) : 0;
    for (const p of run.touched) {
      this.realtime.toUser(userId, 'pattern.updated', {
        id: p.id,
        file_extension: '',
        count: p.count,
        kind: 'sequence',
        sequence_key: p.sequence_key,
      });
    }
    let saved: SavedSuggestion[] = [];
    if (run.caughtUp) saved = await this.evaluate(userId, settings);
    await this.scheduleFollowUps(userId, run);
    if (saved.length || run.events || scrubbed) await this.events.publish('user.lists.changed', { userId });
    const created = saved.filter((s) => s.inserted).map(SuggestionResponse.from);
    created.sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));
    for (const s of saved) {
      this.realtime.toUser(userId, 'suggestion.created', {
        id: s.id,
        trigger: s.trigger,
        confidence: s.confidence,
        suggested_integration: s.suggested_integration,
        suggested_connector: s.suggested_connector,
        change: s.inserted ? 'created' : 'updated',
      });
    }
    return { run, created, updated: saved.length - created.length, pending: !run.caughtUp || run.pendingAt !== null };
  }

  private async settings(userId: string): Promise<UserSettings> {
    const config = await this.userConfigs.get(userId);
    const suggestions = config.suggestionsConfig as { max_suggestions?: unknown; use_actual_file_paths?: unknown };
    const privacy = config.privacyConfig as { anonymize_paths?: unknown };
    return {
      anonymise: privacy.anonymize_paths === true,
      maxSuggestions: typeof suggestions.max_suggestions === 'number' ? suggestions.max_suggestions : 5,
      useActualFiles: suggestions.use_actual_file_paths !== false,
    };
  }

  /** One transaction holding the user's analysis lock: evaluations of one user never interleave. */
  private async evaluate(userId: string, settings: UserSettings): Promise<SavedSuggestion[]> {
    const evidence = await this.evidence.read(userId);
    const candidates = evaluate(evidence, RULES, { useActualFiles: settings.useActualFiles });
    if (!candidates.length) return [];
    return this.transactions.run(async (tx) => {
      await this.analysis.lockUser(userId, tx);
      return this.suggestions.save(userId, candidates, settings.maxSuggestions, tx);
    });
  }

  private async scrub(userId: string): Promise<number> {
    const salt = await this.analysis.salt(userId);
    if (!salt) return 0;
    const n = await this.transactions.run((tx) => this.suggestions.scrubPaths(userId, salt, tx));
    if (n) this.logger.log(`user ${userId}: anonymised the paths of ${n} suggestion(s)`);
    return n;
  }

  /** The rest goes to the worker: a continuation, events waiting to settle, a postponed rebuild. */
  private async scheduleFollowUps(userId: string, run: AnalysisRun): Promise<void> {
    if (!run.caughtUp) return this.queue.continueNow(userId);
    const horizon = Date.now() + MAX_FOLLOW_UP_MS;
    if (run.pendingAt) {
      const due = Math.min(run.pendingAt.getTime() + this.config.analysis.settleSeconds * 1_000 + 1_000, horizon);
      await this.queue.at(userId, new Date(due), 'settle');
    }
    if (run.rebuildDueAt) await this.queue.at(userId, run.rebuildDueAt, 'rebuild');
  }
}
