import { getQueueToken } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import type { Job, Queue } from 'bull';
import { ErrorReporter } from '@/platform/errors/error-reporter';
import { AppConfig } from '@/platform/config/app-config';
import { MetricsService } from '@/platform/metrics/metrics.service';
import { JOB_HANDLER, type JobHandlerMeta } from './job-handler.decorator';
import { JOBS, QUEUES } from './queues';

interface Registered extends JobHandlerMeta {
  owner: string;
  handle: (job: Job) => Promise<unknown>;
}

class JobCatalogueError extends Error {}

/**
 * The worker's job runner. At boot it collects every @JobHandler, refuses to start unless
 * each job name of the catalogue has exactly one handler (a missing or duplicated handler
 * would otherwise surface later as a stuck queue), and only then starts processing — so
 * no job runs before the whole application has initialised. On shutdown, Nest closes the
 * queues, which waits for the running jobs (bounded by SHUTDOWN_GRACE_MS).
 */
@Injectable()
export class QueueWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(QueueWorker.name);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly reporter: ErrorReporter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const handlers = this.collect();
    assertCatalogue(handlers);
    for (const h of handlers) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(h.queue), { strict: false });
      const count = (outcome: 'completed' | 'failed') => this.metrics.jobs.inc({ queue: h.queue, job: h.name, outcome });
      void queue.process(h.name, h.concurrency ?? this.config.worker.concurrency, (job: Job) =>
        h.handle(job).then(
          (result) => (count('completed'), result),
          (err: unknown) => {
            count('failed');
            this.reporter.capture(err, { queue: h.queue, job: h.name, job_id: String(job.id) });
            throw err;
          },
        ),
      );
    }
    this.logger.log(`processing ${handlers.map((h) => `${h.queue}/${h.name}`).join(', ')}`);
  }

  private collect(): Registered[] {
    const out: Registered[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const meta = this.reflector.get<JobHandlerMeta | undefined>(JOB_HANDLER, fn as () => unknown);
        if (meta) {
          out.push({
            ...meta,
            owner: `${wrapper.name}.${method}`,
            handle: (job) => (fn as (j: Job) => Promise<unknown>).call(instance, job),
          });
        }
      }
    }
    return out;
  }
}

/** Every catalogued job has exactly one handler and no handler is for an unknown job. */
export function assertCatalogue(handlers: Pick<Registered, 'queue' | 'name' | 'owner'>[]): void {
  const problems: string[] = [];
  const byKey = new Map<string, string[]>();
  for (const h of handlers) byKey.set(`${h.queue}/${h.name}`, [...(byKey.get(`${h.queue}/${h.name}`) ?? []), h.owner]);
  for (const [queueKey, queueName] of Object.entries(QUEUES)) {
    for (const name of Object.values(JOBS[queueKey as keyof typeof QUEUES])) {
      const owners = byKey.get(`${queueName}/${name}`) ?? [];
      if (owners.length === 0) problems.push(`job ${queueName}/${name} has no handler`);
      if (owners.length > 1) problems.push(`job ${queueName}/${name} has ${owners.length} handlers: ${owners.join(', ')}`);
      byKey.delete(`${queueName}/${name}`);
    }
  }
  for (const [key, owners] of byKey) problems.push(`handler ${owners.join(', ')} is for ${key}, which is not in the job catalogue`);
  if (problems.length) throw new JobCatalogueError(`Worker job catalogue mismatch: ${problems.join('; ')}`);
}
