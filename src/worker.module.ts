import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuthWorkerModule } from '@/domains/auth';
import { SuggestionsWorkerModule } from '@/domains/suggestions';
import { WorkflowsWorkerModule } from '@/domains/workflows';
import { WorkerProbeServer } from '@/platform/metrics/worker-probe.server';
import { PlatformModule } from '@/platform/platform.module';
import { QueueWorker } from '@/platform/queue/queue-worker';
import { RealtimeModule } from '@/platform/realtime/realtime.module';
import { ENTITIES } from './entities';

/** The domains' worker modules: each brings its job handlers (`worker/*.jobs.ts`). */
const WORKER_DOMAINS = [AuthWorkerModule, WorkflowsWorkerModule, SuggestionsWorkerModule];

/**
 * The worker process: the platform, the domains' job handlers and the job runner (it
 * refuses to start unless every job of the catalogue has exactly one handler); no HTTP
 * routes, only the probe port.
 */
@Module({
  imports: [PlatformModule.forRoot(ENTITIES), DiscoveryModule, RealtimeModule, ...WORKER_DOMAINS],
  providers: [QueueWorker, WorkerProbeServer],
})
export class WorkerModule {}
