import { Injectable } from '@nestjs/common';
import { IntegrationGateway, type IntegrationActionRequest } from './integration-gateway';
import { SafeHttpClient } from '@/platform/http/outbound/safe-http';
import { StepFailure } from '@/platform/http/outbound/step-failure';
import { IntegrationsService, type ResolvedIntegration } from './integrations.service';

type Action = (integration: ResolvedIntegration, request: IntegrationActionRequest) => Promise<unknown>;

const ACTION_TIMEOUT_MS = 10_000;

/**
 * Runs integration actions for workflow steps. An integration is usable by a workflow of
 * its owner (personal) or of its organization; anything else reads as "not found".
 * Outbound calls go through the same SSRF-guarded client as HTTP steps.
 */
@Injectable()
export class IntegrationActionsService extends IntegrationGateway {
  private readonly actions: Record<string, Action> = {
    'slack.post_message': (integration, request) => this.slackPostMessage(integration, request),
  };

  constructor(
    private readonly integrations: IntegrationsService,
    private readonly http: SafeHttpClient,
  ) {
    super();
  }

  async execute(request: IntegrationActionRequest): Promise<unknown> {
    const integration = await this.integrations.resolveForUse(request.integrationId).catch(() => null);
    const usable =
      integration &&
      (integration.organizationId
        ? integration.organizationId === request.organizationId
        : integration.userId === request.userId && !request.organizationId);
    if (!integration || !usable) throw new StepFailure(`integration ${request.integrationId} not found`);
    if (!integration.isActive) throw new StepFailure(`integration ${request.integrationId} is inactive`);
    const key = `${integration.serviceType}.${request.action}`;
    const action = this.actions[key];
    if (!action) {
      throw new StepFailure(
        `action "${request.action}" is not supported for ${integration.serviceType} integrations (supported: ${Object.keys(this.actions).join(', ')})`,
      );
    }
    return action(integration, request);
  }

  /** Slack: `params.text` (or `message`) to the integration's incoming webhook. */
  private async slackPostMessage(integration: ResolvedIntegration, request: IntegrationActionRequest): Promise<unknown> {
    const text = request.params.text ?? request.params.message;
    if (typeof text !== 'string' || !text.trim()) throw new StepFailure('post_message needs params.text');
    const body: Record<string, unknown> = { text };
    const channel = request.params.channel ?? integration.config.channel;
    if (typeof channel === 'string' && channel) body.channel = channel;
    if (typeof integration.config.username === 'string') body.username = integration.config.username;
    const res = await this.http.call({
      method: 'POST',
      url: String(integration.config.webhook_url),
      body,
      timeoutMs: ACTION_TIMEOUT_MS,
      signal: request.signal,
    });
    const output = { status: res.status, body: res.body };
    if (res.status >= 400) throw new StepFailure(`Slack answered HTTP ${res.status}`, output);
    return output;
  }
}
