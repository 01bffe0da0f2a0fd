import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StatsRepository, type UserCounts } from './stats.repository';

/** Reads the per-user counters the database triggers keep (a sum over ≤ 16 rows by primary key). */
@Injectable()
export class StatsService {
  constructor(private readonly stats: StatsRepository) {}

  /** `tx`: a transaction to read inside it; by default a pooled connection. */
  counts(userId: string, tx?: EntityManager): Promise<UserCounts> {
    return this.stats.counts(userId, tx);
  }
}
