import { Injectable } from '@nestjs/common';
import { ListPageRepository } from '@/platform/database/list-page.repository';
import { Sql } from '@/platform/database/sql';
import { SqlWhere } from '@/platform/database/sql/where';
import type { ListResult } from '@/platform/http/list-page';
import { orderBy, type SortColumn } from '@/platform/http/sorting';
import { type ListPatternsQuery, type PatternRow, PatternResponse, type PatternSortColumn } from './dto/pattern.dto';

const SORT_SQL: Record<PatternSortColumn, SortColumn> = {
  count: { sql: 'p.count' },
  last_used: { sql: 'p.last_used', nullable: true },
  file_extension: { sql: 'p.file_extension' },
  created_at: { sql: 'p.created_at' },
  updated_at: { sql: 'p.updated_at' },
};

const COLUMNS = 'p.id, p.file_extension, p.count, p.last_used, p.tools';

/**
 * Reads of the extension patterns (the patterns table; ingest upserts them in the events'
 * ingest statement, the analysis adds their histograms in AnalysisRepository).
 */
@Injectable()
export class PatternsRepository {
  constructor(
    private readonly sql: Sql,
    private readonly pages: ListPageRepository,
  ) {}

  /**
   * One page of the user's patterns and, only when the page does not show where the list
   * ends, its total — `unfilteredTotal()` when unfiltered, a count capped at `cap` rows
   * when filtered.
   */
  listPage(
    userId: string,
    q: ListPatternsQuery,
    totals: { cap: number; unfilteredTotal: () => Promise<number> },
  ): Promise<ListResult<PatternResponse>> {
    return this.pages.read({
      select: COLUMNS,
      from: 'patterns p',
      where: () => this.where(userId, q),
      orderBy: orderBy([SORT_SQL[q.sort_by], { sql: 'p.id' }], q.sort_order),
      skip: q.skip,
      limit: q.limit,
      map: PatternResponse.from,
      filtered: q.file_extension !== undefined,
      unfilteredTotal: totals.unfilteredTotal,
      cap: totals.cap,
    });
  }

  private where(userId: string, q: ListPatternsQuery): SqlWhere {
    const where = new SqlWhere().and((p) => `p.user_id = ${p}`, userId);
    if (q.file_extension !== undefined) {
      const ext = q.file_extension.startsWith('.') ? q.file_extension : `.${q.file_extension}`;
      where.and((p) => `p.file_extension = ${p}`, ext.toLowerCase());
    }
    return where;
  }

  /** The next `size` of the user's patterns after the cursor `after` (none: from the top), most used first. */
  async batchAfter(userId: string, after: { count: number; id: string } | null, size: number): Promise<PatternRow[]> {
    const { rows } = await this.sql.run<PatternRow>(
      `SELECT ${COLUMNS} FROM patterns p
            WHERE p.user_id = $1 AND ($2::int IS NULL OR (p.count, p.id) < ($2::int, $3::uuid))
            ORDER BY p.count DESC, p.id DESC LIMIT $4`,
      [userId, after?.count ?? null, after?.id ?? null, size],
    );
    return rows;
  }
}
