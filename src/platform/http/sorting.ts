import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Largest accepted `skip` (PostgreSQL's OFFSET takes a bigint; past int32 is never useful). */
export const MAX_SKIP = 2_147_483_647;

/** A whitelisted sort expression; nullable ones sort their NULLs last in both directions. */
export interface SortColumn {
  sql: string;
  nullable?: boolean;
}

/**
 * `ORDER BY` from whitelisted expressions (never from input), all in one direction, so
 * an index on the same columns serves it forwards or backwards. End with the id as the
 * tie-breaker: pages never overlap or skip rows that share a sort value.
 */
export function orderBy(columns: SortColumn[], order: SortOrder): string {
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  return columns.map((c) => `${c.sql} ${dir}${c.nullable ? ' NULLS LAST' : ''}`).join(', ');
}

/** The `sort_by` query field: one of `columns` (422 otherwise), documented with its default. */
export const SortByField = (columns: readonly string[], byDefault: string) =>
  applyDecorators(
    ApiPropertyOptional({ enum: columns, default: byDefault }),
    IsOptional(),
    IsIn(columns, { message: `sort_by must be one of: ${columns.join(', ')}` }),
  );

/** The `sort_order` query field: `asc` or `desc` (default desc). */
export const SortOrderField = () =>
  applyDecorators(
    ApiPropertyOptional({ enum: SORT_ORDERS, default: 'desc' }),
    IsOptional(),
    IsIn(SORT_ORDERS, { message: 'sort_order must be one of: asc, desc' }),
  );
