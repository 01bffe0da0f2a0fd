import { Injectable } from '@nestjs/common';
import { ListPageRepository } from '@/platform/database/list-page.repository';
import { Sql } from '@/platform/database/sql';
import { SqlWhere } from '@/platform/database/sql/where';
import type { ListResult } from '@/platform/http/list-page';
import { orderBy, type SortColumn } from '@/platform/http/sorting';
import {
  type ListSuggestionsQuery,
  type SuggestionAction,
  SuggestionResponse,
  type SuggestionRow,
  type SuggestionSortColumn,
} from './dto/suggestion.dto';
import type { DraftSource } from './engine/workflow-draft';

/** The columns of a SuggestionRow (table alias `s`). */
export const SUGGESTION_COLUMNS =
  's.id, s.trigger, s.tools_involved, s.suggested_integration, s.suggested_connector, s.sample_code, s.reasoning, s.actual_files, s.confidence, s.is_dismissed, s.is_applied, s.is_bookmarked, s.created_at';

const SORT_SQL: Record<SuggestionSortColumn, SortColumn[]> = {
  // the legacy default: confidence, then newest (idx_suggestions_user_rank)
  confidence: [{ sql: 's.confidence' }, { sql: 's.created_at' }],
  created_at: [{ sql: 's.created_at' }],
  updated_at: [{ sql: 's.updated_at' }],
};

/** The state change of each action. */
const ACTION_SET: Record<SuggestionAction, string> = {
  bookmark: 'is_bookmarked = NOT s.is_bookmarked',
  apply: 'is_applied = true',
  dismiss: 'is_dismissed = true',
};

/** An export row: the suggestion and its keyset cursor (created_at as text: a JS Date would drop its microseconds). */
export type SuggestionBatchRow = SuggestionRow & { cursor_ts: string };

/**
 * Statements on the suggestions table for the HTTP side: the list page, the export, the
 * user's actions and the draft-workflow source. (The engine's writes are in
 * SuggestionCandidatesRepository.)
 */
@Injectable()
export class SuggestionsRepository {
  constructor(
    private readonly sql: Sql,
    private readonly pages: ListPageRepository,
  ) {}

  /**
   * One page of the user's suggestions and, only when the page does not show where the
   * list ends, its total — `unfilteredTotal()` when unfiltered, a count capped at `cap`
   * rows when filtered.
   */
  listPage(
    userId: string,
    q: ListSuggestionsQuery,
    totals: { cap: number; unfilteredTotal: () => Promise<number> },
  ): Promise<ListResult<SuggestionResponse>> {
    return this.pages.read({
      select: SUGGESTION_COLUMNS,
      from: 'suggestions s',
      where: () => this.where(userId, q),
      orderBy: orderBy([...SORT_SQL[q.sort_by], { sql: 's.id' }], q.sort_order),
      skip: q.skip,
      limit: q.limit,
      map: SuggestionResponse.from,
      filtered: q.confidence_min !== undefined || q.is_dismissed !== undefined || q.is_applied !== undefined,
      unfilteredTotal: totals.unfilteredTotal,
      cap: totals.cap,
    });
  }

  private where(userId: string, q: ListSuggestionsQuery): SqlWhere {
    const where = new SqlWhere().and((p) => `s.user_id = ${p}`, userId);
    if (q.confidence_min !== undefined) where.and((p) => `s.confidence >= ${p}`, q.confidence_min);
    if (q.is_dismissed !== undefined) where.and((p) => `s.is_dismissed = ${p}`, q.is_dismissed);
    if (q.is_applied !== undefined) where.and((p) => `s.is_applied = ${p}`, q.is_applied);
    return where;
  }

  /** The next `size` of the user's suggestions after the cursor `after` (none: from the oldest), oldest first. */
  async batchAfter(userId: string, after: { ts: string; id: string } | null, size: number): Promise<SuggestionBatchRow[]> {
    const { rows } = await this.sql.run<SuggestionBatchRow>(
      `SELECT ${SUGGESTION_COLUMNS}, s.created_at::text AS cursor_ts FROM suggestions s
            WHERE s.user_id = $1 AND ($2::timestamptz IS NULL OR (s.created_at, s.id) > ($2::timestamptz, $3::uuid))
            ORDER BY s.created_at, s.id LIMIT $4`,
      [userId, after?.ts ?? null, after?.id ?? null, size],
    );
    return rows;
  }

  /** Applies `action` to the user's suggestion `id`: its bookmark flag afterwards, or null when the user has no such suggestion. */
  async act(userId: string, id: string, action: SuggestionAction): Promise<{ is_bookmarked: boolean } | null> {
    const { rows } = await this.sql.run<{ is_bookmarked: boolean }>(
      `UPDATE suggestions s SET ${ACTION_SET[action]}, updated_at = now()
        WHERE s.id = $1 AND s.user_id = $2
        RETURNING s.is_bookmarked`,
      [id, userId],
    );
    return rows[0] ?? null;
  }

  /** What a workflow draft needs of the user's suggestion `id` (null: the user has no such suggestion). */
  async draftSource(userId: string, id: string): Promise<DraftSource | null> {
    const { rows } = await this.sql.run<DraftSource>(
      `SELECT rule_id, trigger, reasoning, sample_code, suggested_connector, metadata FROM suggestions WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ?? null;
  }

  async markApplied(userId: string, id: string): Promise<void> {
    await this.sql.run('UPDATE suggestions SET is_applied = true, updated_at = now() WHERE id = $1 AND user_id = $2', [id, userId]);
  }
}
