import { Injectable, NotFoundException } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import type { AuthUser } from '@/platform/http/principal';
import type { ClientInfo } from '@/platform/http/client-info';
import { IntegrationsService } from '@/domains/integrations';
import type { Workflow } from '@/domains/workflows';
import { WorkflowsService } from '@/domains/workflows';
import { type DraftIntegration, workflowDraft } from './engine/workflow-draft';
import { SuggestionsRepository } from './suggestions.repository';
import { SUGGESTION_NOT_FOUND } from './suggestions.service';

/**
 * POST /api/suggestions/{id}/workflow: the suggestion becomes a draft workflow (inactive,
 * created through WorkflowsService — versioned and audited like any other) and is marked
 * applied, so the engine never suggests it again. Another user's suggestion is a 404.
 */
@Injectable()
export class SuggestionWorkflowService {
  constructor(
    private readonly suggestions: SuggestionsRepository,
    private readonly workflows: WorkflowsService,
    private readonly integrations: IntegrationsService,
    private readonly events: EventBus,
  ) {}

  async createDraft(user: AuthUser, id: string, client: ClientInfo): Promise<Workflow> {
    const source = await this.suggestions.draftSource(user.id, id);
    if (!source) throw new NotFoundException(SUGGESTION_NOT_FOUND);
    const integration = await this.integrationFor(user.id, source.suggested_connector);
    const workflow = await this.workflows.create(user, workflowDraft(source, integration, user.email), client);
    await this.suggestions.markApplied(user.id, id);
    await this.events.publish('user.lists.changed', { userId: user.id });
    return workflow;
  }

  /** The user's active personal integration of that connector, if any (the newest), with its plain config. */
  private async integrationFor(userId: string, serviceType: string | null): Promise<DraftIntegration | null> {
    if (!serviceType) return null;
    const views = await this.integrations.list(userId, null);
    const found = views.find((v) => v.serviceType === serviceType && v.integration.isActive)?.integration;
    return found ? { id: found.id, config: found.config } : null;
  }
}
