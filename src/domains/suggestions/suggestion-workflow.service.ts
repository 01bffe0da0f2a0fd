import { Injectable, NotFoundException } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AuthUser } from '@/platform/http/principal';
import type { ClientInfo } from '@/platform/http/client-info';
import { IntegrationsService } from '@/domains/integrations';
import type { Workflow } from '@/domains/workflows';
import { WorkflowsService } from '@/domains/workflows';
import { type DraftSource, workflowDraft } from './engine/workflow-draft';
import { Suggestion } from './entities/suggestion.entity';
import { SUGGESTION_NOT_FOUND } from './suggestions.service';

/**
 * POST /api/suggestions/{id}/workflow: the suggestion becomes a draft workflow (inactive,
 * created through WorkflowsService — versioned and audited like any other) and is marked
 * applied, so the engine never suggests it again. Another user's suggestion is a 404.
 */
@Injectable()
export class SuggestionWorkflowService {
  constructor(
    @InjectRepository(Suggestion) private readonly suggestions: Repository<Suggestion>,
    private readonly workflows: WorkflowsService,
    private readonly integrations: IntegrationsService,
    private readonly events: EventBus,
  ) {}

  async createDraft(user: AuthUser, id: string, client: ClientInfo): Promise<Workflow> {
    const [source] = (await this.suggestions.query(
      `SELECT rule_id, trigger, reasoning, sample_code, suggested_connector, metadata FROM suggestions WHERE id = $1 AND user_id = $2`,
      [id, user.id],
    )) as DraftSource[];
    if (!source) throw new NotFoundException(SUGGESTION_NOT_FOUND);
    const integrationId = await this.integrationFor(user.id, source.suggested_connector);
    const workflow = await this.workflows.create(user, workflowDraft(source, integrationId), client);
    await this.suggestions.query('UPDATE suggestions SET is_applied = true, updated_at = now() WHERE id = $1 AND user_id = $2', [id, user.id]);
    await this.events.publish('user.lists.changed', { userId: user.id });
    return workflow;
  }

  /** The user's active personal integration of that connector, if any (the newest). */
  private async integrationFor(userId: string, serviceType: string | null): Promise<string | null> {
    if (!serviceType) return null;
    const views = await this.integrations.list(userId, null);
    return views.find((v) => v.serviceType === serviceType && v.integration.isActive)?.integration.id ?? null;
  }
}
