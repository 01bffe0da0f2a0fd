import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AppController } from './app.controller';
import { AuthGuard } from '@/domains/auth';
import { AuthHttpModule } from '@/domains/auth';
import { AllExceptionsFilter } from '@/platform/http/filters/all-exceptions.filter';
import { AppValidationPipe } from '@/platform/http/pipes/validation.pipe';
import { AppThrottlerGuard } from '@/platform/throttling/app-throttler.guard';
import { ThrottlingModule } from '@/platform/throttling/throttling.module';
import { PlatformModule } from '@/platform/platform.module';
import { ENTITIES } from './entities';
import { HealthModule } from '@/platform/health/health.module';
import { AuditLogsModule } from '@/domains/audit';
import { FeatureFlagGuard } from '@/domains/feature-flags';
import { FeatureFlagsModule } from '@/domains/feature-flags';
import { IntegrationsModule } from '@/domains/integrations';
import { OrgAccessModule } from '@/domains/organizations';
import { OrgPermissionGuard } from '@/domains/organizations';
import { OrganizationsModule } from '@/domains/organizations';
import { MetricsHttpModule } from '@/platform/metrics/metrics-http.module';
import { SocketsModule } from '@/domains/sockets';
import { RealtimeModule } from '@/platform/realtime/realtime.module';
import { UsersModule } from '@/domains/users';
import { EventsModule } from '@/domains/events';
import { PatternsModule } from '@/domains/patterns';
import { PrivacyModule } from '@/domains/privacy';
import { StatsModule } from '@/domains/stats';
import { SuggestionsModule } from '@/domains/suggestions';
import { WorkflowsModule } from '@/domains/workflows';

/** The API process: HTTP (+ Socket.IO) over the shared core and the domain modules. */
@Module({
  imports: [
    PlatformModule.forRoot(ENTITIES),
    ThrottlingModule,
    HealthModule,
    UsersModule,
    AuthHttpModule,
    OrgAccessModule,
    FeatureFlagsModule,
    OrganizationsModule,
    AuditLogsModule,
    IntegrationsModule,
    RealtimeModule,
    SocketsModule,
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
