import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { UploadedFiles } from '@/domains/events';
import { AppConfig } from '@/platform/config/app-config';
import { EventBus } from '@/platform/event-bus/event-bus';
import { SafeHttpClient } from '@/platform/http/outbound/safe-http';
import { StepFailure } from '@/platform/http/outbound/step-failure';
import type { ValidationIssue } from '@/platform/http/pipes/validation.pipe';
import { ConfigSchemaValidator, type JsonSchema } from './config-schema';
import { isConnectorType } from './connector-types';
import { type ActionDefinition, type ConnectorDefinition, ProviderError, type ProviderTransport } from './connectors/connector';
import { CONNECTOR_DEFINITIONS } from './connectors/definitions';
import { OwnerFiles } from './connectors/files';
import { RecordingHttpClient } from './connectors/recording-http';
import { maskSecrets } from './dry-run-masking';
import { IntegrationGateway, type IntegrationActionRequest, type IntegrationStepCheck } from './integration-gateway';
import { IntegrationsRepository } from './integrations.repository';
import { IntegrationsService, type ResolvedIntegration } from './integrations.service';

const BACKOFF_BASE_MS = 1_000;
const TEMPLATE = /\{\{[^}]*\}\}/;

/** What POST /api/integrations/{id}/test found. */
export interface ConnectionTestResult {
  ok: boolean;
  message: string;
}

/**
 * Runs connector actions for workflow steps and connection tests, through the connectors'
 * definitions (connectors/*.ts). An integration is usable by a workflow of its owner
 * (personal) or of its organization; anything else reads as "not found". Provider
 * refusals are mapped once, here: credentials refused (401/403) → the integration needs
 * attention (status, last_error, an `integration.status.changed` event) and the step fails;
 * 429/5xx/dropped connections → retried with exponential backoff honouring Retry-After;
 * anything else fails the step with the provider's message. Secrets of the integration are
 * scrubbed from every message.
 */
@Injectable()
export class IntegrationActionsService extends IntegrationGateway {
  private readonly logger = new Logger(IntegrationActionsService.name);
  private readonly validator = new ConfigSchemaValidator();
  private readonly transport: ProviderTransport;

  constructor(
    private readonly integrations: IntegrationsService,
    private readonly repository: IntegrationsRepository,
    private readonly uploads: UploadedFiles,
    private readonly bus: EventBus,
    private readonly config: AppConfig,
    http: SafeHttpClient,
  ) {
    super();
    const c = config.integrations;
    this.transport = {
      http,
      timeoutMs: c.requestTimeoutMs,
      endpoints: {
        githubApiUrl: c.githubApiUrl,
        dropboxApiUrl: c.dropboxApiUrl,
        dropboxContentUrl: c.dropboxContentUrl,
        googleDriveUrl: c.googleDriveUrl,
        googleOAuthTokenUrl: c.googleOAuthTokenUrl,
      },
    };
  }

  /** Every connector's actions, for the catalogue (GET /api/integrations/connectors). */
  static actionsOf(serviceType: string): { name: string; description: string; params_schema: JsonSchema }[] {
    if (!isConnectorType(serviceType)) return [];
    return Object.entries(CONNECTOR_DEFINITIONS[serviceType].actions).map(([name, a]) => ({
      name,
      description: a.description,
      params_schema: a.params,
    }));
  }

