import { Module } from '@nestjs/common';
import { CacheModule } from '@/platform/cache/cache.module';
import { IntegrationsModule } from '@/domains/integrations';
import { StatsModule } from '@/domains/stats';
import { WorkflowsModule } from '@/domains/workflows';
import { SuggestionEngineModule } from './engine/suggestion-engine.module';
import { SuggestionWorkflowService } from './suggestion-workflow.service';
import { SuggestionsController } from './suggestions.controller';
import { SuggestionsRepository } from './suggestions.repository';
import { SuggestionsService } from './suggestions.service';

/**
 * Automation suggestions over HTTP: list, bookmark/apply/dismiss, generate (the engine,
 * synchronously within a budget) and turning one into a draft workflow.
 */
@Module({
  imports: [StatsModule, CacheModule, SuggestionEngineModule, WorkflowsModule, IntegrationsModule],
  controllers: [SuggestionsController],
  providers: [SuggestionsService, SuggestionWorkflowService, SuggestionsRepository],
  exports: [SuggestionsService],
})
export class SuggestionsModule {}
