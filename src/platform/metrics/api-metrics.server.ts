import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type http from 'node:http';
import { AppConfig } from '@/platform/config/app-config';
import { close, createMetricsListener, listen } from './metrics-listener';
import { MetricsService } from './metrics.service';

/**
 * The API's `GET /metrics` on METRICS_PORT (0 = none), a listener of its own: process,
 * heap, queue and per-route figures are for the scraper, not for whoever reaches the
 * public port. On the public port /metrics is served only with METRICS_PUBLIC (the
 * default outside production; see configureHttpApp).
 */
@Injectable()
export class ApiMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: http.Server;

  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { port, public: onPublicPort } = this.config.metrics;
    if (port) {
      this.server = createMetricsListener(this.metrics, { liveness: false });
      await listen(this.server, port, this.config.http.host);
    }
    const where = [port ? `:${port}` : '', onPublicPort ? `:${this.config.http.port} (public port)` : ''].filter(Boolean);
    this.logger.log(
      where.length ? `GET /metrics on ${where.join(' and ')}` : 'GET /metrics is not served (METRICS_PORT=0, METRICS_PUBLIC=false)',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await close(this.server);
  }
}
