import { ConflictException, Injectable, NotFoundException, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { OrgResourceRegistry } from '@/domains/organizations';
import { Transactions } from '@/platform/database/transactions';
import { ConnectorsService } from './connectors.service';
import type { CreateIntegrationDto, UpdateIntegrationDto } from './dto/integration.dto';
import type { UserIntegration } from './entities/user-integration.entity';
import { IntegrationSecrets } from './integration-secrets';
import { IntegrationsRepository } from './integrations.repository';

const INTEGRATION_NOT_FOUND = 'Integration not found';

export interface ResolvedIntegration {
  id: string;
  userId: string;
  organizationId: string | null;
  isActive: boolean;
  serviceType: string | null;
  /** Decrypted: never send to a client. */
  config: Record<string, unknown>;
  /** The config fields that are secrets (scrubbed from every message). */
  secretFields: string[];
}

/** An integration with its config ready to show (secrets masked). */
export interface IntegrationView {
  integration: UserIntegration;
  config: Record<string, unknown>;
  serviceType: string | null;
}

/**
 * Integrations of a user or of an organization. Authorization happens on the routes
 * (RequireOrgPermission with the `integration` resource type registered here).
 */
@Injectable()
export class IntegrationsService implements OnModuleInit {
  constructor(
    private readonly integrations: IntegrationsRepository,
    private readonly transactions: Transactions,
    private readonly connectors: ConnectorsService,
    private readonly secrets: IntegrationSecrets,
    private readonly audit: AuditService,
    private readonly registry: OrgResourceRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register('integration', (id) => this.integrations.ownerOf(id));
  }

  async create(
    dto: CreateIntegrationDto,
    organizationId: string | null,
    actor: AuditContext & { actorId: string },
  ): Promise<IntegrationView> {
    const connector = await this.connectors.getActive(dto.connector_id);
    const config = structuredClone(dto.config);
    const { plain, secrets } = this.connectors.validateAndSplit(connector, config);
    const id = randomUUID();
    const integration = await this.transactions.run(async (tx) => {
      const created = await this.integrations.insert(
        {
          id,
          userId: actor.actorId,
          organizationId,
          connectorId: connector.id,
          name: dto.name.trim(),
          config: plain,
          encryptedSecrets: this.secrets.seal(id, secrets),
        },
        tx,
      );
      await this.record(tx, actor, 'create', created, { name: created.name, service_type: connector.serviceType });
      return created;
    });
    return this.view(integration, connector.serviceType);
  }

  /** Personal integrations (no organization) of the user, or all of an organization's. */
  async list(userId: string, organizationId: string | null): Promise<IntegrationView[]> {
    const rows = await this.integrations.list(userId, organizationId);
    const types = new Map((await this.connectors.findMany(rows.map((r) => r.connectorId))).map((c) => [c.id, c.serviceType]));
    return rows.map((r) => this.view(r, types.get(r.connectorId) ?? null));
  }

  async get(id: string): Promise<IntegrationView> {
    const integration = await this.integrations.findById(id);
    if (!integration) throw new NotFoundException(INTEGRATION_NOT_FOUND);
    const [connector] = await this.connectors.findMany([integration.connectorId]);
    return this.view(integration, connector?.serviceType ?? null);
  }

  /**
   * Updates name / active state / config. The config patch is merged into the stored one
   * (secrets decrypted for validation), validated as a whole, and every secret re-encrypted
   * with the current key — so an update also completes a key rotation for that row.
   */
  async update(id: string, dto: UpdateIntegrationDto, actor: AuditContext): Promise<IntegrationView> {
    let serviceType: string | null = null;
    const integration = await this.transactions.run(async (tx) => {
      const row = await this.integrations.lockById(id, tx);
      if (!row) throw new NotFoundException(INTEGRATION_NOT_FOUND);
      const changed: string[] = [];
      if (dto.name !== undefined && dto.name.trim() !== row.name) {
        row.name = dto.name.trim();
        changed.push('name');
      }
      if (dto.is_active !== undefined && dto.is_active !== row.isActive) {
        row.isActive = dto.is_active;
        changed.push('is_active');
      }
      if (dto.config) {
        const [connector] = await this.connectors.findMany([row.connectorId], tx);
        serviceType = connector.serviceType;
        const merged = this.merge(row, dto.config);
        const { plain, secrets } = this.connectors.validateAndSplit(connector, merged);
        row.config = plain;
        row.encryptedSecrets = this.secrets.seal(row.id, secrets);
        // new credentials get a fresh start: the next test or action tells
        row.status = 'active';
        row.lastError = null;
        changed.push(...Object.keys(dto.config).map((k) => `config.${k}`));
      }
      const saved = await this.integrations.save(row, tx);
      await this.record(tx, actor, 'update', saved, { changed });
      return saved;
    });
    if (!serviceType) serviceType = (await this.connectors.findMany([integration.connectorId]))[0]?.serviceType ?? null;
    return this.view(integration, serviceType);
  }

  async remove(id: string, actor: AuditContext): Promise<void> {
    await this.transactions.run(async (tx) => {
      const row = await this.integrations.lockById(id, tx);
      if (!row) throw new NotFoundException(INTEGRATION_NOT_FOUND);
      await this.integrations.delete(id, tx);
      await this.record(tx, actor, 'delete', row, { name: row.name });
    });
  }

  /**
   * The full config with decrypted secrets, for code that uses the integration (workflow
   * steps). Never send this to a client.
   */
  async resolveConfig(id: string): Promise<Record<string, unknown>> {
    return (await this.resolveForUse(id)).config;
  }

  /** Who owns the integration, its connector type, and its decrypted config (server-side use only). */
  async resolveForUse(id: string): Promise<ResolvedIntegration> {
    const row = await this.integrations.findById(id);
    if (!row) throw new NotFoundException(INTEGRATION_NOT_FOUND);
    const [connector] = await this.connectors.findMany([row.connectorId]);
    return {
      id: row.id,
      userId: row.userId,
      organizationId: row.organizationId,
      isActive: row.isActive,
      serviceType: connector?.serviceType ?? null,
      config: { ...row.config, ...this.secrets.open(row.id, row.encryptedSecrets) },
      secretFields: Object.keys(row.encryptedSecrets ?? {}),
    };
  }

  /**
   * Stored config + patch. Stored secrets are decrypted only when the patch keeps them; one
   * that cannot be decrypted (its key was dropped from ENCRYPTION_KEYS_OLD) must be sent again.
   */
  private merge(row: UserIntegration, patch: Record<string, unknown>): Record<string, unknown> {
    const masks = this.secrets.masks(row.id, row.encryptedSecrets);
    const isKept = (key: string) => !(key in patch) || (key in masks && patch[key] === masks[key]);
    const merged: Record<string, unknown> = structuredClone(row.config);
    for (const field of Object.keys(masks).filter(isKept)) {
      try {
        merged[field] = this.secrets.open(row.id, { [field]: row.encryptedSecrets[field] })[field];
      } catch {
        throw new ConflictException(`The stored secret "${field}" cannot be decrypted with the configured keys; send it again`);
      }
    }
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else if (!isKept(key)) merged[key] = structuredClone(value);
    }
    return merged;
  }

  private view(integration: UserIntegration, serviceType: string | null): IntegrationView {
    const config = { ...integration.config, ...this.secrets.masks(integration.id, integration.encryptedSecrets) };
    return { integration, config, serviceType };
  }

  private record(
    tx: EntityManager,
    actor: AuditContext,
    action: string,
    row: UserIntegration,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(tx, {
      ...actor,
      organizationId: row.organizationId,
      action,
      resourceType: 'integration',
      resourceId: row.id,
      details,
    });
  }
}
