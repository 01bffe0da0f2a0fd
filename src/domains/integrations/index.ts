/** The integrations domain's public API: other domains and the composition roots import only this. */
export { CONNECTOR_TYPES, isConnectorType } from './connector-types';
export type { ConnectorType } from './connector-types';
export { IntegrationConnector } from './entities/integration-connector.entity';
export { UserIntegration } from './entities/user-integration.entity';
export { IntegrationGateway } from './integration-gateway';
export { IntegrationsModule } from './integrations.module';
export { IntegrationsService } from './integrations.service';
