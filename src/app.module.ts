import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AuditHttpModule } from '@/domains/audit';
import { AuthGuard, AuthHttpModule } from '@/domains/auth';
import { EventsModule } from '@/domains/events';
import { FeatureFlagGuard, FeatureFlagsModule } from '@/domains/feature-flags';
import { IntegrationsModule } from '@/domains/integrations';
import { OrgAccessModule, OrganizationsModule, OrgPermissionGuard } from '@/domains/organizations';
import { PatternsModule } from '@/domains/patterns';
import { PrivacyModule } from '@/domains/privacy';
import { SocketsModule } from '@/domains/sockets';
import { StatsModule } from '@/domains/stats';
import { SuggestionsModule } from '@/domains/suggestions';
import { UsersModule } from '@/domains/users';
import { WorkflowsModule } from '@/domains/workflows';
import { HealthModule } from '@/platform/health/health.module';
import { AllExceptionsFilter } from '@/platform/http/filters/all-exceptions.filter';
import { AppValidationPipe } from '@/platform/http/pipes/validation.pipe';
import { MetricsHttpModule } from '@/platform/metrics/metrics-http.module';
import { PlatformModule } from '@/platform/platform.module';
import { RealtimeModule } from '@/platform/realtime/realtime.module';
import { AppThrottlerGuard } from '@/platform/throttling/app-throttler.guard';
import { ThrottlingModule } from '@/platform/throttling/throttling.module';
import { AppController } from './app.controller';
import { ENTITIES } from './entities';

/** The domains the API serves: their routes, services and the Socket.IO endpoint. */
const API_DOMAINS = [
  UsersModule,
  AuthHttpModule,
  OrgAccessModule,
  FeatureFlagsModule,
  OrganizationsModule,
  AuditHttpModule,
  IntegrationsModule,
  SocketsModule,
  WorkflowsModule,
  EventsModule,
  PatternsModule,
  SuggestionsModule,
  StatsModule,
  PrivacyModule,
];

/** The API process: the platform with its HTTP-side infrastructure, then the domains. */
@Module({
  imports: [PlatformModule.forRoot(ENTITIES), ThrottlingModule, HealthModule, RealtimeModule, MetricsHttpModule, ...API_DOMAINS],
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
