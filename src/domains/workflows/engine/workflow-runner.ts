import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { RealtimeService } from '@/platform/realtime/realtime.service';
import type { DelayStep, HttpStep, IntegrationStep, LogStep, NotifyStep, WorkflowStep } from '../steps/step.types';
import { renderDeep, renderString, type TemplateContext } from '../steps/templating';
import { createHash } from 'node:crypto';
import { bounded, boundedError, completedSteps, interruptedSteps, type StepLogEntry } from './execution-log';
import { IntegrationGateway } from '@/domains/integrations';
import { cleanHeaders, encodeBody, SafeHttpClient } from '@/platform/http/outbound/safe-http';
import { maskSecretHeaders } from '@/platform/http/outbound/secret-headers';
import { StepFailure } from '@/platform/http/outbound/step-failure';

export interface RunInput {
  executionId: string;
  workflowId: string;
  ownerId: string;
  organizationId: string | null;
  steps: WorkflowStep[];
  trigger: unknown;
  /** Log of an earlier, interrupted attempt: completed steps are not run again. */
  previousLog: StepLogEntry[];
  signal: AbortSignal;
  /**
   * Delay steps at least this long are not slept through: the run stops there and says when
   * to resume (the worker parks the execution, with no slot and no worker). Absent: sleep.
   */
  parkDelaysFromMs?: number;
  /**
   * Dry run: templating is resolved but nothing is sent — http steps record the request they
   * would make (secret-looking headers masked), integration steps the provider requests,
   * delays do not wait, notify pushes nothing; log steps behave as usual.
   */
  dryRun?: boolean;
}

export interface RunHooks {
  /** Persist the entry before the next step starts (a crash loses at most one step). */
  onStep(entry: StepLogEntry): Promise<void>;
}

export type RunResult =
  | { status: 'completed' }
  | { status: 'failed'; error: string }
  /** stopped at a long delay step: resume the run at `resumeAt` (the step counts as done then) */
  | { status: 'parked'; stepId: string; startedAt: string; resumeAt: Date };

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 5_000;

/** Runs a workflow's steps in order, with retries, continue_on_error and templating. */
@Injectable()
export class WorkflowRunner {
  constructor(
    private readonly http: SafeHttpClient,
    private readonly realtime: RealtimeService,
    private readonly integrations: IntegrationGateway,
  ) {}

  async run(input: RunInput, hooks: RunHooks): Promise<RunResult> {
    const done = completedSteps(input.previousLog);
    const interrupted = interruptedSteps(input.previousLog);
    const ctx: TemplateContext = { trigger: input.trigger ?? {}, steps: {} };
    for (const [id, entry] of done) ctx.steps[id] = { output: entry.output };
    for (const step of input.steps) {
      if (done.has(step.id)) continue;
      if (input.signal.aborted) return { status: 'failed', error: abortReason(input.signal) };
      if (step.type === 'delay' && !input.dryRun && input.parkDelaysFromMs !== undefined && step.ms >= input.parkDelaysFromMs) {
        return { status: 'parked', stepId: step.id, startedAt: new Date().toISOString(), resumeAt: new Date(Date.now() + step.ms) };
      }
      if (step.type === 'integration') {
        const startedAt = new Date().toISOString();
        await hooks.onStep({
          step_id: step.id,
          type: step.type,
          status: 'started',
          attempts: 0,
          started_at: startedAt,
          finished_at: startedAt,
        });
      }
      const entry = await this.runStep(step, input, ctx, interrupted.get(step.id));
      await hooks.onStep(entry);
      ctx.steps[step.id] = { output: entry.output };
      if (entry.status === 'failed' && !step.continue_on_error) {
        return { status: 'failed', error: `Step "${step.id}" failed: ${entry.error}` };
      }
    }
    return { status: 'completed' };
  }

