import { Module } from '@nestjs/common';
import { SuggestionEngineModule } from '../engine/suggestion-engine.module';
import { AnalysisJobs } from './analysis.jobs';

/** The worker side of pattern intelligence: the per-user analysis and suggestion evaluation job. */
@Module({
  imports: [SuggestionEngineModule],
  providers: [AnalysisJobs],
})
export class SuggestionsWorkerModule {}
