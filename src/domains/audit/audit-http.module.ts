import { Module } from '@nestjs/common';
import { AuditLogsController } from './audit-logs.controller';
import { AuditModule } from './audit.module';

/** `GET /api/audit-logs` (API process only). */
@Module({
  imports: [AuditModule],
  controllers: [AuditLogsController],
})
export class AuditHttpModule {}
