/** The audit domain's public API: other domains and the composition roots import only this. */
export { Auditing } from './audit-context.decorator';
export type { AuditContext } from './audit-context.decorator';
export { AuditHttpModule } from './audit-http.module';
export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export { AuditLog } from './entities/audit-log.entity';
