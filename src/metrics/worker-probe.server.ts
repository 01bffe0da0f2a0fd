import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import http from 'node:http';
import { AppConfig } from '../config/app-config';
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
    this.server = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        this.metrics.render().then(
          (body) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(body),
          () => res.writeHead(500).end(),
        );
      } else if (req.method === 'GET' && req.url === '/health/liveness') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'alive' }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not Found' }));
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.config.http.host, () => resolve());
    });
    this.logger.log(`metrics and liveness on :${port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
