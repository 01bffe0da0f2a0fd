import { Module } from '@nestjs/common';
import { SuggestionEngineModule } from '@/domains/suggestions/engine/suggestion-engine.module';
import { AnalysisJobs } from './analysis.jobs';

/** The worker side of pattern intelligence: the per-user analysis job. */
@Module({
  imports: [SuggestionEngineModule],
  providers: [AnalysisJobs],
})
export class PatternAnalysisWorkerModule {}
