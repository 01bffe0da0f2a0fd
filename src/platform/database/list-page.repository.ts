import { Injectable } from '@nestjs/common';
import type { ListResult } from '@/platform/http/list-page';
import { Sql } from './sql';
import type { SqlWhere } from './sql/where';

export interface TotalCount {
  total: number;
  capped: boolean;
}

/** What one list page reads: SQL fragments from the domain's repository (never from input). */
export interface ListPageSpec<R, T> {
  select: string;
  from: string;
  /** builds a fresh clause each call (the page and the count each number their own parameters) */
  where: () => SqlWhere;
  orderBy: string;
  skip: number;
  limit: number;
  map: (row: R) => T;
  filtered: boolean;
  unfilteredTotal: () => Promise<number>;
  cap: number;
}

/**
 * The envelope from a page read with LIMIT `limit + 1`: the extra row makes `has_more`
 * exact whatever the count costs. When the page shows where the list ends, that is the
 * total and `count` is not called at all.
 */
export async function pageFromProbe<T>(rows: T[], skip: number, limit: number, count: () => Promise<TotalCount>): Promise<ListResult<T>> {
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

/**
 * Reading one list page the standard way, for the domains' repositories: at most two
 * statements whatever the page size — the page, and only when it does not show where the
 * list ends, its total.
 */
@Injectable()
export class ListPageRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * The rows (LIMIT limit+1 OFFSET skip, parameters only) and, when needed, the total —
   * `unfilteredTotal()` (a counter) when no filter applies, else a count capped at `cap`.
   */
  async read<R, T>(spec: ListPageSpec<R, T>): Promise<ListResult<T>> {
    const where = spec.where();
    const { rows } = await this.sql.run<R>(
      `SELECT ${spec.select} FROM ${spec.from} WHERE ${where.sql} ORDER BY ${spec.orderBy}
      LIMIT ${where.param(spec.limit + 1)} OFFSET ${where.param(spec.skip)}`,
      where.params,
    );
    return pageFromProbe(rows.map(spec.map), spec.skip, spec.limit, async () =>
      spec.filtered ? this.cappedCount(spec.from, spec.where(), spec.cap) : { total: await spec.unfilteredTotal(), capped: false },
    );
  }

  /** `count(*)` of a filtered list that stops after `cap` rows: bounded cost on any history. */
  async cappedCount(from: string, where: SqlWhere, cap: number): Promise<TotalCount> {
    const limit = where.param(cap + 1);
    const { rows } = await this.sql.run<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from} WHERE ${where.sql} LIMIT ${limit}) s`,
      where.params,
    );
    const n = rows[0]?.n ?? 0;
    return n > cap ? { total: cap, capped: true } : { total: n, capped: false };
  }
}