  async execute(request: IntegrationActionRequest): Promise<unknown> {
    const integration = await this.usable(request);
    if (!integration) throw new StepFailure(`integration ${request.integrationId} not found`);
    if (!integration.isActive) throw new StepFailure(`integration ${request.integrationId} is inactive`);
    const definition = this.definitionOf(integration);
    const action = definition?.actions[request.action];
    if (!definition || !action) throw new StepFailure(unsupported(integration.serviceType, request.action));

    const params = structuredClone(request.params);
    const problems = this.checkParams(definition.type, request.action, action, params, integration.config, false);
    if (problems.length) throw new StepFailure(`invalid params: ${problems.map((p) => `${p.field}: ${p.msg}`).join('; ')}`);

    const scrub = scrubber(integration);
    if (request.dryRun) return this.dryRun(request, definition, action, integration, params, scrub);
    const max = this.config.integrations.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      try {
        const output = await action.run({
          config: integration.config,
          params,
          idempotencyKey: request.idempotencyKey,
          resumed: request.resumed ?? false,
          resumedFrom: request.resumedFrom,
          signal: request.signal,
          transport: this.transport,
          files: new OwnerFiles(this.uploads, request.userId, definition.provider),
        });
        await this.recordHealth(integration, { ok: true, used: true });
        return output;
      } catch (err) {
        if (request.signal.aborted) throw err;
        const failure = this.classify(err, definition, scrub);
        if (failure.kind === 'auth') {
          await this.recordHealth(integration, { ok: false, status: 'needs_attention', error: failure.message });
          throw new StepFailure(`${failure.message} (the integration needs attention: update its credentials, then test it)`);
        }
        if (failure.kind === 'retry' && attempt < max) {
          const wait = failure.retryAfterMs ?? BACKOFF_BASE_MS * 2 ** (attempt - 1);
          if (wait <= this.config.integrations.maxRetryWaitMs) {
            this.logger.warn(
              `${definition.provider} ${request.action}: attempt ${attempt}/${max} failed (${failure.message}); retrying in ${wait} ms`,
            );
            await sleep(wait, undefined, { signal: request.signal }).catch(() => undefined);
            if (request.signal.aborted) throw new StepFailure(failure.message);
            continue;
          }
        }
        if (failure.kind !== 'retry') await this.recordHealth(integration, { ok: false, status: null, error: failure.message });
        const tries = failure.kind === 'retry' ? ` (after ${attempt} attempt${attempt === 1 ? '' : 's'})` : '';
        throw new StepFailure(`${failure.message}${tries}`);
      }
    }
  }

  /**
   * A dry run of the action: it runs once against a recording transport (recording-http.ts)
   * — nothing reaches the provider, the integration's health is not touched — and answers
   * the requests it would have made, with the integration's secrets and secret-looking
   * headers masked. A refusal the action makes itself (bad params) still fails the step.
   */
  private async dryRun(
    request: IntegrationActionRequest,
    definition: ConnectorDefinition,
    action: ActionDefinition,
    integration: ResolvedIntegration,
    params: Record<string, unknown>,
    scrub: (s: string) => string,
  ): Promise<unknown> {
    const recorder = new RecordingHttpClient(definition.dryRunAnswer ? (r) => definition.dryRunAnswer!(r) : undefined);
    let output: unknown;
    try {
      output = await action.run({
        config: integration.config,
        params,
        idempotencyKey: request.idempotencyKey,
        resumed: false,
        signal: request.signal,
        transport: { ...this.transport, http: recorder, dryRun: recorder },
        files: new OwnerFiles(this.uploads, request.userId, definition.provider),
      });
    } catch (err) {
      if (request.signal.aborted) throw err;
      throw new StepFailure(`${this.classify(err, definition, scrub).message} (dry run)`);
    }
    return {
      dry_run: true,
      requests: maskSecrets(recorder.records, scrub),
      would_output: maskSecrets(output ?? null, scrub),
    };
  }

  /**
   * Problems of integration steps, for workflow create/update (422 before anything runs):
   * the integration must exist and be usable by the workflow, the action must be one of
   * its connector's, and the params must match the action's schema — templated values
   * (`{{…}}`) are judged only when the step runs.
   */
  async checkSteps(steps: IntegrationStepCheck[]): Promise<ValidationIssue[]> {
    const issues: ValidationIssue[] = [];
    for (const step of steps) {
      const at = (field: string) => [...step.loc, ...field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))];
      const integration = await this.usable(step);
      if (!integration) {
        issues.push({ loc: at('integration_id'), msg: `${step.label}: integration ${step.integrationId} not found`, type: 'value_error' });
        continue;
      }
      const definition = this.definitionOf(integration);
      const action = definition?.actions[step.action];
      if (!definition || !action) {
        issues.push({ loc: at('action'), msg: `${step.label}: ${unsupported(integration.serviceType, step.action)}`, type: 'value_error' });
        continue;
      }
      const params = structuredClone(step.params);
      for (const p of this.checkParams(definition.type, step.action, action, params, integration.config, true)) {
        issues.push({ loc: at(p.field), msg: `${step.label}: ${p.field}: ${p.msg}`, type: p.type });
      }
    }
    return issues;
  }

  /**
   * The connector's cheapest authenticated call; records `last_sync_at` on success,
   * `last_error` (and `needs_attention` when the credentials were refused) otherwise.
   */
  async test(integrationId: string): Promise<ConnectionTestResult> {
    const integration = await this.integrations.resolveForUse(integrationId);
    const definition = this.definitionOf(integration);
    if (!definition) return { ok: false, message: `no connector for service type ${integration.serviceType}` };
    const scrub = scrubber(integration);
    const signal = AbortSignal.timeout(this.transport.timeoutMs);
    try {
      const proved = await definition.test({ config: integration.config, signal, transport: this.transport });
      await this.recordHealth(integration, { ok: true, used: false });
      return { ok: true, message: scrub(`${definition.provider}: ${proved}`) };
    } catch (err) {
      const failure = this.classify(err, definition, scrub);
      await this.recordHealth(integration, {
        ok: false,
        status: failure.kind === 'auth' ? 'needs_attention' : null,
        error: failure.message,
      });
      return { ok: false, message: failure.message };
    }
  }

  private async usable(request: {
    integrationId: string;
    userId: string;
    organizationId: string | null;
  }): Promise<ResolvedIntegration | null> {
    const integration = await this.integrations.resolveForUse(request.integrationId).catch((err: unknown) => {
      if (err instanceof NotFoundException) return null;
      throw err;
    });
    const usable =
      integration &&
      (integration.organizationId
        ? integration.organizationId === request.organizationId
        : integration.userId === request.userId && !request.organizationId);
    return usable ? integration : null;
  }

  private definitionOf(integration: ResolvedIntegration): ConnectorDefinition | null {
    return isConnectorType(integration.serviceType) ? CONNECTOR_DEFINITIONS[integration.serviceType] : null;
  }

  /** Schema problems (defaults filled into `params`) and the action's own checks against the config. */
  private checkParams(
    type: string,
    name: string,
    action: ActionDefinition,
    params: Record<string, unknown>,
    config: Record<string, unknown>,
    tolerateTemplates: boolean,
  ): { field: string; msg: string; type: string }[] {
    const issues = this.validator
      .validate(`${type}.${name}`, action.params, params, ['params'])
      .filter((i) => !(tolerateTemplates && isTemplated(valueAt(params, i.loc.slice(1)))));
    const out = issues.map((i) => ({ field: i.loc.join('.'), msg: i.msg, type: i.type }));
    if (!out.length && action.check) {
      for (const p of action.check(params, config)) {
        if (tolerateTemplates && isTemplated(valueAt(params, p.field.split('.')))) continue;
        out.push({ field: `params.${p.field}`, msg: p.msg, type: 'value_error' });
      }
    }
    return out;
  }

  private classify(err: unknown, definition: ConnectorDefinition, scrub: (s: string) => string): ProviderError {
    if (err instanceof ProviderError) {
      return new ProviderError(err.provider, err.kind, scrub(err.message), err.retryAfterMs, err.status);
    }
    const e = err as Error;
    if (e?.name === 'SsrfError') return new ProviderError(definition.provider, 'fail', scrub(`${definition.provider}: ${e.message}`));
    this.logger.error(`${definition.provider}: unexpected failure: ${scrub(e?.stack ?? String(err))}`);
    return new ProviderError(definition.provider, 'retry', scrub(`${definition.provider}: ${e?.message ?? 'failed'}`));
  }

  private async recordHealth(
    integration: ResolvedIntegration,
    verdict: { ok: true; used: boolean } | { ok: false; status: 'needs_attention' | null; error: string },
  ): Promise<void> {
    try {
      const changed = await this.repository.recordHealth(integration.id, verdict);
      if (!changed) return;
      await this.bus.publish('integration.status.changed', {
        id: changed.id,
        ownerId: changed.userId,
        organizationId: changed.organizationId,
        status: changed.status,
        lastError: changed.lastError,
        lastSyncAt: changed.lastSyncAt ? changed.lastSyncAt.toISOString() : null,
      });
    } catch (err) {
      this.logger.warn(`could not record the health of integration ${integration.id}: ${(err as Error).message}`);
    }
  }
}

