import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config';
import { FeatureFlagsModule } from '../../feature-flags/feature-flags.module';
import { IntegrationActionsService } from '../../integrations/integration-actions.service';
import { IntegrationsModule } from '../../integrations/integrations.module';
import { IntegrationGateway } from '../engine/integration-gateway';
import { SafeHttpClient } from '../engine/safe-http';
import { SsrfPolicy } from '../engine/ssrf-policy';
import { WorkflowRunner } from '../engine/workflow-runner';
import { WorkflowExecution } from '../entities/workflow-execution.entity';
import { Workflow } from '../entities/workflow.entity';
import { ExecutionStore } from './execution-store';
import { ExecutionJobs } from './execution.jobs';
import { ScheduleJobs } from './schedule.jobs';

/** The worker side of workflows: the step engine, executions and the schedule ticker. */
@Module({
  imports: [TypeOrmModule.forFeature([Workflow, WorkflowExecution]), IntegrationsModule, FeatureFlagsModule],
  providers: [
    {
      provide: SafeHttpClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new SafeHttpClient(new SsrfPolicy(config.workflows.httpAllowlist), config.workflows.httpMaxResponseBytes),
    },
    { provide: IntegrationGateway, useClass: IntegrationActionsService },
    WorkflowRunner,
    ExecutionStore,
    ExecutionJobs,
    ScheduleJobs,
  ],
})
export class WorkflowsWorkerModule {}
