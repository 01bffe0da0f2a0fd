import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '@/domains/audit';
import { OrgAccessModule } from '@/domains/organizations';
import { FeatureFlagAdminService } from './feature-flag-admin.service';
import { FeatureFlagGuard } from './feature-flag.guard';
import { FeatureFlagsAdminController } from './feature-flags-admin.controller';
import { FeatureFlagsRepository } from './feature-flags.repository';
import { FeatureFlagsService } from './feature-flags.service';

/**
 * Feature flags: evaluation (`FeatureFlagsService.isEnabled`, cached in Redis), the
 * `@RequireFeature` kill-switch guard (registered globally in AppModule) and the
 * superuser admin API. Organization memberships come from OrgAccessModule (imported here
 * too, so a process without AppModule — the worker — only needs to import this module).
 */
@Module({
  imports: [DiscoveryModule, AuditModule, OrgAccessModule],
  controllers: [FeatureFlagsAdminController],
  providers: [FeatureFlagsService, FeatureFlagGuard, FeatureFlagAdminService, FeatureFlagsRepository],
  exports: [FeatureFlagsService, FeatureFlagGuard],
})
export class FeatureFlagsModule {}
