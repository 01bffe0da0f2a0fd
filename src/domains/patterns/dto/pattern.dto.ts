import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { NoNul } from '@/platform/http/decorators/no-nul.decorator';
import { BoundedPageQuery } from '@/platform/http/pagination';
import { type SortOrder, SortByField, SortOrderField } from '@/platform/http/sorting';

const PATTERN_SORT_COLUMNS = ['count', 'last_used', 'file_extension', 'created_at', 'updated_at'] as const;
export type PatternSortColumn = (typeof PATTERN_SORT_COLUMNS)[number];

export class ListPatternsQuery extends BoundedPageQuery {
  @ApiPropertyOptional({ example: '.py', description: 'exact extension; the leading dot is optional' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @NoNul()
  file_extension?: string;

  @SortByField(PATTERN_SORT_COLUMNS, 'count')
  sort_by: PatternSortColumn = 'count';

  @SortOrderField()
  sort_order: SortOrder = 'desc';
}

export class PatternResponse {
  id: string;
  file_extension: string;
  count: number;
  last_used: string | null;
  tools: string[];

  static from(row: PatternRow): PatternResponse {
    return {
      id: row.id,
      file_extension: row.file_extension,
      count: row.count,
      last_used: row.last_used ? row.last_used.toISOString() : null,
      tools: row.tools,
    };
  }
}

/** A row as read from `patterns`. */
export type PatternRow = Omit<PatternResponse, 'last_used'> & { last_used: Date | null };
