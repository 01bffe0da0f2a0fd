import { Module } from '@nestjs/common';
import { AuditModule } from '@/domains/audit/audit.module';
import { UsersModule } from '@/domains/users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginLimiterService } from './login-limiter.service';
import { PasswordService } from './password.service';
import { SessionsController } from './sessions.controller';
import { SessionsModule } from './sessions.module';

@Module({
  imports: [SessionsModule, UsersModule, AuditModule],
  controllers: [AuthController, SessionsController],
  providers: [AuthService, PasswordService, LoginLimiterService, AuthGuard],
  exports: [AuthGuard, SessionsModule],
})
export class AuthModule {}
