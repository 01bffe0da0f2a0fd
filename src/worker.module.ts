import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SessionsJobs } from '@/domains/auth/worker/sessions.jobs';
import { SessionsModule } from '@/domains/auth/sessions.module';
import { CoreModule } from '@/platform/platform.module';
import { WorkerProbeServer } from '@/platform/metrics/worker-probe.server';
import { PatternAnalysisWorkerModule } from '@/domains/patterns/worker/pattern-analysis-worker.module';
import { QueueWorker } from '@/platform/queue/queue-worker.service';
import { RealtimeModule } from '@/platform/realtime/realtime.module';
import { WorkflowsWorkerModule } from '@/domains/workflows/worker/workflows-worker.module';

/** The worker process: the same core and domain services, queue job handlers, no HTTP routes. */
@Module({
  imports: [CoreModule, DiscoveryModule, RealtimeModule, SessionsModule, WorkflowsWorkerModule, PatternAnalysisWorkerModule],
  providers: [QueueWorker, SessionsJobs, WorkerProbeServer],
})
export class WorkerModule {}
