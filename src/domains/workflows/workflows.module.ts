import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@/domains/audit';
import { FeatureFlagsModule } from '@/domains/feature-flags';
import { IntegrationsModule } from '@/domains/integrations';
import { OrgResourceRegistry } from '@/domains/organizations';
import { WorkflowExecution } from './entities/workflow-execution.entity';
import { WorkflowHook } from './entities/workflow-hook.entity';
import { WorkflowVersion } from './entities/workflow-version.entity';
import { Workflow } from './entities/workflow.entity';
import { ExecutionsController } from './executions.controller';
import { ExecutionsRepository } from './executions.repository';
import { ExecutionsService } from './executions.service';
import { HooksController } from './hooks.controller';
import { WorkflowsController } from './workflows.controller';
import { WorkflowHooksRepository } from './workflow-hooks.repository';
import { WorkflowsRepository } from './workflows.repository';
import { ActivityTriggersService } from './triggers/activity-triggers.service';
import { WebhookTriggersService } from './triggers/webhook-triggers.service';
import { WorkflowHooks } from './triggers/workflow-hooks';
import { SecretBoxProvider } from '@/platform/crypto/secret-box.provider';
import { WorkflowsService } from './workflows.service';

/**
 * The workflow API (definitions, versions, manual executions, activity triggers matched at
 * ingest, signed inbound webhooks). The worker side is WorkflowsWorkerModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Workflow, WorkflowVersion, WorkflowExecution, WorkflowHook]),
    AuditModule,
    IntegrationsModule,
    FeatureFlagsModule,
  ],
  controllers: [WorkflowsController, ExecutionsController, HooksController],
  providers: [
    WorkflowsRepository,
    ExecutionsRepository,
    WorkflowsService,
    ExecutionsService,
    ActivityTriggersService,
    WorkflowHooksRepository,
    WorkflowHooks,
    WebhookTriggersService,
    SecretBoxProvider,
  ],
  exports: [WorkflowsService],
})
export class WorkflowsModule implements OnModuleInit {
  constructor(
    private readonly registry: OrgResourceRegistry,
    private readonly workflows: WorkflowsRepository,
  ) {}

  /** Tells the org permission guard how to find a workflow's owner and organization. */
  onModuleInit(): void {
    this.registry.register('workflow', (id) => this.workflows.ownerOf(id));
  }
}
