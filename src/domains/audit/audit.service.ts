import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { AuditLog } from './entities/audit-log.entity';

/** One audit row: who did what to which resource, from where. */
export interface AuditEntry {
  actorId: string | null;
  organizationId?: string | null;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
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

/**
 * The audit trail. Writers always pass their own EntityManager, so the row commits (or
 * rolls back) together with the change it records; there is no "log after the fact".
 */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(em: EntityManager, entry: AuditEntry): Promise<void> {
    const row = em.create(AuditLog, {
      userId: entry.actorId,
      organizationId: entry.organizationId ?? null,
      action: entry.action.slice(0, 50),
      resourceType: entry.resourceType.slice(0, 50),
      resourceId: entry.resourceId == null ? null : String(entry.resourceId).slice(0, 255),
      ipAddress: entry.ip ? entry.ip.slice(0, 64) : null,
      userAgent: entry.userAgent ? entry.userAgent.slice(0, 512) : null,
      details: entry.details ?? {},
    });
    // A new row without an id: save() is a plain INSERT (no lookup, no reload).
    await em.save(AuditLog, row, { reload: false });
  }

  /** Newest first; served by the (user_id | organization_id, created_at) indexes. */
  list(query: AuditQuery): Promise<AuditLog[]> {
    const where: FindOptionsWhere<AuditLog> = query.organizationId
      ? { organizationId: query.organizationId }
      : { userId: query.userId };
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
