import type { ValidationIssue } from '@/platform/http/pipes/validation.pipe';

/** A request to run one action of a user's (or their organization's) integration. */
export interface IntegrationActionRequest {
  userId: string;
  organizationId: string | null;
  integrationId: string;
  action: string;
  /** Rendered (templates filled in). */
  params: Record<string, unknown>;
  /** Stable for one step of one execution (the provider's idempotency key, or a marker to find). */
  idempotencyKey: string;
  /** An earlier attempt of this step was interrupted mid-way (a worker died): look before acting again. */
  resumed?: boolean;
  /** When that attempt started (ISO). */
  resumedFrom?: string;
  /**
   * Dry run: the provider is not contacted. The action runs against a recording transport
   * and the step's output is the requests it would have made (secrets masked).
   */
  dryRun?: boolean;
  signal: AbortSignal;
}

/** An integration step of a workflow being created or updated, to check before it is stored. */
export interface IntegrationStepCheck {
  userId: string;
  organizationId: string | null;
  integrationId: string;
  action: string;
  /** As stored: templates not rendered. */
  params: Record<string, unknown>;
  /** Where the step is in the request body (`['body', 'steps', 2]`) and its label (`steps[2] "upload"`). */
  loc: (string | number)[];
  label: string;
}

/**
 * The port through which workflows run integration actions and check integration steps.
 * The integrations domain provides the implementation (it owns the connectors and the
 * encrypted secrets).
 */
export abstract class IntegrationGateway {
  abstract execute(request: IntegrationActionRequest): Promise<unknown>;
  abstract checkSteps(steps: IntegrationStepCheck[]): Promise<ValidationIssue[]>;
}
