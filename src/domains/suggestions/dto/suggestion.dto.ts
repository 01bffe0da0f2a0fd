import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { BoundedPageQuery } from '@/platform/http/pagination';
import { QueryBoolean, QueryNumber } from '@/platform/http/query-params';
import { type SortOrder, SortByField, SortOrderField } from '@/platform/http/sorting';

const SUGGESTION_SORT_COLUMNS = ['confidence', 'created_at', 'updated_at'] as const;
export type SuggestionSortColumn = (typeof SUGGESTION_SORT_COLUMNS)[number];

export class ListSuggestionsQuery extends BoundedPageQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @QueryNumber()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'confidence_min must be a number' })
  @Min(0)
  @Max(1)
  confidence_min?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'is_dismissed must be a boolean' })
  is_dismissed?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'is_applied must be a boolean' })
  is_applied?: boolean;

  @SortByField(SUGGESTION_SORT_COLUMNS, 'confidence')
  sort_by: SuggestionSortColumn = 'confidence';

  @SortOrderField()
  sort_order: SortOrder = 'desc';
}

export class SuggestionResponse {
  id: string;
  trigger: string;
  tools_involved: string[];
  /** What to automate, human-readable (the card's title), as the legacy service wrote it. */
  suggested_integration: string | null;
  /** The connector it needs (`dropbox`, `s3`, … as in GET /api/integrations/connectors); null for a scheduled routine. */
  suggested_connector: string | null;
  sample_code: string | null;
  reasoning: string | null;
  actual_files: string[];
  confidence: number;
  is_dismissed: boolean;
  is_applied: boolean;
  is_bookmarked: boolean;
  created_at: string;

  static from(row: SuggestionRow): SuggestionResponse {
    return {
      id: row.id,
      trigger: row.trigger,
      tools_involved: row.tools_involved,
      suggested_integration: row.suggested_integration,
      suggested_connector: row.suggested_connector,
      sample_code: row.sample_code,
      reasoning: row.reasoning,
      actual_files: row.actual_files,
      confidence: row.confidence,
      is_dismissed: row.is_dismissed,
      is_applied: row.is_applied,
      is_bookmarked: row.is_bookmarked,
      created_at: row.created_at.toISOString(),
    };
  }
}

/** A row as read by SUGGESTION_COLUMNS (suggestions.repository.ts). */
export type SuggestionRow = Omit<SuggestionResponse, 'created_at'> & { created_at: Date };

/** What a user can do to one of their suggestions. */
export type SuggestionAction = 'bookmark' | 'apply' | 'dismiss';
