import { Module } from '@nestjs/common';
import { CacheModule } from '../../cache/cache.module';
import { PatternsModule } from '../../patterns/patterns.module';
import { UsersModule } from '../../users/users.module';
import { SuggestionEngine } from './suggestion-engine.service';

/** The suggestion engine without any HTTP surface: used by the API (generate) and the worker. */
@Module({
  imports: [PatternsModule, UsersModule, CacheModule],
  providers: [SuggestionEngine],
  exports: [SuggestionEngine],
})
export class SuggestionEngineModule {}
