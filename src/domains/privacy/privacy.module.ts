import { Module } from '@nestjs/common';
import { AuditModule } from '@/domains/audit/audit.module';
import { SessionsModule } from '@/domains/auth/sessions.module';
import { CacheModule } from '@/platform/cache/cache.module';
import { EventsModule } from '@/domains/events/events.module';
import { OrganizationsModule } from '@/domains/organizations/organizations.module';
import { PatternsModule } from '@/domains/patterns/patterns.module';
import { StorageModule } from '@/platform/storage/storage.module';
import { SuggestionsModule } from '@/domains/suggestions/suggestions.module';
import { UsersModule } from '@/domains/users/users.module';
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
