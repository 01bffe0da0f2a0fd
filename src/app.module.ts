import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AppController } from './app.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { AppValidationPipe } from './common/pipes/validation.pipe';
import { AppThrottlerGuard } from './common/throttling/app-throttler.guard';
import { ThrottlingModule } from './common/throttling/throttling.module';
import { CoreModule } from './core.module';
import { HealthModule } from './health/health.module';
import { AuditLogsModule } from './audit/audit-logs.module';
import { FeatureFlagGuard } from './feature-flags/feature-flag.guard';
import { FeatureFlagsModule } from './feature-flags/feature-flags.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { OrgAccessModule } from './organizations/access/org-access.module';
import { OrgPermissionGuard } from './organizations/access/org-permission.guard';
import { OrganizationsModule } from './organizations/organizations.module';
import { MetricsHttpModule } from './metrics/metrics-http.module';
import { RealtimeGatewayModule } from './realtime/gateway/realtime-gateway.module';
import { RealtimeModule } from './realtime/realtime.module';
import { UsersModule } from './users/users.module';
import { EventsModule } from './events/events.module';
import { PatternsModule } from './patterns/patterns.module';
import { PrivacyModule } from './privacy/privacy.module';
import { StatsModule } from './stats/stats.module';
import { SuggestionsModule } from './suggestions/suggestions.module';
import { WorkflowsModule } from './workflows/workflows.module';

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
