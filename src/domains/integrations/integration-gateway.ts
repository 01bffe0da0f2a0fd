/** A request to run one action of a user's (or their organization's) integration. */
export interface IntegrationActionRequest {
  userId: string;
  organizationId: string | null;
  integrationId: string;
  action: string;
  params: Record<string, unknown>;
  signal: AbortSignal;
}

/**
 * The port through which workflow steps run integration actions. The integrations domain
 * provides the implementation (it owns the connectors and the encrypted secrets).
 */
export abstract class IntegrationGateway {
  abstract execute(request: IntegrationActionRequest): Promise<unknown>;
}
