import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { NoNul } from '@/platform/http/decorators/no-nul.decorator';
import { BoundedJson, DETAILS_MAX_BYTES, DETAILS_MAX_DEPTH } from './bounded-json';

export const EVENT_TYPE_MAX = 50;
export const FILE_PATH_MAX = 4096;
export const TOOL_MAX = 100;
export const OPERATION_MAX = 50;

export class CreateEventDto {
  @ApiProperty({ maxLength: EVENT_TYPE_MAX, example: 'file_opened' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(EVENT_TYPE_MAX)
  @NoNul()
  event_type: string;

  @ApiPropertyOptional({ maxLength: FILE_PATH_MAX, nullable: true, example: '/home/ada/notes/plan.md' })
  @IsOptional()
  @IsString()
  @MaxLength(FILE_PATH_MAX)
  @NoNul()
  file_path?: string | null;

  @ApiPropertyOptional({ maxLength: TOOL_MAX, nullable: true, example: 'vscode' })
  @IsOptional()
  @IsString()
  @MaxLength(TOOL_MAX)
  @NoNul()
  tool?: string | null;

  @ApiPropertyOptional({ maxLength: OPERATION_MAX, nullable: true, example: 'open' })
  @IsOptional()
  @IsString()
  @MaxLength(OPERATION_MAX)
  @NoNul()
  operation?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: `Free-form JSON object: at most ${DETAILS_MAX_BYTES} bytes serialised, ${DETAILS_MAX_DEPTH} levels deep`,
  })
  @IsOptional()
  @IsObject()
  @BoundedJson()
  details?: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'ISO-8601; without a zone it is read as UTC. Default: now', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'timestamp must be an ISO-8601 date-time' })
  timestamp?: string | null;
}

const HAS_ZONE = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** The event time of a validated body: the given instant (UTC when no zone), else null (= now). */
export function eventTime(timestamp: string | null | undefined): Date | null {
  if (!timestamp) return null;
  const withZone = timestamp.includes('T') && !HAS_ZONE.test(timestamp) ? `${timestamp}Z` : timestamp;
  return new Date(withZone);
}
