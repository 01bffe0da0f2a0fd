import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type http from 'node:http';
import { AppConfig } from '@/platform/config/app-config';
import { close, createMetricsListener, listen } from './metrics-listener';
import { MetricsService } from './metrics.service';

/**
 * The worker's only HTTP surface, on WORKER_METRICS_PORT (0 = off): `GET /metrics` for
 * Prometheus (job outcomes, queue depths, pool, breaker, process) and
 * `GET /health/liveness` for the Kubernetes probe. No API routes.
 */
@Injectable()
export class WorkerProbeServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerProbe');
  private server?: http.Server;

  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.worker.metricsPort;
    if (!port) return;
    this.server = createMetricsListener(this.metrics, { liveness: true });
    await listen(this.server, port, this.config.http.host);
    this.logger.log(`metrics and liveness on :${port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await close(this.server);
  }
}
