import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsUUID } from 'class-validator';
import { DisplayName } from '@/platform/http/decorators/display-name.decorator';
import type { IntegrationConnector } from '../entities/integration-connector.entity';
import type { UserIntegration } from '../entities/user-integration.entity';

export class CreateIntegrationDto {
  @ApiProperty({ format: 'uuid', description: 'A connector from GET /api/integrations/connectors' })
  @IsUUID('all')
  connector_id: string;

  @ApiProperty({ maxLength: 255, example: 'Team GitHub' })
  @DisplayName()
  name: string;

  @ApiProperty({ description: "Validated against the connector's config_schema; writeOnly fields are secrets" })
  @IsObject()
  config: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'Create it in an organization (needs integration:create there)' })
  @IsOptional()
  @IsUUID('all')
  organization_id?: string | null;
}

export class UpdateIntegrationDto {
  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @DisplayName()
  name?: string;

  @ApiPropertyOptional({
    description:
      'Merged into the stored config: given keys replace, null removes a key, omitted keys (secrets included) stay; ' +
      'a secret sent back as its mask ("••••abcd") is kept. The result is validated against the schema.',
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class IntegrationListQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "An organization's integrations; omitted: your personal ones" })
  @IsOptional()
  @IsUUID('all')
  organization_id?: string;
}

export class ConnectorActionResponse {
  @ApiProperty({ example: 'upload_file' })
  name: string;
  description: string;
  @ApiProperty({ description: "JSON Schema (draft-07) of the step's `params`; string values may hold `{{templates}}`" })
  params_schema: Record<string, unknown>;
}

export class ConnectorResponse {
  id: string;
  name: string;
  service_type: string;
  description: string | null;
  config_schema: Record<string, unknown>;
  /** What an `integration` workflow step can do with this connector. */
  @ApiProperty({ type: [ConnectorActionResponse] })
  actions: ConnectorActionResponse[];

  static from(c: IntegrationConnector, actions: ConnectorActionResponse[]): ConnectorResponse {
    return {
      id: c.id,
      name: c.name,
      service_type: c.serviceType,
      description: c.description,
      config_schema: c.configSchema,
      actions,
    };
  }
}

export class IntegrationResponse {
  id: string;
  name: string;
  connector_id: string;
  service_type: string | null;
  organization_id: string | null;
  user_id: string;
  /** The config with every secret masked (`"••••abcd"`); secrets are never returned. */
  config: Record<string, unknown>;
  is_active: boolean;
  /** `active`, or `needs_attention` after the provider refused the credentials. */
  @ApiProperty({ enum: ['active', 'needs_attention'] })
  status: string;
  /** The provider's reason for the last refusal. */
  last_error: string | null;
  /** The last successful connection test or action. */
  last_sync_at: string | null;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;

  static from(i: UserIntegration, maskedConfig: Record<string, unknown>, serviceType: string | null): IntegrationResponse {
    return {
      id: i.id,
      name: i.name,
      connector_id: i.connectorId,
      service_type: serviceType,
      organization_id: i.organizationId,
      user_id: i.userId,
      config: maskedConfig,
      is_active: i.isActive,
      status: i.status,
      last_error: i.lastError,
      last_sync_at: i.lastSyncAt ? i.lastSyncAt.toISOString() : null,
      last_used_at: i.lastUsedAt ? i.lastUsedAt.toISOString() : null,
      created_at: i.createdAt.toISOString(),
      updated_at: i.updatedAt.toISOString(),
    };
  }
}

export class ConnectionTestResponse {
  @ApiProperty({ description: 'Whether the provider accepted the credentials (and the configured resource is reachable)' })
  ok: boolean;
  @ApiProperty({ example: 'GitHub: authenticated as octocat; repository octo-org/octo-repo is accessible (push: yes)' })
  message: string;
  @ApiProperty({ type: IntegrationResponse })
  integration: IntegrationResponse;
}
