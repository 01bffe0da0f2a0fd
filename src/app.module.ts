import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AppController } from './app.controller';
import { AuthGuard } from '@/domains/auth/auth.guard';
import { AuthModule } from '@/domains/auth/auth.module';
import { AllExceptionsFilter } from '@/platform/http/filters/all-exceptions.filter';
import { AppValidationPipe } from '@/platform/http/pipes/validation.pipe';
import { AppThrottlerGuard } from '@/platform/throttling/app-throttler.guard';
import { ThrottlingModule } from '@/platform/throttling/throttling.module';
import { CoreModule } from '@/platform/platform.module';
import { HealthModule } from '@/platform/health/health.module';
import { AuditLogsModule } from '@/domains/audit/audit-logs.module';
import { FeatureFlagGuard } from '@/domains/feature-flags/feature-flag.guard';
import { FeatureFlagsModule } from '@/domains/feature-flags/feature-flags.module';
import { IntegrationsModule } from '@/domains/integrations/integrations.module';
import { OrgAccessModule } from '@/domains/organizations/access/org-access.module';
import { OrgPermissionGuard } from '@/domains/organizations/access/org-permission.guard';
import { OrganizationsModule } from '@/domains/organizations/organizations.module';
import { MetricsHttpModule } from '@/platform/metrics/metrics-http.module';
import { RealtimeGatewayModule } from '@/domains/realtime/realtime-gateway.module';
import { RealtimeModule } from '@/platform/realtime/realtime.module';
import { UsersModule } from '@/domains/users/users.module';
import { EventsModule } from '@/domains/events/events.module';
import { PatternsModule } from '@/domains/patterns/patterns.module';
import { PrivacyModule } from '@/domains/privacy/privacy.module';
import { StatsModule } from '@/domains/stats/stats.module';
import { SuggestionsModule } from '@/domains/suggestions/suggestions.module';
import { WorkflowsModule } from '@/domains/workflows/workflows.module';

/** The API process: HTTP (+ Socket.IO) over the shared core and the domain modules. */
@Module({
  imports: [
    CoreModule,
    ThrottlingModule,
    HealthModule,
    UsersModule,
    AuthModule,
    OrgAccessModule,
    FeatureFlagsModule,
    OrganizationsModule,
    AuditLogsModule,
    IntegrationsModule,
    RealtimeModule,
    RealtimeGatewayModule,
    MetricsHttpModule,
    WorkflowsModule,
    EventsModule,
    PatternsModule,
    SuggestionsModule,
    StatsModule,
    PrivacyModule,
  ],
  controllers: [AppController],
  providers: [
    // Order matters: authenticate first, so the limiter can track by user id.
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: APP_GUARD, useClass: AppThrottlerGuard },
    // Kill switches next: a disabled feature answers 503 before any permission lookup.
    { provide: APP_GUARD, useExisting: FeatureFlagGuard },
    { provide: APP_GUARD, useExisting: OrgPermissionGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_PIPE, useClass: AppValidationPipe },
  ],
})
export class AppModule {}
