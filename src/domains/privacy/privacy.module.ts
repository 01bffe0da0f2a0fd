import { Module } from '@nestjs/common';
import { AuditModule } from '@/domains/audit';
import { AuthModule } from '@/domains/auth';
import { CacheModule } from '@/platform/cache/cache.module';
import { EventsModule } from '@/domains/events';
import { OrganizationsModule } from '@/domains/organizations';
import { PatternsModule } from '@/domains/patterns';
import { StorageModule } from '@/platform/storage/storage.module';
import { SuggestionsModule } from '@/domains/suggestions';
import { UsersModule } from '@/domains/users';
import { AccountDeletionService } from './account-deletion.service';
import { DataExportRepository } from './data-export.repository';
import { DataExportService } from './data-export.service';
import { ErasureRepository } from './erasure.repository';
import { PrivacyController } from './privacy.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** GDPR: data export (ZIP), erasure, retention clean-up. */
@Module({
  imports: [
    AuditModule,
    AuthModule,
    CacheModule,
    StorageModule,
    UsersModule,
    EventsModule,
    PatternsModule,
    OrganizationsModule,
    SuggestionsModule,
  ],
  controllers: [PrivacyController],
  providers: [DataExportService, AccountDeletionService, RetentionService, DataExportRepository, ErasureRepository, RetentionRepository],
})
export class PrivacyModule {}
