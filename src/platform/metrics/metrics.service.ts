import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and the metrics several domains share. Domains that
 * own a metric define it here so every metric name lives in one place.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly socketConnections = new Gauge({
    name: 'floyo_socket_connections',
    help: 'Socket.IO clients connected to this API process',
    registers: [this.registry],
  });

  readonly realtimeEmitted = new Counter({
    name: 'floyo_realtime_events_emitted_total',
    help: 'Realtime events published to clients, by event type',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'floyo_http_request_duration_seconds',
    help: 'HTTP request duration by method, route (the matched pattern) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly rateLimitFailOpen = new Counter({
    name: 'floyo_rate_limit_fail_open_total',
    help: 'Requests served without rate limiting because the limiter storage (Redis) failed',
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'floyo_queue_job_outcomes_total',
    help: 'Jobs finished by this worker, by queue, job name and outcome (completed, failed)',
    labelNames: ['queue', 'job', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly realtimeDropped = new Counter({
    name: 'floyo_realtime_events_dropped_total',
    help: 'Realtime events dropped because Redis was unavailable',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'floyo_' });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
