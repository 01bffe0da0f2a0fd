import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { AuditLog } from '../entities/audit-log.entity';

const AUDIT_PAGE_MAX = 500;

export class AuditLogQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "An organization's log (owner/admin only); omitted: your own actions" })
  @IsOptional()
  @IsUUID('all')
  organization_id?: string;

  @ApiPropertyOptional({ example: 'integration' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  resource_type?: string;

  @ApiPropertyOptional({ example: 'delete' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  action?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AUDIT_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class AuditLogResponse {
  id: string;
  user_id: string | null;
  organization_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  created_at: string;

  static from(row: AuditLog): AuditLogResponse {
    return {
      id: row.id,
      user_id: row.userId,
      organization_id: row.organizationId,
      action: row.action,
      resource_type: row.resourceType,
      resource_id: row.resourceId,
      ip_address: row.ipAddress,
      user_agent: row.userAgent,
      details: row.details,
      created_at: row.createdAt.toISOString(),
    };
  }
}
