import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuditContext, Auditing } from '@/domains/audit';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import { MessageResponse } from '@/platform/http/responses';
import { OrgAccess, type OrgAccessContext, RequireOrgPermission } from '@/platform/http/authorization/require-org-permission.decorator';
import { ConnectorsService } from './connectors.service';
import {
  ConnectionTestResponse,
  ConnectorResponse,
  CreateIntegrationDto,
  IntegrationListQuery,
  IntegrationResponse,
  UpdateIntegrationDto,
} from './dto/integration.dto';
import { IntegrationActionsService } from './integration-actions.service';
import { type IntegrationView, IntegrationsService } from './integrations.service';

const present = (v: IntegrationView) => IntegrationResponse.from(v.integration, v.config, v.serviceType);
const INTEGRATION = { resource: 'integration' } as const;

@ApiTags('integrations')
@ApiBearerAuth()
@Controller('api/integrations')
export class IntegrationsController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly connectors: ConnectorsService,
    private readonly actions: IntegrationActionsService,
  ) {}

  @Get('connectors')
  async listConnectors(): Promise<ConnectorResponse[]> {
    return (await this.connectors.listActive()).map((c) => ConnectorResponse.from(c, IntegrationActionsService.actionsOf(c.serviceType)));
  }

  /**
   * Checks the stored credentials with the provider's cheapest authenticated call (nothing
   * is created or sent) and records the outcome: `last_sync_at` on success, `last_error` —
   * and `needs_attention` when the credentials were refused — otherwise. 200 either way:
   * `ok` says which.
   */
  @Post(':id/test')
  @HttpCode(200)
  @RequireOrgPermission('integration:update', { from: INTEGRATION })
  async test(@OrgAccess() access: OrgAccessContext): Promise<ConnectionTestResponse> {
    const id = access.resource!.id;
    const result = await this.actions.test(id);
    return { ...result, integration: present(await this.integrations.get(id)) };
  }

  @Post()
  @RequireOrgPermission('integration:create', { from: { body: 'organization_id' } })
  async create(
    @CurrentUser() caller: AuthUser,
    @OrgAccess() access: OrgAccessContext,
    @Body() dto: CreateIntegrationDto,
    @Auditing() actor: AuditContext,
  ): Promise<IntegrationResponse> {
    return present(await this.integrations.create(dto, access.organizationId, { ...actor, actorId: caller.id }));
  }

  @Get()
  @RequireOrgPermission('integration:view', { from: { query: 'organization_id' } })
  async list(
    @CurrentUser() caller: AuthUser,
    @OrgAccess() access: OrgAccessContext,
    @Query() _query: IntegrationListQuery,
  ): Promise<IntegrationResponse[]> {
    return (await this.integrations.list(caller.id, access.organizationId)).map(present);
  }

  @Get(':id')
  @RequireOrgPermission('integration:view', { from: INTEGRATION })
  async get(@OrgAccess() access: OrgAccessContext): Promise<IntegrationResponse> {
    return present(await this.integrations.get(access.resource!.id));
  }

  @Put(':id')
  @RequireOrgPermission('integration:update', { from: INTEGRATION })
  async update(
    @OrgAccess() access: OrgAccessContext,
    @Body() dto: UpdateIntegrationDto,
    @Auditing() actor: AuditContext,
  ): Promise<IntegrationResponse> {
    return present(await this.integrations.update(access.resource!.id, dto, actor));
  }

  @Delete(':id')
  @RequireOrgPermission('integration:delete', { from: INTEGRATION })
  async remove(@OrgAccess() access: OrgAccessContext, @Auditing() actor: AuditContext): Promise<MessageResponse> {
    await this.integrations.remove(access.resource!.id, actor);
    return { message: 'Integration deleted successfully' };
  }
}
