import { ApiPropertyOptional } from '@nestjs/swagger';
import { Max } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { Queryable } from '@/platform/database/sql';
import type { SqlWhere } from '@/platform/database/sql/where';
import { type Page, PageQuery } from './pagination';
import { MAX_SKIP } from './sorting';

/** `skip` (0..MAX_SKIP, default 0) and `limit` (1..100, default 20), documented. */
export class BoundedPageQuery extends PageQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_SKIP, default: 0 })
  @Max(MAX_SKIP)
  override skip = 0;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  override limit = 20;
}

/** A page plus whether its `total` is a capped lower bound (see LIST_COUNT_CAP). */
export interface ListResult<T> {
  page: Page<T>;
  totalCapped: boolean;
}

export interface TotalCount {
  total: number;
  capped: boolean;
}

/** Set on list responses whose `total` stopped at LIST_COUNT_CAP (the real count is larger). */
export const TOTAL_CAPPED_HEADER = 'X-Total-Capped';

/**
 * The envelope from a page read with LIMIT `limit + 1`: the extra row makes `has_more`
 * exact whatever the count costs. When the page shows where the list ends, that is the
 * total and `count` is not called at all.
 */
export async function pageFromProbe<T>(
  rows: T[],
  skip: number,
  limit: number,
  count: () => Promise<TotalCount>,
): Promise<ListResult<T>> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  if (!hasMore && (items.length > 0 || skip === 0)) {
    return { page: { items, total: skip + items.length, skip, limit, has_more: false }, totalCapped: false };
  }
  const { total, capped } = await count();
  // Never below what this very page proves exists (counts can move between two queries).
  const atLeast = items.length ? skip + items.length + (hasMore ? 1 : 0) : 0;
  return { page: { items, total: Math.max(total, atLeast), skip, limit, has_more: hasMore }, totalCapped: capped };
}

/** `count(*)` of a filtered list that stops after `cap` rows: bounded cost on any history. */
export async function cappedCount(em: Queryable, from: string, where: SqlWhere, cap: number): Promise<TotalCount> {
  const limit = where.param(cap + 1);
  const rows = (await em.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from} WHERE ${where.sql} LIMIT ${limit}) s`, where.params)) as {
    n: number;
  }[];
  const n = rows[0]?.n ?? 0;
  return n > cap ? { total: cap, capped: true } : { total: n, capped: false };
}

/**
 * One list page the standard way: the rows (LIMIT limit+1 OFFSET skip, parameters only)
 * and, when needed, the total — `unfilteredTotal()` (a counter) when no filter applies,
 * else a count capped at `cap`. `where` builds a fresh clause each call.
 */
export async function readListPage<R, T>(
  em: Queryable,
  opts: {
    select: string;
    from: string;
    where: () => SqlWhere;
    orderBy: string;
    skip: number;
    limit: number;
    map: (row: R) => T;
    filtered: boolean;
    unfilteredTotal: () => Promise<number>;
    cap: number;
  },
): Promise<ListResult<T>> {
  const where = opts.where();
  const rows = (await em.query(
    `SELECT ${opts.select} FROM ${opts.from} WHERE ${where.sql} ORDER BY ${opts.orderBy}
      LIMIT ${where.param(opts.limit + 1)} OFFSET ${where.param(opts.skip)}`,
    where.params,
  )) as R[];
  return pageFromProbe(rows.map(opts.map), opts.skip, opts.limit, async () =>
    opts.filtered ? cappedCount(em, opts.from, opts.where(), opts.cap) : { total: await opts.unfilteredTotal(), capped: false },
  );
}

/**
 * Sends a page that is already JSON (from the response cache), flagging a capped total in
 * a header; the body is the legacy envelope `{items, total, skip, limit, has_more}`.
 */
export function sendJsonPage(reply: FastifyReply, page: { json: string; totalCapped: boolean }): string {
  if (page.totalCapped) void reply.header(TOTAL_CAPPED_HEADER, 'true');
  void reply.type('application/json; charset=utf-8');
  return page.json;
}
