import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { OrgAccess, type OrgAccessContext, RequireOrgPermission } from '@/platform/http/authorization/require-org-permission.decorator';
import { AuditService } from './audit.service';
import { AuditLogQueryDto, AuditLogResponse } from './dto/audit-log.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit-logs')
export class AuditLogsController {
  constructor(private readonly audit: AuditService) {}

  /** Your own actions, or (with `organization_id`) an organization's trail for its owners and admins; newest first. */
  @Get()
  @RequireOrgPermission('audit:view', { from: { query: 'organization_id' }, notMember: 'forbidden' })
  async list(
    @CurrentUser() caller: AuthUser,
    @OrgAccess() access: OrgAccessContext,
    @Query() query: AuditLogQueryDto,
  ): Promise<AuditLogResponse[]> {
    const rows = await this.audit.list({
      ...(access.organizationId ? { organizationId: access.organizationId } : { userId: caller.id }),
      resourceType: query.resource_type,
      action: query.action,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
    return rows.map(AuditLogResponse.from);
  }
}
