import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheModule } from '../cache/cache.module';
import { EventsModule } from '../events/events.module';
import { PatternsModule } from '../patterns/patterns.module';
import { StatsModule } from '../stats/stats.module';
import { UsersModule } from '../users/users.module';
import { Suggestion } from './entities/suggestion.entity';
import { SuggestionGeneratorService } from './suggestion-generator.service';
import { SuggestionsController } from './suggestions.controller';
import { SuggestionsService } from './suggestions.service';

/** Automation suggestions: list, bookmark/apply/dismiss, and the rule-based generator. */
@Module({
  imports: [TypeOrmModule.forFeature([Suggestion]), StatsModule, CacheModule, UsersModule, PatternsModule, EventsModule],
  controllers: [SuggestionsController],
  providers: [SuggestionsService, SuggestionGeneratorService],
  exports: [SuggestionsService],
})
export class SuggestionsModule {}
