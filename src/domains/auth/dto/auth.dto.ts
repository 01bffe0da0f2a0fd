import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN } from '../password.service';

/** An optional username: 3–50 letters, digits, "_", "." or "-" (unique, case-insensitively). */
const UsernameField = () =>
  applyDecorators(
    ApiPropertyOptional({ example: 'ada', description: 'An empty string means none (forms send blank optional fields that way)' }),
    // a blank optional field is no username (register) or removes it (profile)
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? null : value)),
    IsOptional(),
    IsString(),
    MinLength(3),
    MaxLength(50),
    Matches(/^[A-Za-z0-9_.-]+$/, { message: 'username may contain only letters, digits, "_", "." and "-"' }),
  );

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'value is not a valid email address' })
  @MaxLength(255)
  email: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password: string;

  @UsernameField()
  username?: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  full_name?: string;
}

export class LoginDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  email: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

export class RefreshDto {
  @ApiProperty({ type: String, description: 'The refresh token of the session' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  refresh_token: string;
}

export class ProfileDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  full_name?: string;

  @UsernameField()
  username?: string;
}

export class ForgotPasswordDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  email: string;
}

export class ResetPasswordDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  token: string;

  @ApiProperty({ description: `At least ${PASSWORD_MIN} characters (400 otherwise)` })
  @IsString()
  @MaxLength(1024)
  new_password: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  old_password: string;

  @ApiProperty({ description: `At least ${PASSWORD_MIN} characters (400 otherwise)` })
  @IsString()
  @MaxLength(1024)
  new_password: string;
}
