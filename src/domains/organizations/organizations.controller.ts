import { Body, Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuditContext, Auditing } from '@/domains/audit';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { MessageResponse } from '@/platform/http/responses';
import { OrgAccess, type OrgAccessContext, RequireOrgPermission } from '@/platform/http/authorization/require-org-permission.decorator';
import { CreateOrganizationDto, OrganizationResponse, UpdateOrganizationDto } from './dto/organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('api/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  async create(
    @CurrentUser() caller: AuthUser,
    @Body() dto: CreateOrganizationDto,
    @Auditing() actor: AuditContext,
  ): Promise<OrganizationResponse> {
    return OrganizationResponse.from(await this.organizations.create(dto, { ...actor, actorId: caller.id }), 'owner');
  }

  @Get()
  async list(@CurrentUser() caller: AuthUser): Promise<OrganizationResponse[]> {
    const rows = await this.organizations.listFor(caller.id);
    return rows.map((r) => OrganizationResponse.from(r.organization, r.role));
  }

  @Get(':id')
  @RequireOrgPermission('organization:view')
  async get(@OrgAccess() access: OrgAccessContext): Promise<OrganizationResponse> {
    return OrganizationResponse.from(await this.organizations.get(access.organizationId!), access.role!);
  }

  @Put(':id')
  @RequireOrgPermission('organization:update')
  async update(
    @OrgAccess() access: OrgAccessContext,
    @Body() dto: UpdateOrganizationDto,
    @Auditing() actor: AuditContext,
  ): Promise<OrganizationResponse> {
    return OrganizationResponse.from(await this.organizations.update(access.organizationId!, dto, actor), access.role!);
  }

  @Delete(':id')
  @RequireOrgPermission('organization:delete')
  async remove(@OrgAccess() access: OrgAccessContext, @Auditing() actor: AuditContext): Promise<MessageResponse> {
    await this.organizations.remove(access.organizationId!, actor);
    return { message: 'Organization deleted successfully' };
  }
}
