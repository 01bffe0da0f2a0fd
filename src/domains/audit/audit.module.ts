import { Module } from '@nestjs/common';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/**
 * The audit trail: `AuditService.record(tx, entry)` for writers (in the writer's own
 * transaction). The read API (`GET /api/audit-logs`) is AuditHttpModule.
 */
@Module({
  providers: [AuditService, AuditRepository],
  exports: [AuditService],
})
export class AuditModule {}
