import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@/platform/config/app-config';
import { FeatureFlagsModule } from '@/domains/feature-flags';
import { IntegrationActionsService } from '@/domains/integrations';
import { IntegrationsModule } from '@/domains/integrations';
import { IntegrationGateway } from '@/domains/integrations';
import { SafeHttpClient } from '@/platform/http/outbound/safe-http';
import { SsrfPolicy } from '@/platform/http/outbound/ssrf-policy';
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
