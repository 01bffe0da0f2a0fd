import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@/domains/audit';
import { IntegrationsModule } from '@/domains/integrations';
import { OrgResourceRegistry } from '@/domains/organizations';
import { WorkflowExecution } from './entities/workflow-execution.entity';
import { WorkflowVersion } from './entities/workflow-version.entity';
import { Workflow } from './entities/workflow.entity';
import { ExecutionsController } from './executions.controller';
import { ExecutionsRepository } from './executions.repository';
import { ExecutionsService } from './executions.service';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsRepository } from './workflows.repository';
import { WorkflowsService } from './workflows.service';

/** The workflow API (definitions, versions, manual executions). The worker side is WorkflowsWorkerModule. */
@Module({
  imports: [TypeOrmModule.forFeature([Workflow, WorkflowVersion, WorkflowExecution]), AuditModule, IntegrationsModule],
  controllers: [WorkflowsController, ExecutionsController],
  providers: [WorkflowsRepository, ExecutionsRepository, WorkflowsService, ExecutionsService],
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
