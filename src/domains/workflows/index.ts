/** The workflows domain's public API: other domains and the composition roots import only this. */
export type { CreateWorkflowDto } from './dto/workflow.dto';
export { WorkflowResponse } from './dto/workflow.responses';
export { WorkflowHook } from './entities/workflow-hook.entity';
export { WorkflowExecution } from './entities/workflow-execution.entity';
export { WorkflowVersion } from './entities/workflow-version.entity';
export { Workflow } from './entities/workflow.entity';
export { WorkflowsWorkerModule } from './worker/workflows-worker.module';
export { WorkflowsModule } from './workflows.module';
export { WorkflowsService } from './workflows.service';
