import { Injectable, type StreamableFile } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { type JsonPage, ResponseCache } from '@/platform/cache/response-cache';
import type { ListResult } from '@/platform/http/list-page';
import { ListPageRepository } from '@/platform/database/list-page.repository';
import { orderBy, type SortColumn } from '@/platform/http/sorting';
import { keysetBatches, streamExport, type ExportFormat } from '@/platform/http/export/streaming-export';
import { SqlWhere } from '@/platform/database/sql/where';
import { AppConfig } from '@/platform/config/app-config';
import { StatsService } from '@/domains/stats';
import { type ListPatternsQuery, type PatternRow, PatternResponse, type PatternSortColumn } from './dto/pattern.dto';
import { Pattern } from './entities/pattern.entity';

export interface PatternEvidence {
  fileExtension: string;
  count: number;
  lastUsed: Date | null;
  tools: string[];
}

const SORT_SQL: Record<PatternSortColumn, SortColumn> = {
  count: { sql: 'p.count' },
  last_used: { sql: 'p.last_used', nullable: true },
  file_extension: { sql: 'p.file_extension' },
  created_at: { sql: 'p.created_at' },
  updated_at: { sql: 'p.updated_at' },
};

const COLUMNS = 'p.id, p.file_extension, p.count, p.last_used, p.tools';

@Injectable()
export class PatternsService {
  constructor(
    @InjectRepository(Pattern) private readonly patterns: Repository<Pattern>,
    private readonly stats: StatsService,
    private readonly cache: ResponseCache,
    private readonly config: AppConfig,
    private readonly pages: ListPageRepository,
  ) {}

  list(userId: string, q: ListPatternsQuery): Promise<JsonPage> {
    const key = [q.skip, q.limit, q.file_extension ?? null, q.sort_by, q.sort_order];
    return this.cache.listPage(userId, 'patterns', key, () => this.readPage(userId, q));
  }

  private where(userId: string, q: ListPatternsQuery): SqlWhere {
    const where = new SqlWhere().and((p) => `p.user_id = ${p}`, userId);
    if (q.file_extension !== undefined) {
      const ext = q.file_extension.startsWith('.') ? q.file_extension : `.${q.file_extension}`;
      where.and((p) => `p.file_extension = ${p}`, ext.toLowerCase());
    }
    return where;
  }

  private readPage(userId: string, q: ListPatternsQuery): Promise<ListResult<PatternResponse>> {
    return this.pages.read({
      select: COLUMNS,
      from: 'patterns p',
      where: () => this.where(userId, q),
      orderBy: orderBy([SORT_SQL[q.sort_by], { sql: 'p.id' }], q.sort_order),
      skip: q.skip,
      limit: q.limit,
      map: PatternResponse.from,
      filtered: q.file_extension !== undefined,
      unfilteredTotal: async () => (await this.stats.counts(userId)).patterns,
      cap: this.config.lists.countCap,
    });
  }

  /** The user's most used extensions with at least `minCount` events (generator input). */
  async strongest(userId: string, minCount: number, limit: number): Promise<PatternEvidence[]> {
    const rows = (await this.patterns.query(
      `SELECT ${COLUMNS} FROM patterns p WHERE p.user_id = $1 AND p.count >= $2 ORDER BY p.count DESC, p.file_extension LIMIT $3`,
      [userId, minCount, limit],
    )) as PatternRow[];
    return rows.map((r) => ({ fileExtension: r.file_extension, count: r.count, lastUsed: r.last_used, tools: r.tools }));
  }

  /** All of the user's patterns as a JSON or CSV attachment, most used first. */
  export(userId: string, format: ExportFormat): Promise<StreamableFile> {
    return streamExport({
      format,
      basename: 'patterns',
      batches: this.batches(userId),
      toJson: PatternResponse.from,
      columns: [
        { header: 'id', value: (r) => r.id },
        { header: 'file_extension', value: (r) => r.file_extension },
        { header: 'count', value: (r) => r.count },
        { header: 'last_used', value: (r) => r.last_used },
        { header: 'tools', value: (r) => r.tools },
      ],
    });
  }

  /** The user's patterns in keyset batches (also used by the GDPR export). */
  batches(userId: string): AsyncGenerator<PatternRow[]> {
    return keysetBatches<PatternRow, { count: number; id: string }>(
      (after, size) =>
        this.patterns.query(
          `SELECT ${COLUMNS} FROM patterns p
            WHERE p.user_id = $1 AND ($2::int IS NULL OR (p.count, p.id) < ($2::int, $3::uuid))
            ORDER BY p.count DESC, p.id DESC LIMIT $4`,
          [userId, after?.count ?? null, after?.id ?? null, size],
        ) as Promise<PatternRow[]>,
      (row) => ({ count: row.count, id: row.id }),
    );
  }
}
