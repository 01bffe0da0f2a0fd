import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SessionsModule } from '../auth/sessions.module';
import { CacheModule } from '../cache/cache.module';
import { EventsModule } from '../events/events.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PatternsModule } from '../patterns/patterns.module';
import { StorageModule } from '../storage/storage.module';
import { SuggestionsModule } from '../suggestions/suggestions.module';
import { UsersModule } from '../users/users.module';
import { AccountDeletionService } from './account-deletion.service';
import { DataExportService } from './data-export.service';
import { PrivacyController } from './privacy.controller';
import { RetentionService } from './retention.service';

/** GDPR: data export (ZIP), erasure, retention clean-up. */
@Module({
  imports: [
    AuditModule,
    SessionsModule,
    CacheModule,
    StorageModule,
    UsersModule,
    EventsModule,
    PatternsModule,
    OrganizationsModule,
    SuggestionsModule,
  ],
  controllers: [PrivacyController],
  providers: [DataExportService, AccountDeletionService, RetentionService],
})
export class PrivacyModule {}
