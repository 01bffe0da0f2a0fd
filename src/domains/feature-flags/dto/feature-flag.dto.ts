import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import type { FeatureFlagOverride } from '../entities/feature-flag-override.entity';
import type { FeatureFlag } from '../entities/feature-flag.entity';

const FLAG_NAME = /^[a-z][a-z0-9_]{0,99}$/;

export class CreateFeatureFlagDto {
  @ApiProperty({ example: 'enable_new_editor', description: 'lower_snake_case, at most 100 characters' })
  @IsString()
  @Matches(FLAG_NAME, { message: 'name must be lower_snake_case (a-z, 0-9, "_"), starting with a letter, at most 100 characters' })
  name: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  rollout_percentage?: number;
}

export class UpdateFeatureFlagDto {
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  rollout_percentage?: number;
}

/** Exactly one of `user_id` / `organization_id`. */
export class SetOverrideDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((o: SetOverrideDto) => o.user_id !== undefined || o.organization_id === undefined)
  @IsUUID('all', { message: 'user_id must be a UUID (give exactly one of user_id and organization_id)' })
  user_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((o: SetOverrideDto) => o.organization_id !== undefined || o.user_id === undefined)
  @IsUUID('all', { message: 'organization_id must be a UUID (give exactly one of user_id and organization_id)' })
  organization_id?: string;

  @ApiProperty()
  @IsBoolean()
  enabled: boolean;
}

export class FeatureFlagOverrideResponse {
  id: string;
  user_id: string | null;
  organization_id: string | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;

  static from(o: FeatureFlagOverride): FeatureFlagOverrideResponse {
    return {
      id: o.id,
      user_id: o.userId,
      organization_id: o.organizationId,
      enabled: o.enabled,
      created_at: o.createdAt.toISOString(),
      updated_at: o.updatedAt.toISOString(),
    };
  }
}

export class FeatureFlagResponse {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  rollout_percentage: number;
  created_at: string;
  updated_at: string;
  override_count?: number;
  overrides?: FeatureFlagOverrideResponse[];

  static from(f: FeatureFlag, extra: { overrideCount?: number; overrides?: FeatureFlagOverride[] } = {}): FeatureFlagResponse {
    return {
      id: f.id,
      name: f.name,
      description: f.description,
      enabled: f.enabled,
      rollout_percentage: f.rolloutPercentage,
      created_at: f.createdAt.toISOString(),
      updated_at: f.updatedAt.toISOString(),
      ...(extra.overrideCount !== undefined ? { override_count: extra.overrideCount } : {}),
      ...(extra.overrides ? { overrides: extra.overrides.map(FeatureFlagOverrideResponse.from) } : {}),
    };
  }
}
