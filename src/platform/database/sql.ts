import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { DatabaseCircuitOpenError } from './db-circuit-breaker';
import { isDatabaseUnavailable } from './pg-errors';

/** What one statement returned: its rows (RETURNING included) and how many rows it touched. */
export interface Rows<T> {
  rows: T[];
  rowCount: number;
}

/**
 * One statement on a pooled connection, straight through `pg` — for the hot paths that
 * already use plain SQL with explicit columns (the auth principal check, list pages and
 * counters, event ingest). TypeORM's `manager.query` builds a query runner, broadcasts
 * before/after-query events and times the call for every statement (≈ 3–5 % of a request's
 * CPU: bench/HISTORY.md, "Whole-service performance"); this does only what `pg` needs.
 *
 * Same pool, so the DB circuit breaker (wrapped around the pool's connect and the client's
 * query), the statement timeout and the pool metrics apply unchanged. Errors are `pg`'s own
 * (pg-errors.ts reads both those and TypeORM's wrapper). As `pg.Pool.query` does, it listens
 * for 'error' on the checked-out connection; a connection that was lost or timed out is
 * discarded (one that only failed a statement goes back to the pool). Statements that
 * need a transaction with others keep using an EntityManager.
 */
@Injectable()
export class Sql {
  private pool?: Pool;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The one raw executor of the repositories: one statement, always answered as
   * `{rows, rowCount}` — on the pool, or inside the transaction of `tx` (an EntityManager
   * from `DataSource.transaction`) when given.
   */
  async run<T = Record<string, unknown>>(text: string, params: unknown[] = [], tx?: EntityManager): Promise<Rows<T>> {
    if (tx?.queryRunner) {
      const result = (await tx.queryRunner.query(text, params, true)) as { records: T[]; affected?: number };
      return { rows: result.records ?? [], rowCount: result.affected ?? result.records?.length ?? 0 };
    }
    const { rows, rowCount } = await this.statement<T>(text, params);
    return { rows, rowCount };
  }

  private async statement<T>(text: string, params: unknown[]): Promise<{ rows: T[]; rowCount: number }> {
    this.pool ??= (this.dataSource.driver as unknown as { master: Pool }).master;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no listener of its own: pg-pool removes its idle one, and a
    // connection dropped mid-statement emits 'error' besides failing the statement — with
    // no listener that is an uncaught exception that ends the process. The statement's own
    // rejection reports the failure; this only records it so the connection is discarded.
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    try {
      const res = await client.query(text, params);
      return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
    } catch (err) {
      // a lost or timed-out connection is discarded; after an SQL error (a constraint, say)
      // or a refusal of the open breaker (nothing was sent) it is as good as before
      if (isDatabaseUnavailable(err) && !(err instanceof DatabaseCircuitOpenError)) broken ??= err as Error;
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}