function unsupported(serviceType: string | null, action: string): string {
  const supported = isConnectorType(serviceType) ? Object.keys(CONNECTOR_DEFINITIONS[serviceType].actions) : [];
  return `action "${action}" is not supported for ${serviceType ?? 'unknown'} integrations (supported: ${supported.join(', ') || 'none'})`;
}

/** The parts of a JSON secret (a service-account key file) that are secret themselves; its emails and URIs are not. */
const SECRET_PART = /private_key|secret|refresh_token|access_token|password/i;

/** Replaces every secret value of the integration (and the secret parts of a key file) in a message with "••••". */
function scrubber(integration: ResolvedIntegration): (s: string) => string {
  const secrets: string[] = [];
  const addParts = (object: Record<string, unknown>) => {
    for (const [key, part] of Object.entries(object))
      if (SECRET_PART.test(key) && typeof part === 'string' && part.length >= 8) secrets.push(part);
  };
  for (const name of integration.secretFields) {
    const value = integration.config[name];
    const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
    if (text.length >= 4) secrets.push(text);
    if (value && typeof value === 'object') addParts(value as Record<string, unknown>);
    if (typeof value === 'string' && value.trim().startsWith('{')) {
      try {
        addParts(JSON.parse(value) as Record<string, unknown>);
      } catch {
        // not JSON: the whole value is scrubbed above
      }
    }
  }
  secrets.sort((a, b) => b.length - a.length);
  return (s: string) => secrets.reduce((out, secret) => out.split(secret).join('••••'), s);
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && TEMPLATE.test(value);
}
