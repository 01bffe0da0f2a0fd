import { Module } from '@nestjs/common';
import { CacheModule } from '@/platform/cache/cache.module';
import { PatternsModule } from '@/domains/patterns';
import { UsersModule } from '@/domains/users';
import { SuggestionCandidatesRepository } from './suggestion-candidates.repository';
import { SuggestionEngine } from './suggestion-engine';

/** The suggestion engine without any HTTP surface: used by the API (generate) and the worker. */
@Module({
  imports: [PatternsModule, UsersModule, CacheModule],
  providers: [SuggestionEngine, SuggestionCandidatesRepository],
  exports: [SuggestionEngine],
})
export class SuggestionEngineModule {}
