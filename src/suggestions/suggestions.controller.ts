import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import type { MessageResponse } from '../auth/dto/auth.responses';
import { sendList } from '../common/http/list-page';
import type { Page } from '../common/http/pagination';
import { uuidParam } from '../common/pipes/uuid-param.pipe';
import { RouteLimit } from '../common/throttling/route-limit.decorator';
import { RequireFeature } from '../feature-flags/require-feature.decorator';
import { ListSuggestionsQuery, type SuggestionResponse } from './dto/suggestion.dto';
import { SuggestionGeneratorService } from './suggestion-generator.service';
import { SuggestionsService } from './suggestions.service';

@ApiTags('suggestions')
@ApiBearerAuth()
@Controller('api/suggestions')
export class SuggestionsController {
  constructor(
    private readonly suggestions: SuggestionsService,
    private readonly generator: SuggestionGeneratorService,
  ) {}

  @Get()
  async list(
    @CurrentUser() caller: AuthUser,
    @Query() q: ListSuggestionsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Page<SuggestionResponse>> {
    return sendList(reply, await this.suggestions.list(caller.id, q));
  }

  @Post('generate')
  @HttpCode(200)
  @RouteLimit('generate')
  @RequireFeature('enable_suggestion_generation')
  generate(@CurrentUser() caller: AuthUser): Promise<SuggestionResponse[]> {
    return this.generator.generate(caller.id);
  }

  @Post(':id/bookmark')
  @HttpCode(200)
  bookmark(@CurrentUser() caller: AuthUser, @Param('id', uuidParam()) id: string): Promise<MessageResponse> {
    return this.suggestions.act(caller.id, id, 'bookmark');
  }

  @Post(':id/apply')
  @HttpCode(200)
  apply(@CurrentUser() caller: AuthUser, @Param('id', uuidParam()) id: string): Promise<MessageResponse> {
    return this.suggestions.act(caller.id, id, 'apply');
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  dismiss(@CurrentUser() caller: AuthUser, @Param('id', uuidParam()) id: string): Promise<MessageResponse> {
    return this.suggestions.act(caller.id, id, 'dismiss');
  }
}
