import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { validationFailed } from '@/platform/http/pipes/validation.pipe';
import { ConfigSchemaValidator, type JsonSchema, secretFields } from './config-schema';
import { ConnectorsRepository } from './connectors.repository';
import type { IntegrationConnector } from './entities/integration-connector.entity';

/** A config split into what is stored as JSON and what is encrypted. */
export interface SplitConfig {
  plain: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

/** The connector catalogue (seeded reference data) and validation against its schemas. */
@Injectable()
export class ConnectorsService {
  private readonly validator = new ConfigSchemaValidator();

  constructor(private readonly connectors: ConnectorsRepository) {}

  listActive(): Promise<IntegrationConnector[]> {
    return this.connectors.listActive();
  }

  /** Inside a transaction pass it (`tx`): a second pool connection could wait on the first. */
  findMany(ids: readonly string[], tx?: EntityManager): Promise<IntegrationConnector[]> {
    return ids.length ? this.connectors.findByIds([...new Set(ids)], tx) : Promise.resolve([]);
  }

  /** An active connector, or 422 naming `body.connector_id`. */
  async getActive(id: string): Promise<IntegrationConnector> {
    const connector = await this.connectors.findActive(id);
    if (!connector) {
      throw validationFailed([{ loc: ['body', 'connector_id'], msg: 'Unknown or inactive connector', type: 'value_error' }]);
    }
    return connector;
  }

  /**
   * Validates `config` (defaults filled in) against the connector's schema — 422 naming
   * each failing property under `body.config` — and splits out the writeOnly secrets.
   */
  validateAndSplit(connector: IntegrationConnector, config: Record<string, unknown>): SplitConfig {
    const schema = connector.configSchema as JsonSchema;
    const key = `${connector.id}:${createHash('sha256').update(JSON.stringify(schema)).digest('hex')}`;
    const issues = this.validator.validate(key, schema, config, ['body', 'config']);
    if (issues.length) throw validationFailed(issues);
    const secretNames = secretFields(schema);
    const split: SplitConfig = { plain: {}, secrets: {} };
    for (const [name, value] of Object.entries(config)) {
      (secretNames.has(name) ? split.secrets : split.plain)[name] = value;
    }
    return split;
  }
}
