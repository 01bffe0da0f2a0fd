/** The suggestions domain's public API: other domains and the composition roots import only this. */
export { SuggestionResponse } from './dto/suggestion.dto';
export { Suggestion } from './entities/suggestion.entity';
export { SuggestionsModule } from './suggestions.module';
export { SuggestionsService } from './suggestions.service';
export { SuggestionsWorkerModule } from './worker/suggestions-worker.module';
