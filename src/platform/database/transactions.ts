import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Where a use case opens a transaction: services call `run`, and hand the transaction
 * (`tx`) to the repository methods whose statements belong to it. Services never touch
 * the DataSource otherwise; every statement lives in a repository.
 */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<R>(work: (tx: EntityManager) => Promise<R>): Promise<R> {
    return this.dataSource.transaction(work);
  }
}
