import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AppController } from './app.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { RequestContextInterceptor } from './common/logging/request-context.interceptor';
import { AppValidationPipe } from './common/pipes/validation.pipe';
import { AppThrottlerGuard } from './common/throttling/app-throttler.guard';
import { ThrottlingModule } from './common/throttling/throttling.module';
import { CoreModule } from './core.module';
import { HealthModule } from './health/health.module';
import { UsersModule } from './users/users.module';

/** The API process: HTTP (+ Socket.IO) over the shared core and the domain modules. */
@Module({
  imports: [CoreModule, ThrottlingModule, HealthModule, UsersModule, AuthModule],
  controllers: [AppController],
  providers: [
    // Order matters: authenticate first, so the limiter can track by user id.
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: APP_GUARD, useClass: AppThrottlerGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_PIPE, useClass: AppValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
  ],
})
export class AppModule {}
