import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { UserConfig } from '../entities/user-config.entity';

/** Optional, but `null` is not a value: present keys are type-checked. */
const Present = () => ValidateIf((_obj: object, value: unknown) => value !== undefined);

const StringList = (max: number) =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], maxItems: max }),
    Present(),
    IsArray(),
    ArrayMaxSize(max),
    IsString({ each: true }),
    MaxLength(1024, { each: true }),
  );

export class TrackingConfigDto {
  @ApiPropertyOptional() @Present() @IsBoolean() enable_file_watcher?: boolean;
  @ApiPropertyOptional() @Present() @IsBoolean() enable_command_tracking?: boolean;
  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000 }) @Present() @IsInt() @Min(1) @Max(1_000_000) max_events?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 36_500 }) @Present() @IsInt() @Min(1) @Max(36_500) retention_days?: number;
}

export class SuggestionsConfigDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 50 }) @Present() @IsInt() @Min(0) @Max(50) max_suggestions?: number;
  @ApiPropertyOptional() @Present() @IsBoolean() use_actual_file_paths?: boolean;
}

export class PrivacyConfigDto {
  @ApiPropertyOptional() @Present() @IsBoolean() anonymize_paths?: boolean;
  @StringList(200) exclude_sensitive_dirs?: string[];
}

/**
 * PUT /api/config: any of the five fields; unknown keys (top-level or nested) are a 422.
 * Nested objects are merged into the stored ones (only the keys sent change).
 */
export class UpdateUserConfigDto {
  @StringList(200) monitored_directories?: string[];
  @StringList(200) exclude_patterns?: string[];

  @ApiPropertyOptional({ type: TrackingConfigDto })
  @Present()
  @IsObject()
  @ValidateNested()
  @Type(() => TrackingConfigDto)
  tracking_config?: TrackingConfigDto;

  @ApiPropertyOptional({ type: SuggestionsConfigDto })
  @Present()
  @IsObject()
  @ValidateNested()
  @Type(() => SuggestionsConfigDto)
  suggestions_config?: SuggestionsConfigDto;

  @ApiPropertyOptional({ type: PrivacyConfigDto })
  @Present()
  @IsObject()
  @ValidateNested()
  @Type(() => PrivacyConfigDto)
  privacy_config?: PrivacyConfigDto;
}

export class UserConfigResponse {
  monitored_directories: string[];
  exclude_patterns: string[];
  tracking_config: Record<string, unknown>;
  suggestions_config: Record<string, unknown>;
  privacy_config: Record<string, unknown>;

  static from(c: UserConfig): UserConfigResponse {
    return {
      monitored_directories: c.monitoredDirectories,
      exclude_patterns: c.excludePatterns,
      tracking_config: c.trackingConfig,
      suggestions_config: c.suggestionsConfig,
      privacy_config: c.privacyConfig,
    };
  }
}
