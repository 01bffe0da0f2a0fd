import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SessionsJobs } from '@/domains/auth';
import { AuthModule } from '@/domains/auth';
import { PlatformModule } from '@/platform/platform.module';
import { ENTITIES } from './entities';
import { WorkerProbeServer } from '@/platform/metrics/worker-probe.server';
import { SuggestionsWorkerModule } from '@/domains/suggestions';
import { QueueWorker } from '@/platform/queue/queue-worker.service';
import { RealtimeModule } from '@/platform/realtime/realtime.module';
import { WorkflowsWorkerModule } from '@/domains/workflows';

/** The worker process: the same core and domain services, queue job handlers, no HTTP routes. */
@Module({
  imports: [PlatformModule.forRoot(ENTITIES), DiscoveryModule, RealtimeModule, AuthModule, WorkflowsWorkerModule, SuggestionsWorkerModule],
  providers: [QueueWorker, SessionsJobs, WorkerProbeServer],
})
export class WorkerModule {}
