import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthIndicators } from './health.indicators';
import { ReadinessState } from './readiness.state';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [HealthController],
  providers: [HealthIndicators, ReadinessState],
  exports: [ReadinessState],
})
export class HealthModule {}
