/** The audit domain's public API: other domains and the composition roots import only this. */
export { Auditing } from './audit-context.decorator';
export type { AuditContext } from './audit-context.decorator';
export { AuditHttpModule } from './audit-http.module';
export { AuditModule } from './audit.module';
/** Only for code that runs without Nest (the operator CLI builds an AuditService on it); domains record through AuditService. */
export { AuditRepository } from './audit.repository';
export { AuditService } from './audit.service';
export { AuditLog } from './entities/audit-log.entity';
