import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '@/platform/http/decorators/public.decorator';
import { ApiQueryOrBody, QueryOrBody } from '@/platform/http/decorators/query-or-body.decorator';
import { clientInfo } from '@/platform/http/client-info';
import { RouteLimit } from '@/platform/throttling/route-limit.decorator';
import { RequireFeature } from '@/platform/http/decorators/require-feature.decorator';
import { UserResponse } from '@/domains/users';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { AuthService } from './auth.service';
import { ChangePasswordDto, ForgotPasswordDto, LoginDto, ProfileDto, RefreshDto, RegisterDto, ResetPasswordDto } from './dto/auth.dto';
import { TokenResponse } from './dto/auth.responses';
import { MessageResponse } from '@/platform/http/responses';

const sessionContext = (req: FastifyRequest) => clientInfo(req);

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RouteLimit('auth')
  @RequireFeature('enable_user_registration')
  @Post('register')
  async register(@Body() dto: RegisterDto, @Req() req: FastifyRequest): Promise<UserResponse> {
    return UserResponse.from(await this.auth.register(dto, clientInfo(req)));
  }

  @Public()
  @RouteLimit('auth')
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<TokenResponse> {
    return this.auth.login(dto, sessionContext(req));
  }

  @Public()
  @RouteLimit('auth')
  @Post('refresh')
  @HttpCode(200)
  @ApiQueryOrBody(RefreshDto)
  refresh(@QueryOrBody() dto: RefreshDto, @Req() req: FastifyRequest): Promise<TokenResponse> {
    return this.auth.refresh(dto.refresh_token, sessionContext(req));
  }

  @ApiBearerAuth()
  @Get('me')
  async me(@CurrentUser() caller: AuthUser): Promise<UserResponse> {
    return UserResponse.from(await this.auth.me(caller));
  }

  @ApiBearerAuth()
  @Put('profile')
  @ApiQueryOrBody(ProfileDto)
  async profile(@CurrentUser() caller: AuthUser, @QueryOrBody() dto: ProfileDto, @Req() req: FastifyRequest): Promise<UserResponse> {
    return UserResponse.from(await this.auth.updateProfile(caller, { fullName: dto.full_name, username: dto.username }, clientInfo(req)));
  }

  @Public()
  @RouteLimit('auth')
  @Get('verify-email/:token')
  async verifyEmail(@Param('token') token: string): Promise<MessageResponse> {
    await this.auth.verifyEmail(token);
    return { message: 'Email verified successfully' };
  }

  @ApiBearerAuth()
  @RouteLimit('auth')
  @Post('resend-verification')
  @HttpCode(200)
  async resendVerification(@CurrentUser() caller: AuthUser): Promise<MessageResponse> {
    await this.auth.resendVerification(caller);
    return { message: 'Verification email sent' };
  }

  @Public()
  @RouteLimit('auth')
  @Post('forgot-password')
  @HttpCode(200)
  async forgotPassword(@Body() dto: ForgotPasswordDto): Promise<MessageResponse> {
    return { message: await this.auth.forgotPassword(dto.email) };
  }

  @Public()
  @RouteLimit('auth')
  @Post('reset-password')
  @HttpCode(200)
  async resetPassword(@Body() dto: ResetPasswordDto, @Req() req: FastifyRequest): Promise<MessageResponse> {
    await this.auth.resetPassword(dto, clientInfo(req));
    return { message: 'Password has been reset successfully' };
  }

  @ApiBearerAuth()
  @RouteLimit('auth')
  @Post('change-password')
  @HttpCode(200)
  async changePassword(
    @CurrentUser() caller: AuthUser,
    @Body() dto: ChangePasswordDto,
    @Req() req: FastifyRequest,
  ): Promise<MessageResponse> {
    await this.auth.changePassword(caller, dto, clientInfo(req));
    return { message: 'Password changed successfully' };
  }
}
