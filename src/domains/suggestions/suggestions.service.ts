import { Injectable, NotFoundException } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import { type JsonPage, ResponseCache } from '@/platform/cache/response-cache';
import { keysetBatches } from '@/platform/http/export/streaming-export';
import type { ListResult } from '@/platform/http/list-page';
import { AppConfig } from '@/platform/config/app-config';
import { StatsService } from '@/domains/stats';
import type { ListSuggestionsQuery, SuggestionAction, SuggestionResponse, SuggestionRow } from './dto/suggestion.dto';
import { type SuggestionBatchRow, SuggestionsRepository } from './suggestions.repository';

/** The legacy message of each action (the state change is SuggestionsRepository.act's). */
const MESSAGES: Record<SuggestionAction, (row: { is_bookmarked: boolean }) => string> = {
  bookmark: (r) => (r.is_bookmarked ? 'Suggestion bookmarked' : 'Suggestion unbookmarked'),
  apply: () => 'Suggestion marked as applied',
  dismiss: () => 'Suggestion dismissed',
};

export const SUGGESTION_NOT_FOUND = 'Suggestion not found';
@Injectable()
export class SuggestionsService {
  constructor(
    private readonly suggestions: SuggestionsRepository,
    private readonly stats: StatsService,
    private readonly cache: ResponseCache,
    private readonly events: EventBus,
    private readonly config: AppConfig,
  ) {}

  list(userId: string, q: ListSuggestionsQuery): Promise<JsonPage> {
    const key = [q.skip, q.limit, q.confidence_min ?? null, q.is_dismissed ?? null, q.is_applied ?? null, q.sort_by, q.sort_order];
    return this.cache.listPage(userId, 'suggestions', key, () => this.readPage(userId, q));
  }

  private readPage(userId: string, q: ListSuggestionsQuery): Promise<ListResult<SuggestionResponse>> {
    return this.suggestions.listPage(userId, q, {
      cap: this.config.lists.countCap,
      unfilteredTotal: async () => (await this.stats.counts(userId)).suggestions,
    });
  }

  /** The user's suggestions in keyset batches, oldest first (GDPR export). */
  batches(userId: string): AsyncGenerator<SuggestionRow[]> {
    return keysetBatches<SuggestionBatchRow, { ts: string; id: string }>(
      (after, size) => this.suggestions.batchAfter(userId, after, size),
      (row) => ({ ts: row.cursor_ts, id: row.id }),
    );
  }

  /** Bookmark (toggle), apply or dismiss one of the caller's suggestions; anyone else's is a 404. */
  async act(userId: string, id: string, action: SuggestionAction): Promise<{ message: string }> {
    const row = await this.suggestions.act(userId, id, action);
    if (!row) throw new NotFoundException(SUGGESTION_NOT_FOUND);
    await this.events.publish('user.lists.changed', { userId });
    return { message: MESSAGES[action](row) };
  }
}
