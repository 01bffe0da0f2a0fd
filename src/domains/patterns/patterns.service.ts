import { Injectable, type StreamableFile } from '@nestjs/common';
import { type JsonPage, ResponseCache } from '@/platform/cache/response-cache';
import type { ListResult } from '@/platform/http/list-page';
import { keysetBatches, streamExport, type ExportFormat } from '@/platform/http/export/streaming-export';
import { AppConfig } from '@/platform/config/app-config';
import { StatsService } from '@/domains/stats';
import { type ListPatternsQuery, type PatternRow, PatternResponse } from './dto/pattern.dto';
import { PatternsRepository } from './patterns.repository';

@Injectable()
export class PatternsService {
  constructor(
    private readonly patterns: PatternsRepository,
    private readonly stats: StatsService,
    private readonly cache: ResponseCache,
    private readonly config: AppConfig,
  ) {}

  list(userId: string, q: ListPatternsQuery): Promise<JsonPage> {
    const key = [q.skip, q.limit, q.file_extension ?? null, q.sort_by, q.sort_order];
    return this.cache.listPage(userId, 'patterns', key, () => this.readPage(userId, q));
  }

  private readPage(userId: string, q: ListPatternsQuery): Promise<ListResult<PatternResponse>> {
    return this.patterns.listPage(userId, q, {
      cap: this.config.lists.countCap,
      unfilteredTotal: async () => (await this.stats.counts(userId)).patterns,
    });
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
      (after, size) => this.patterns.batchAfter(userId, after, size),
      (row) => ({ count: row.count, id: row.id }),
    );
  }
}
