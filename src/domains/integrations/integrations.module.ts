import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@/domains/audit';
import { SecretBoxProvider } from '@/platform/crypto/secret-box.provider';
import { ConnectorsRepository } from './connectors.repository';
import { ConnectorsService } from './connectors.service';
import { IntegrationConnector } from './entities/integration-connector.entity';
import { UserIntegration } from './entities/user-integration.entity';
import { IntegrationSecrets } from './integration-secrets';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsRepository } from './integrations.repository';
import { IntegrationsService } from './integrations.service';

/**
 * Connector catalogue and integrations with encrypted secrets. Exports IntegrationsService
 * (`resolveConfig(id)` gives workflow steps the decrypted config).
 */
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationConnector, UserIntegration]), AuditModule],
  controllers: [IntegrationsController],
  providers: [SecretBoxProvider, IntegrationSecrets, ConnectorsRepository, IntegrationsRepository, ConnectorsService, IntegrationsService],
  exports: [IntegrationsService],
})
export class IntegrationsModule {}
