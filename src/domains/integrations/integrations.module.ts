import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@/domains/audit';
import { UploadedFilesModule } from '@/domains/events';
import { SecretBoxProvider } from '@/platform/crypto/secret-box.provider';
import { ConnectorsRepository } from './connectors.repository';
import { ConnectorsService } from './connectors.service';
import { IntegrationConnector } from './entities/integration-connector.entity';
import { UserIntegration } from './entities/user-integration.entity';
import { IntegrationActionsService } from './integration-actions.service';
import { IntegrationGateway } from './integration-gateway';
import { IntegrationSecrets } from './integration-secrets';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsRepository } from './integrations.repository';
import { IntegrationsService } from './integrations.service';

/**
 * Connector catalogue, integrations with encrypted secrets, and the connectors' actions
 * and connection tests (connectors/*.ts). Exports the IntegrationGateway port through which
 * workflows check and run integration steps. Outbound calls use the global SafeHttpClient
 * (OutboundHttpModule, imported by each composition root).
 */
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationConnector, UserIntegration]), AuditModule, UploadedFilesModule],
  controllers: [IntegrationsController],
  providers: [
    SecretBoxProvider,
    IntegrationSecrets,
    ConnectorsRepository,
    IntegrationsRepository,
    ConnectorsService,
    IntegrationsService,
    IntegrationActionsService,
    { provide: IntegrationGateway, useExisting: IntegrationActionsService },
  ],
  exports: [IntegrationsService, IntegrationGateway],
})
export class IntegrationsModule {}
