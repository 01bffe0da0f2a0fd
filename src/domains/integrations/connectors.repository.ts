import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { IntegrationConnector } from './entities/integration-connector.entity';

/** Statements on the connector catalogue: integration_connectors. */
@Injectable()
export class ConnectorsRepository {
  constructor(@InjectRepository(IntegrationConnector) private readonly connectors: Repository<IntegrationConnector>) {}

  listActive(): Promise<IntegrationConnector[]> {
    return this.connectors.find({ where: { isActive: true }, order: { name: 'ASC' } });
  }

  /** The connectors of `ids` (distinct, not empty); inside a transaction on its connection. */
  findByIds(ids: readonly string[], tx?: EntityManager): Promise<IntegrationConnector[]> {
    const repo = tx ? tx.getRepository(IntegrationConnector) : this.connectors;
    return repo.findBy(ids.map((id) => ({ id })));
  }

  findActive(id: string): Promise<IntegrationConnector | null> {
    return this.connectors.findOneBy({ id, isActive: true });
  }
}
