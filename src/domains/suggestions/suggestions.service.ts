import { Injectable, NotFoundException } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { type JsonPage, ResponseCache } from '@/platform/cache/response-cache';
import { keysetBatches } from '@/platform/http/export/streaming-export';
import type { ListResult } from '@/platform/http/list-page';
import { ListPageRepository } from '@/platform/database/list-page.repository';
import { orderBy, type SortColumn } from '@/platform/http/sorting';
import { SqlWhere } from '@/platform/database/sql/where';
import { AppConfig } from '@/platform/config/app-config';
import { StatsService } from '@/domains/stats';
import {
  type ListSuggestionsQuery,
  SUGGESTION_COLUMNS,
  SuggestionResponse,
  type SuggestionRow,
  type SuggestionSortColumn,
} from './dto/suggestion.dto';
import { Suggestion } from './entities/suggestion.entity';

const SORT_SQL: Record<SuggestionSortColumn, SortColumn[]> = {
  // the legacy default: confidence, then newest (idx_suggestions_user_rank)
  confidence: [{ sql: 's.confidence' }, { sql: 's.created_at' }],
  created_at: [{ sql: 's.created_at' }],
  updated_at: [{ sql: 's.updated_at' }],
};

export type SuggestionAction = 'bookmark' | 'apply' | 'dismiss';

/** The state change of each action, and its legacy message. */
const ACTIONS: Record<SuggestionAction, { set: string; message: (row: { is_bookmarked: boolean }) => string }> = {
  bookmark: {
    set: 'is_bookmarked = NOT s.is_bookmarked',
    message: (r) => (r.is_bookmarked ? 'Suggestion bookmarked' : 'Suggestion unbookmarked'),
  },
  apply: { set: 'is_applied = true', message: () => 'Suggestion marked as applied' },
  dismiss: { set: 'is_dismissed = true', message: () => 'Suggestion dismissed' },
};

export const SUGGESTION_NOT_FOUND = 'Suggestion not found';
@Injectable()
export class SuggestionsService {
  constructor(
    @InjectRepository(Suggestion) private readonly suggestions: Repository<Suggestion>,
    private readonly stats: StatsService,
    private readonly cache: ResponseCache,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    private readonly pages: ListPageRepository,
  ) {}

  list(userId: string, q: ListSuggestionsQuery): Promise<JsonPage> {
    const key = [q.skip, q.limit, q.confidence_min ?? null, q.is_dismissed ?? null, q.is_applied ?? null, q.sort_by, q.sort_order];
    return this.cache.listPage(userId, 'suggestions', key, () => this.readPage(userId, q));
  }

  private where(userId: string, q: ListSuggestionsQuery): SqlWhere {
    const where = new SqlWhere().and((p) => `s.user_id = ${p}`, userId);
    if (q.confidence_min !== undefined) where.and((p) => `s.confidence >= ${p}`, q.confidence_min);
    if (q.is_dismissed !== undefined) where.and((p) => `s.is_dismissed = ${p}`, q.is_dismissed);
    if (q.is_applied !== undefined) where.and((p) => `s.is_applied = ${p}`, q.is_applied);
    return where;
  }

  private readPage(userId: string, q: ListSuggestionsQuery): Promise<ListResult<SuggestionResponse>> {
    return this.pages.read({
      select: SUGGESTION_COLUMNS,
      from: 'suggestions s',
      where: () => this.where(userId, q),
      orderBy: orderBy([...SORT_SQL[q.sort_by], { sql: 's.id' }], q.sort_order),
      skip: q.skip,
      limit: q.limit,
      map: SuggestionResponse.from,
      filtered: q.confidence_min !== undefined || q.is_dismissed !== undefined || q.is_applied !== undefined,
      unfilteredTotal: async () => (await this.stats.counts(userId)).suggestions,
      cap: this.config.lists.countCap,
    });
  }

  /** The user's suggestions in keyset batches, oldest first (GDPR export). */
  batches(userId: string): AsyncGenerator<SuggestionRow[]> {
    return keysetBatches<SuggestionRow & { cursor_ts: string }, { ts: string; id: string }>(
      (after, size) =>
        this.suggestions.query(
          `SELECT ${SUGGESTION_COLUMNS}, s.created_at::text AS cursor_ts FROM suggestions s
            WHERE s.user_id = $1 AND ($2::timestamptz IS NULL OR (s.created_at, s.id) > ($2::timestamptz, $3::uuid))
            ORDER BY s.created_at, s.id LIMIT $4`,
          [userId, after?.ts ?? null, after?.id ?? null, size],
        ) as Promise<(SuggestionRow & { cursor_ts: string })[]>,
      (row) => ({ ts: row.cursor_ts, id: row.id }),
    );
  }

  /** Bookmark (toggle), apply or dismiss one of the caller's suggestions; anyone else's is a 404. */
  async act(userId: string, id: string, action: SuggestionAction): Promise<{ message: string }> {
    const rows = (await this.suggestions.query(
      `UPDATE suggestions s SET ${ACTIONS[action].set}, updated_at = now()
        WHERE s.id = $1 AND s.user_id = $2
        RETURNING s.is_bookmarked`,
      [id, userId],
    )) as [{ is_bookmarked: boolean }[], number];
    const row = rows[0][0];
    if (!row) throw new NotFoundException(SUGGESTION_NOT_FOUND);
    await this.events.publish('user.lists.changed', { userId });
    return { message: ACTIONS[action].message(row) };
  }
}
