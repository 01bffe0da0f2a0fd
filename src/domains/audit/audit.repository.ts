import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { AuditLog } from './entities/audit-log.entity';

/** The columns of a new audit row (already bounded to the column sizes). */
export interface AuditRow {
  userId: string | null;
  organizationId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  /** Exactly one of the two scopes: an actor's rows or an organization's rows. */
  userId?: string;
  organizationId?: string;
  resourceType?: string;
  action?: string;
  limit: number;
  offset: number;
}

/** Statements on the audit domain's table: audit_logs. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts the row with the writer's EntityManager (its transaction, when it has one). */
  async insert(row: AuditRow, tx: EntityManager): Promise<void> {
    // A new row without an id: save() is a plain INSERT (no lookup, no reload).
    await tx.save(AuditLog, tx.create(AuditLog, row), { reload: false });
  }

  /** Newest first; served by the (user_id | organization_id, created_at) indexes. */
  list(query: AuditQuery): Promise<AuditLog[]> {
    const where: FindOptionsWhere<AuditLog> = query.organizationId ? { organizationId: query.organizationId } : { userId: query.userId };
    if (query.resourceType) where.resourceType = query.resourceType;
    if (query.action) where.action = query.action;
    return this.dataSource.manager.find(AuditLog, {
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
  }
}
