import { Module } from '@nestjs/common';
import { AuditService } from './audit.service';

/**
 * The audit trail: `AuditService.record(em, entry)` for writers (in the writer's own
 * transaction). The read API (`GET /api/audit-logs`) is AuditHttpModule.
 */
@Module({
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
