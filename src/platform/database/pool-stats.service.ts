import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

export interface PoolStats {
  /** Connections open (idle + checked out). */
  total: number;
  idle: number;
  /** Requests queued for a connection. */
  waiting: number;
  max: number;
  /** Checked-out share of max, 0..1. */
  usage: number;
}

/** Read-only view of the pg pool behind TypeORM, for health and metrics (plan 2.2). */
@Injectable()
export class PoolStatsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  stats(): PoolStats {
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) return { total: 0, idle: 0, waiting: 0, max: 0, usage: 0 };
    const max = pool.options.max ?? 10;
    const total = pool.totalCount;
    const idle = pool.idleCount;
    return { total, idle, waiting: pool.waitingCount, max, usage: max ? (total - idle) / max : 0 };
  }
}
