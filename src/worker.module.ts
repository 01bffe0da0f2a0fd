import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SessionsJobs } from './auth/sessions.jobs';
import { SessionsModule } from './auth/sessions.module';
import { CoreModule } from './core.module';
import { WorkerProbeServer } from './metrics/worker-probe.server';
import { PatternAnalysisWorkerModule } from './patterns/worker/pattern-analysis-worker.module';
import { QueueWorker } from './queue/queue-worker.service';
import { RealtimeModule } from './realtime/realtime.module';
import { WorkflowsWorkerModule } from './workflows/worker/workflows-worker.module';

/** The worker process: the same core and domain services, queue job handlers, no HTTP routes. */
@Module({
  imports: [CoreModule, DiscoveryModule, RealtimeModule, SessionsModule, WorkflowsWorkerModule, PatternAnalysisWorkerModule],
  providers: [QueueWorker, SessionsJobs, WorkerProbeServer],
})
export class WorkerModule {}
