import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuthUser, CurrentUser } from '@/platform/http/principal';
import type { MessageResponse } from '@/platform/http/responses';
import { AppConfig } from '@/platform/config/app-config';
import { clientInfo } from '@/platform/http/client-info';
import { sendJsonPage } from '@/platform/http/list-page';
import { uuidParam } from '@/platform/http/pipes/uuid-param.pipe';
import { RouteLimit } from '@/platform/throttling/route-limit.decorator';
import { RequireFeature } from '@/platform/http/decorators/require-feature.decorator';
import { WorkflowResponse } from '@/domains/workflows';
import { ListSuggestionsQuery, type SuggestionResponse } from './dto/suggestion.dto';
import { SuggestionEngine } from './engine/suggestion-engine';
import { SuggestionWorkflowService } from './suggestion-workflow.service';
import { SuggestionsService, SUGGESTION_NOT_FOUND } from './suggestions.service';

@ApiTags('suggestions')
@ApiBearerAuth()
@Controller('api/suggestions')
export class SuggestionsController {
  constructor(
    private readonly suggestions: SuggestionsService,
    private readonly engine: SuggestionEngine,
    private readonly drafts: SuggestionWorkflowService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'The page envelope: {items, total, skip, limit, has_more}' })
  async list(
    @CurrentUser() caller: AuthUser,
    @Query() q: ListSuggestionsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendJsonPage(reply, await this.suggestions.list(caller.id, q));
  }

  /**
   * Analyses the caller's pending events synchronously (at most ANALYSIS_SYNC_BUDGET_MS;
   * the worker finishes the rest) and answers the suggestions this call created, best
   * first. `X-Analysis-Pending: true` says events are still waiting (budget used up, or
   * younger than ANALYSIS_SETTLE_SECONDS): their suggestions will arrive as
   * `suggestion.created` and in GET /api/suggestions.
   */
  @Post('generate')
  @HttpCode(200)
  @RouteLimit('generate')
  @RequireFeature('enable_suggestion_generation')
  async generate(@CurrentUser() caller: AuthUser, @Res({ passthrough: true }) reply: FastifyReply): Promise<SuggestionResponse[]> {
    const result = await this.engine.refresh(caller.id, this.config.analysis.syncBudgetMs);
    if (result.pending) reply.header('X-Analysis-Pending', 'true');
    return result.created;
  }

  /** A draft (inactive) workflow prefilled from the suggestion; the suggestion is marked applied. */
  @Post(':id/workflow')
  async workflow(
    @CurrentUser() caller: AuthUser,
    @Param('id', uuidParam(SUGGESTION_NOT_FOUND)) id: string,
    @Req() req: FastifyRequest,
  ): Promise<WorkflowResponse> {
    return WorkflowResponse.from(await this.drafts.createDraft(caller, id, clientInfo(req)));
  }

  @Post(':id/bookmark')
  @HttpCode(200)
  bookmark(@CurrentUser() caller: AuthUser, @Param('id', uuidParam(SUGGESTION_NOT_FOUND)) id: string): Promise<MessageResponse> {
    return this.suggestions.act(caller.id, id, 'bookmark');
  }

  @Post(':id/apply')
  @HttpCode(200)
  apply(@CurrentUser() caller: AuthUser, @Param('id', uuidParam(SUGGESTION_NOT_FOUND)) id: string): Promise<MessageResponse> {
    return this.suggestions.act(caller.id, id, 'apply');
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  dismiss(@CurrentUser() caller: AuthUser, @Param('id', uuidParam(SUGGESTION_NOT_FOUND)) id: string): Promise<MessageResponse> {
    return this.suggestions.act(caller.id, id, 'dismiss');
  }
}
