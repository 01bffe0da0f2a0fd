import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

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
