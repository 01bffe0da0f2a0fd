import { CONNECTOR_TYPES, isConnectorType } from '@/domains/integrations';
import type { CreateWorkflowDto } from '@/domains/workflows';
import { ruleById } from './catalogue';

/** A stored suggestion, as far as a workflow draft needs it. */
export interface DraftSource {
  rule_id: string | null;
  trigger: string;
  reasoning: string | null;
  sample_code: string | null;
  suggested_connector: string | null;
  metadata: { title?: string; cron?: string } | null;
}

const NAME_MAX = 255;
const DESCRIPTION_MAX = 5_000;
const MESSAGE_MAX = 2_000;

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * The draft workflow of a suggestion: inactive (nothing runs until the user activates it),
 * named after the suggestion, its reasoning and sample as the description, a `notify`
 * step for the trigger, an `integration` step when the user already has an active
 * integration of the suggested connector, and a cron schedule for scheduled routines.
 */
export function workflowDraft(s: DraftSource, integrationId: string | null): CreateWorkflowDto {
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
  if (rule?.workflowAction && integrationId) {
    steps.push({
      id: 'integration',
      type: 'integration',
      integration_id: integrationId,
      action: rule.workflowAction.action,
      params: rule.workflowAction.params,
    });
  }
  const cron = rule && !rule.connector ? s.metadata?.cron : undefined;
  return {
    name: cut(title, NAME_MAX),
    description: cut(description, DESCRIPTION_MAX),
    steps,
    schedule_config: cron ? { type: 'cron', cron, timezone: 'UTC' } : null,
    is_active: false,
  };
}
