import { BadRequestException, ForbiddenException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { AuditService } from '@/domains/audit';
import type { ClientInfo } from '@/platform/http/client-info';
import { AppConfig } from '@/platform/config/app-config';
import { Transactions } from '@/platform/database/transactions';
import { MailService } from '@/platform/mail/mail.service';
import type { User } from '@/domains/users';
import { normaliseEmail, UsersService } from '@/domains/users';
import type { AuthUser } from '@/platform/http/principal';
import type { ChangePasswordDto, LoginDto, RegisterDto, ResetPasswordDto } from './dto/auth.dto';
import type { TokenResponse } from './dto/auth.responses';
import { LoginLimiterService } from './login-limiter.service';
import { PasswordService } from './password.service';
import { type SessionContext, SessionsService } from './sessions.service';
import { InvalidTokenError, TokenService } from './token.service';
import { PrincipalsService } from './principals.service';
import { AuthenticationError, type Authenticator, type Principal } from '@/platform/http/authenticator';

const FORGOT_MESSAGE = 'If that email is registered, a password reset link has been sent';

/**
 * The account use cases: register, login, refresh, verification, password flows — and
 * `authenticate(token)`, the one check of an access token (the HTTP guard, the socket
 * handshake and the queue dashboard all use it, through the platform's Authenticator port).
 */
@Injectable()
export class AuthService implements Authenticator {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly limiter: LoginLimiterService,
    private readonly mail: MailService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly principals: PrincipalsService,
  ) {}

  /** Token → caller: signature, expiry and type, then a live user and session. Refusals say why. */
  async authenticate(token: string): Promise<Principal> {
    let claims;
    try {
      claims = this.tokens.verifyAccess(token);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new AuthenticationError(err.message);
      throw err;
    }
    const principal = await this.principals.principal(claims.sub, claims.sid);
    if (!principal || principal.deleted_at) throw new AuthenticationError('User not found');
    if (!principal.is_active) throw new AuthenticationError('Inactive user');
    if (!principal.session_ok) throw new AuthenticationError('Session has been revoked or has expired');
    return {
      id: principal.id,
      email: principal.email,
      isSuperuser: principal.is_superuser,
      sessionId: claims.sid,
      expiresAt: claims.exp * 1000,
    };
  }

  async register(dto: RegisterDto, client: ClientInfo): Promise<User> {
    await this.users.assertAvailable(dto.email, dto.username);
    const verification = this.tokens.randomToken();
    const user = await this.users.create(
      {
        email: dto.email,
        passwordHash: await this.passwords.hash(dto.password),
        username: dto.username ?? null,
        fullName: dto.full_name ?? null,
        verificationTokenHash: this.tokens.hash(verification),
        verificationTokenExpiresAt: this.inSeconds(this.config.auth.emailTokenTtlSeconds),
      },
      (tx, created) =>
        this.audit.record(tx, { ...client, actorId: created.id, action: 'create', resourceType: 'user', resourceId: created.id }),
    );
    await this.mail.sendVerification(user.email, verification);
    return user;
  }

  async login(dto: LoginDto, ctx: SessionContext): Promise<TokenResponse> {
    const accountKey = this.tokens.hash(normaliseEmail(dto.email));
    await this.limiter.assertAllowed(accountKey, ctx.ip);
    const user = await this.users.findByEmail(dto.email);
    // Always run one argon2 verification so unknown emails cost the same time.
    const ok = await this.passwords.verify(user?.passwordHash, dto.password);
    if (!user || !ok) {
      await this.limiter.recordFailure(accountKey, ctx.ip);
      throw new UnauthorizedException('Incorrect email or password');
    }
    if (!user.isActive) throw new ForbiddenException('Inactive user');
    await this.limiter.recordSuccess(accountKey, ctx.ip);
    const issued = await this.transactions.run(async (tx) => {
      await this.users.recordLogin(user.id, tx);
      const started = await this.sessions.start(user.id, ctx, tx);
      await this.audit.record(tx, {
        ...ctx,
        actorId: user.id,
        action: 'login',
        resourceType: 'session',
        resourceId: started.sessionId,
      });
      return started;
    });
    return this.tokenResponse(user.id, issued.sessionId, issued.refreshToken);
  }

  async refresh(refreshToken: string, ctx: SessionContext): Promise<TokenResponse> {
    const rotated = await this.sessions.rotate(refreshToken, ctx);
    const user = await this.users.findById(rotated.userId);
    if (!user || !user.isActive || user.deletedAt) {
      await this.sessions.revoke(rotated.sessionId, 'revoked');
      throw new UnauthorizedException('User is inactive');
    }
    return this.tokenResponse(user.id, rotated.sessionId, rotated.refreshToken, rotated.issuedAt);
  }

  async me(caller: AuthUser): Promise<User> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  async updateProfile(
    caller: AuthUser,
    changes: { fullName?: string | null; username?: string | null },
    client: ClientInfo,
  ): Promise<User> {
    const user = await this.me(caller);
    const before = { full_name: user.fullName, username: user.username };
    return this.users.updateProfile(user, changes, (tx, saved) =>
      this.audit.record(tx, {
        ...client,
        actorId: user.id,
        action: 'update',
        resourceType: 'user',
        resourceId: user.id,
        details: { before, after: { full_name: saved.fullName, username: saved.username } },
      }),
    );
  }

  async verifyEmail(token: string): Promise<void> {
    if (!(await this.users.consumeVerificationToken(this.tokens.hash(token)))) {
      throw new BadRequestException('Invalid or expired verification token');
    }
  }

  async resendVerification(caller: AuthUser): Promise<void> {
    const user = await this.me(caller);
    if (user.emailVerified) throw new BadRequestException('Email already verified');
    const token = this.tokens.randomToken();
    await this.users.setVerificationToken(user.id, this.tokens.hash(token), this.inSeconds(this.config.auth.emailTokenTtlSeconds));
    await this.mail.sendVerification(user.email, token);
  }

  /** Same answer, and no mail-dependent latency, whether or not the email exists. */
  async forgotPassword(email: string): Promise<string> {
    const user = await this.users.findByEmail(email);
    if (user?.isActive) {
      const token = this.tokens.randomToken();
      await this.users.setPasswordResetToken(user.id, this.tokens.hash(token), this.inSeconds(this.config.auth.passwordResetTtlSeconds));
      void this.mail.sendPasswordReset(user.email, token);
    }
    return FORGOT_MESSAGE;
  }

  async resetPassword(dto: ResetPasswordDto, client: ClientInfo): Promise<void> {
    this.assertStrong(dto.new_password);
    const hash = await this.passwords.hash(dto.new_password);
    const ok = await this.transactions.run(async (tx) => {
      const userId = await this.users.consumePasswordResetToken(this.tokens.hash(dto.token), hash, tx);
      if (!userId) return false;
      const revoked = await this.sessions.revokeAll(userId, 'password_reset', undefined, tx);
      await this.audit.record(tx, {
        ...client,
        actorId: userId,
        action: 'password_reset',
        resourceType: 'user',
        resourceId: userId,
        details: { sessions_revoked: revoked },
      });
      return true;
    });
    if (!ok) throw new BadRequestException('Invalid or expired reset token');
  }

  async changePassword(caller: AuthUser, dto: ChangePasswordDto, client: ClientInfo): Promise<void> {
    const user = await this.me(caller);
    if (!(await this.passwords.verify(user.passwordHash, dto.old_password))) {
      throw new UnauthorizedException('Incorrect current password');
    }
    this.assertStrong(dto.new_password);
    const hash = await this.passwords.hash(dto.new_password);
    await this.transactions.run(async (tx) => {
      await this.users.setPassword(user.id, hash, tx);
      // Other devices must log in again; the calling session stays.
      const revoked = await this.sessions.revokeAll(user.id, 'password_change', caller.sessionId, tx);
      await this.audit.record(tx, {
        ...client,
        actorId: user.id,
        action: 'password_change',
        resourceType: 'user',
        resourceId: user.id,
        details: { sessions_revoked: revoked },
      });
    });
  }

  private assertStrong(password: string): void {
    const weakness = this.passwords.weakness(password);
    if (weakness) throw new BadRequestException(weakness);
  }

  private tokenResponse(userId: string, sessionId: string, refreshToken: string, issuedAt?: Date): TokenResponse {
    return {
      access_token: this.tokens.signAccess(userId, sessionId, issuedAt),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.tokens.accessTtlSeconds,
    };
  }

  private inSeconds(seconds: number): Date {
    return new Date(Date.now() + seconds * 1000);
  }
}
