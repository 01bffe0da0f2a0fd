import type { FastifyReply } from 'fastify';
import type { Page } from './pagination';

/** A page plus whether its `total` is a capped lower bound (see LIST_COUNT_CAP). */
export interface ListResult<T> {
  page: Page<T>;
  totalCapped: boolean;
}

/** Set on list responses whose `total` stopped at LIST_COUNT_CAP (the real count is larger). */
const TOTAL_CAPPED_HEADER = 'X-Total-Capped';

/**
 * Sends a page that is already JSON (from the response cache), flagging a capped total in
 * a header; the body is the legacy envelope `{items, total, skip, limit, has_more}`.
 */
export function sendJsonPage(reply: FastifyReply, page: { json: string; totalCapped: boolean }): string {
  if (page.totalCapped) void reply.header(TOTAL_CAPPED_HEADER, 'true');
  void reply.type('application/json; charset=utf-8');
  return page.json;
}
