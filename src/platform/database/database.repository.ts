import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { FloyoDataSource } from './floyo-data-source';
import { Sql } from './sql';

/** What the health checks ask the database itself: is it there, is the schema current. */
@Injectable()
export class DatabaseRepository {
  constructor(
    private readonly sql: Sql,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async ping(): Promise<void> {
    await this.sql.run('SELECT 1');
  }

  migrationStatus(): Promise<{ applied: string[]; pending: string[] }> {
    return (this.dataSource as FloyoDataSource).migrationStatus();
  }
}
