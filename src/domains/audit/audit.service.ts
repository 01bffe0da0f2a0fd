import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AuditQuery, AuditRepository } from './audit.repository';
import type { AuditLog } from './entities/audit-log.entity';

export type { AuditQuery } from './audit.repository';

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

/**
 * The audit trail. Writers always pass their own EntityManager, so the row commits (or
 * rolls back) together with the change it records; there is no "log after the fact".
 */
@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  async record(tx: EntityManager, entry: AuditEntry): Promise<void> {
    await this.audit.insert(
      {
        userId: entry.actorId,
        organizationId: entry.organizationId ?? null,
        action: entry.action.slice(0, 50),
        resourceType: entry.resourceType.slice(0, 50),
        resourceId: entry.resourceId == null ? null : String(entry.resourceId).slice(0, 255),
        ipAddress: entry.ip ? entry.ip.slice(0, 64) : null,
        userAgent: entry.userAgent ? entry.userAgent.slice(0, 512) : null,
        details: entry.details ?? {},
      },
      tx,
    );
  }

  /** Newest first; served by the (user_id | organization_id, created_at) indexes. */
  list(query: AuditQuery): Promise<AuditLog[]> {
    return this.audit.list(query);
  }
}
