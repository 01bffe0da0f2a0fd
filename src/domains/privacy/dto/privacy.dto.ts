import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { QueryBoolean } from '@/platform/http/query-params';

export class DeleteDataDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Must be true: the deletion cannot be undone' })
  @Allow()
  @QueryBoolean()
  confirm?: unknown;
}

const RETENTION_MAX_DAYS = 36_500;

export class RetentionCleanupDto {
  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: RETENTION_MAX_DAYS,
    default: 90,
    description: 'Events older than this many days are deleted',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'retention_days must be an integer' })
  @Min(1)
  @Max(RETENTION_MAX_DAYS)
  retention_days = 90;
}

export class RetentionCleanupResponse {
  message: string;
  deleted_count: number;
  cutoff_date: string;
}
