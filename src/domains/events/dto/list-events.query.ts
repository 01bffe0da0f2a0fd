import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { BoundedPageQuery } from '@/platform/http/pagination';
import { type SortOrder, SortByField, SortOrderField } from '@/platform/http/sorting';
import { NoNul } from '@/platform/http/decorators/no-nul.decorator';
import { EVENT_TYPE_MAX, TOOL_MAX } from './create-event.dto';

const EVENT_SORT_COLUMNS = ['timestamp', 'event_type', 'tool', 'operation', 'file_path'] as const;
export type EventSortColumn = (typeof EVENT_SORT_COLUMNS)[number];

export class ListEventsQuery extends BoundedPageQuery {
  @ApiPropertyOptional({ maxLength: EVENT_TYPE_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(EVENT_TYPE_MAX)
  @NoNul()
  event_type?: string;

  @ApiPropertyOptional({ maxLength: TOOL_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(TOOL_MAX)
  @NoNul()
  tool?: string;

  @ApiPropertyOptional({
    maxLength: 200,
    description: 'case-insensitive substring of file_path, operation or event_type; % _ \\ match literally',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @NoNul()
  search?: string;

  @SortByField(EVENT_SORT_COLUMNS, 'timestamp')
  sort_by: EventSortColumn = 'timestamp';

  @SortOrderField()
  sort_order: SortOrder = 'desc';
}
