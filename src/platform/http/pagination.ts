import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_SKIP } from './sorting';

/** The legacy list envelope. `has_more` is exact: there are rows past this page. */
export interface Page<T> {
  items: T[];
  total: number;
  skip: number;
  limit: number;
  has_more: boolean;
}

export function page<T>(items: T[], total: number, skip: number, limit: number): Page<T> {
  return { items, total, skip, limit, has_more: skip + items.length < total };
}

/** `skip` ≥ 0 (default 0) and `limit` 1..100 (default 20) from the query string. */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  skip = 0;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;
}

/** `skip` (0..MAX_SKIP, default 0) and `limit` (1..100, default 20), documented. */
export class BoundedPageQuery extends PageQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_SKIP, default: 0 })
  @Max(MAX_SKIP)
  override skip = 0;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  override limit = 20;
}
