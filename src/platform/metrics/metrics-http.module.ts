import { Module } from '@nestjs/common';
import { ApiMetricsServer } from './api-metrics.server';

/** The API's own /metrics listener (METRICS_PORT). */
@Module({ providers: [ApiMetricsServer] })
export class MetricsHttpModule {}
