import { Module, type OnModuleInit } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AuditModule } from '@/domains/audit';
import { OrgResourceRegistry } from '@/domains/organizations';
import { WorkflowExecution } from './entities/workflow-execution.entity';
import { WorkflowVersion } from './entities/workflow-version.entity';
import { Workflow } from './entities/workflow.entity';
import { ExecutionsController } from './executions.controller';
import { ExecutionsService } from './executions.service';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';

/** The workflow API (definitions, versions, manual executions). The worker side is WorkflowsWorkerModule. */
@Module({
  imports: [TypeOrmModule.forFeature([Workflow, WorkflowVersion, WorkflowExecution]), AuditModule],
  controllers: [WorkflowsController, ExecutionsController],
  providers: [WorkflowsService, ExecutionsService],
  exports: [WorkflowsService],
})
export class WorkflowsModule implements OnModuleInit {
  constructor(
    private readonly registry: OrgResourceRegistry,
    @InjectRepository(Workflow) private readonly workflows: Repository<Workflow>,
  ) {}

  /** Tells the org permission guard how to find a workflow's owner and organization. */
  onModuleInit(): void {
    this.registry.registerRepository('workflow', this.workflows);
  }
}
