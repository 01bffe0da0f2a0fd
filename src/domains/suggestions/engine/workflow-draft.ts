import { parseStep } from '@/domains/patterns';
import { CONNECTOR_TYPES, isConnectorType } from '@/domains/integrations';
import type { CreateWorkflowDto } from '@/domains/workflows';
import { ruleById } from './catalogue';
import { fill, stepPlaceholders } from './render';

/** A stored suggestion, as far as a workflow draft needs it. */
export interface DraftSource {
  rule_id: string | null;
  trigger: string;
  reasoning: string | null;
  sample_code: string | null;
  suggested_connector: string | null;
  metadata: { title?: string; cron?: string; matched?: string[] } | null;
}

/** The user's integration the draft's step will use: its id and its plain (non-secret) config. */
export interface DraftIntegration {
  id: string;
  config: Record<string, unknown>;
}

const NAME_MAX = 255;
const DESCRIPTION_MAX = 5_000;
const MESSAGE_MAX = 2_000;

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * The draft workflow of a suggestion, named after it, its reasoning and sample as the
 * description, a `notify` step, and an `integration` step when the user already has an
 * active integration of the suggested connector — its params filled from the evidence, and
 * an email goes to the user when the integration names no recipients. Without the
 * integration the description says what to connect. What starts it:
 * - a routine that begins with an observable event (the rule's `triggerStep`): an activity
 *   trigger matching that event, and the draft is active — applying the suggestion is the
 *   user's yes, and the next such event runs it;
 * - a routine bound to a time of day: its cron schedule, inactive until the user turns it on.
 */
export function workflowDraft(s: DraftSource, integration: DraftIntegration | null, ownerEmail: string): CreateWorkflowDto {
  const integrationId = integration?.id ?? null;
  const rule = ruleById(s.rule_id);
  const title = s.metadata?.title ?? s.trigger;
  const connector = isConnectorType(s.suggested_connector) ? CONNECTOR_TYPES[s.suggested_connector] : s.suggested_connector;
  const connectHint =
    rule?.workflowAction && !integrationId
      ? `\n\nConnect a ${connector} integration, then add its "${rule.workflowAction.action}" step here.`
      : '';
  const description = [s.reasoning ?? '', connectHint.trim(), s.sample_code ? `Sample:\n${s.sample_code}` : '']
    .filter(Boolean)
    .join('\n\n');
  const steps: Record<string, unknown>[] = [{ id: 'notify', type: 'notify', message: cut(`Floyo: ${s.trigger} — ${title}`, MESSAGE_MAX) }];
  if (rule?.workflowAction && integration) {
    const params = fillDeep(rule.workflowAction.params, stepPlaceholders(s.metadata?.matched ?? [])) as Record<string, unknown>;
    const recipients = integration.config.to_addresses;
    if (rule.connector === 'email' && !(Array.isArray(recipients) && recipients.length)) params.to = [ownerEmail];
    steps.push({ id: 'integration', type: 'integration', integration_id: integration.id, action: rule.workflowAction.action, params });
  }
  const cron = rule && !rule.connector ? s.metadata?.cron : undefined;
  const triggerKey = rule?.triggerStep ? s.metadata?.matched?.[rule.triggerStep - 1] : undefined;
  return {
    name: cut(title, NAME_MAX),
    description: cut(description, DESCRIPTION_MAX),
    steps,
    schedule_config: cron ? { type: 'cron', cron, timezone: 'UTC' } : null,
    ...(triggerKey ? { trigger: activityTriggerOf(triggerKey) } : {}),
    is_active: !!triggerKey,
  };
}

/** The activity trigger that matches events of a step (`word:exported:.pdf`): its tool, operation and extension. */
export function activityTriggerOf(stepKey: string): Record<string, unknown> {
  const step = parseStep(stepKey);
  const match: Record<string, string> = { operation: step.action };
  if (step.subject !== 'file') match.tool = step.subject;
  if (step.ext) match.file_path = `**/*${step.ext}`;
  return { type: 'activity', match, max_runs_per_minute: 10 };
}

function fillDeep(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return fill(value, values);
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, values)]));
  return value;
}
