import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FeatureFlagsModule } from '@/domains/feature-flags';
import { IntegrationsModule } from '@/domains/integrations';
import { WorkflowRunner } from '../engine/workflow-runner';
import { WorkflowExecution } from '../entities/workflow-execution.entity';
import { WorkflowVersion } from '../entities/workflow-version.entity';
import { Workflow } from '../entities/workflow.entity';
import { ExecutionsRepository } from '../executions.repository';
import { WorkflowsRepository } from '../workflows.repository';
import { ExecutionJobs } from './execution.jobs';
import { ScheduleJobs } from './schedule.jobs';

/** The worker side of workflows: the step engine, executions and the schedule ticker. */
@Module({
  imports: [TypeOrmModule.forFeature([Workflow, WorkflowVersion, WorkflowExecution]), IntegrationsModule, FeatureFlagsModule],
  providers: [WorkflowRunner, WorkflowsRepository, ExecutionsRepository, ExecutionJobs, ScheduleJobs],
})
export class WorkflowsWorkerModule {}
