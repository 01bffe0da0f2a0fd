import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsBoolean, IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQuery } from '@/platform/http/pagination';

/** `steps` and `schedule_config` are validated by normaliseSteps / parseSchedule (messages name the step). */
export class CreateWorkflowDto {
  @ApiProperty({ example: 'Sync reports' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  description?: string | null;

  @ApiProperty({
    description: 'Ordered typed steps (http, delay, notify, integration); the legacy object form {name: step} is accepted',
    example: [
      { type: 'http', method: 'GET', url: 'https://example.com/ping' },
      { type: 'notify', message: 'done' },
    ],
  })
  @Allow()
  steps: unknown;

  @ApiPropertyOptional({ example: { type: 'cron', cron: '*/5 * * * *', timezone: 'Europe/Berlin' } })
  @Allow()
  schedule_config?: unknown;

  @ApiPropertyOptional({
    description:
      "Run on the owner's activity: every ingested event matching all conditions starts one run with the event as {{trigger.*}}. " +
      'file_path is a glob (* one segment, ** any depth, ? one character). Or {"type": "webhook"}: the answer carries ' +
      'hook {id, url, secret} — the secret only this once (docs/workflows.md, "Webhook triggers").',
    example: { type: 'activity', match: { event_type: 'file_created', file_path: '/home/*/reports/out/*.csv' }, max_runs_per_minute: 10 },
  })
  @Allow()
  trigger?: unknown;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organization_id?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class UpdateWorkflowDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  description?: string | null;

  @ApiPropertyOptional()
  @Allow()
  steps?: unknown;

  @ApiPropertyOptional()
  @Allow()
  schedule_config?: unknown;

  @ApiPropertyOptional({
    description: 'An activity or webhook trigger, or null to remove it (a webhook trigger added: the answer carries its secret, once)',
  })
  @Allow()
  trigger?: unknown;

  @ApiPropertyOptional({ description: 'Recorded with the new version' })
  @IsOptional()
  @IsString()
  @MaxLength(1_000)
  change_summary?: string;
}

export class RollbackDto {
  @ApiProperty({ type: Number, minimum: 1, description: 'The version to restore (a new version is recorded)' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version_number: number;
}

export class ListWorkflowsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "an organization's workflows instead of your personal ones" })
  @IsOptional()
  @IsUUID()
  organization_id?: string;
}

export class ExecuteWorkflowDto {
  @ApiPropertyOptional({ description: 'Data available to steps as {{trigger.*}}' })
  @IsOptional()
  @IsObject()
  trigger?: Record<string, unknown>;
}

export class ListExecutionsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 50;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}
