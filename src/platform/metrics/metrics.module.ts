import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { RuntimeMetrics } from './runtime-metrics';

/**
 * The metrics registry and the runtime gauges (pool, breaker, Redis, queues), in both
 * processes. The API serves them at /metrics; the worker on WORKER_METRICS_PORT.
 */
@Global()
@Module({ providers: [MetricsService, RuntimeMetrics], exports: [MetricsService] })
export class MetricsModule {}
