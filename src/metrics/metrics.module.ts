import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** The metrics registry, in both processes. The API adds the /metrics route (MetricsHttpModule). */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
