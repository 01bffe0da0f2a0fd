import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@/domains/audit';
import { UsersModule } from '@/domains/users';
import { Authenticator } from '@/platform/http/authenticator';
import { AuthService } from './auth.service';
import { RefreshToken } from './entities/refresh-token.entity';
import { UserSession } from './entities/user-session.entity';
import { LoginLimiterService } from './login-limiter.service';
import { PasswordService } from './password.service';
import { PrincipalsService } from './principals.service';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

/**
 * Accounts, sessions and tokens, without the HTTP surface (auth-http.module.ts): the API,
 * the worker and the other domains use these. Provides the platform's Authenticator port.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserSession, RefreshToken]), AuditModule, UsersModule],
  providers: [
    AuthService,
    PasswordService,
    LoginLimiterService,
    SessionsService,
    SessionsRepository,
    TokenService,
    PrincipalsService,
    { provide: Authenticator, useExisting: AuthService },
  ],
  exports: [AuthService, SessionsService, TokenService, Authenticator],
})
export class AuthModule {}