  private async runStep(step: WorkflowStep, input: RunInput, ctx: TemplateContext, resumedFrom?: string): Promise<StepLogEntry> {
    const startedAt = new Date().toISOString();
    let attempts = 0;
    let lastError = '';
    let lastOutput: unknown;
    while (attempts <= step.retries) {
      attempts++;
      try {
        const output = await this.execute(step, input, ctx, resumedFrom);
        return {
          step_id: step.id,
          type: step.type,
          status: 'completed',
          attempts,
          started_at: startedAt,
          finished_at: new Date().toISOString(),
          output: bounded(output),
        };
      } catch (err) {
        lastError = input.signal.aborted ? abortReason(input.signal) : (err as Error).message;
        lastOutput = err instanceof StepFailure ? err.output : undefined;
        if (input.signal.aborted || attempts > step.retries) break;
        await sleep(Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS), undefined, { signal: input.signal }).catch(
          () => undefined,
        );
      }
    }
    return {
      step_id: step.id,
      type: step.type,
      status: 'failed',
      attempts,
      started_at: startedAt,
      finished_at: new Date().toISOString(),
      ...(lastOutput !== undefined ? { output: bounded(lastOutput) } : {}),
      error: boundedError(lastError),
    };
  }

  private execute(step: WorkflowStep, input: RunInput, ctx: TemplateContext, resumedFrom?: string): Promise<unknown> {
    switch (step.type) {
      case 'http':
        return this.callHttp(step, input, ctx);
      case 'delay':
        return this.delay(step, input);
      case 'notify':
        return this.notify(step, input, ctx);
      case 'integration':
        return this.integration(step, input, ctx, resumedFrom);
      case 'log':
        return Promise.resolve(this.log(step, ctx));
    }
  }

  /** The rendered message goes to the execution log (this step's output); it cannot fail. */
  private log(step: LogStep, ctx: TemplateContext): unknown {
    return { level: step.level, message: renderString(step.message, ctx) };
  }

  private async callHttp(step: HttpStep, input: RunInput, ctx: TemplateContext): Promise<unknown> {
    const call = {
      method: step.method,
      url: renderString(step.url, ctx),
      headers: step.headers ? renderDeep(step.headers, ctx) : undefined,
      body: step.body !== undefined ? renderDeep(step.body, ctx) : undefined,
      timeoutMs: step.timeout_ms,
      signal: input.signal,
    };
    if (input.dryRun) return { dry_run: true, request: dryRunRequest(call) };
    const res = await this.http.call(call);
    const output = { status: res.status, headers: res.headers, body: res.body, ...(res.truncated ? { truncated: true } : {}) };
    if (res.status >= 400) throw new StepFailure(`HTTP ${res.status}`, output);
    return output;
  }

  private async delay(step: DelayStep, input: RunInput): Promise<unknown> {
    if (input.dryRun) return { dry_run: true, would_wait_ms: step.ms };
    await sleep(step.ms, undefined, { signal: input.signal });
    return { waited_ms: step.ms };
  }

  private async notify(step: NotifyStep, input: RunInput, ctx: TemplateContext): Promise<unknown> {
    const message = renderString(step.message, ctx);
    const payload = { message, workflow_id: input.workflowId, execution_id: input.executionId };
    if (step.target === 'org') {
      if (!input.organizationId) throw new StepFailure('target "org" needs a workflow that belongs to an organization');
      if (input.dryRun) return { dry_run: true, would_deliver_to: step.target, notification: payload };
      this.realtime.toOrg(input.organizationId, 'notification', payload);
    } else {
      if (input.dryRun) return { dry_run: true, would_deliver_to: step.target, notification: payload };
      this.realtime.toUser(input.ownerId, 'notification', payload);
    }
    return { delivered_to: step.target, message };
  }

  /**
   * The action runs with a key stable for this step of this execution (retries and
   * takeovers included) and, after an interrupted attempt, `resumed` so the connector
   * looks at the provider before acting again.
   */
  private integration(step: IntegrationStep, input: RunInput, ctx: TemplateContext, resumedFrom?: string): Promise<unknown> {
    return this.integrations.execute({
      userId: input.ownerId,
      organizationId: input.organizationId,
      integrationId: step.integration_id,
      action: step.action,
      params: renderDeep(step.params ?? {}, ctx),
      idempotencyKey: createHash('sha256').update(`${input.executionId}:${step.id}`).digest('hex').slice(0, 32),
      resumed: resumedFrom !== undefined,
      resumedFrom,
      dryRun: input.dryRun === true,
      signal: input.signal,
    });
  }
}

/**
 * The request an http step would make, as SafeHttpClient would send it (the same header
 * clean-up and body encoding): `{method, url, headers, body}`, secret-looking headers
 * masked. A JSON body is recorded as the value sent, text as it is.
 */
function dryRunRequest(call: { method: string; url: string; headers?: Record<string, string>; body?: unknown }): unknown {
  const encoded = encodeBody(call.body);
  const headers = maskSecretHeaders(cleanHeaders(call.headers, encoded));
  let body: unknown;
  if (encoded) body = encoded.json ? (JSON.parse(encoded.payload as string) as unknown) : encoded.payload;
  return { method: call.method, url: new URL(call.url).toString(), headers, ...(body !== undefined ? { body } : {}) };
}

function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as Error | undefined;
  return reason?.name === 'TimeoutError' ? 'execution timed out' : `execution aborted${reason?.message ? `: ${reason.message}` : ''}`;
}
