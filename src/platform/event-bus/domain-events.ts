/**
 * The domain events: what happened in one domain that others react to (caches, realtime
 * pushes, analysis scheduling, permission caches). One typed map, so publishers and
 * listeners cannot disagree on a name or a payload. Published in-process through the
 * EventBus; listeners run before `publish` resolves.
 */
export interface DomainEvents {
  /** Users joined or left an organization, their role changed, or it was deleted. */
  'organization.membership.changed': {
    organizationId: string;
    userIds: string[];
    change: 'joined' | 'left' | 'role_changed' | 'deleted';
  };
  /** Activity events of a user were stored (single, batch or upload), with the extension patterns they moved. */
  'activity.ingested': {
    userId: string;
    events: {
      id: string;
      event_type: string;
      file_path: string | null;
      tool: string | null;
      operation: string | null;
      timestamp: string;
    }[];
    patterns: { id: string; file_extension: string; count: number }[];
    /** The earliest timestamp among them (null: none had one). */
    earliest: Date | null;
  };
  /** What a user's list pages show changed otherwise (suggestions, patterns, data deleted). */
  'user.lists.changed': { userId: string };
  /** A workflow execution's status (or its current step) changed. */
  'workflow.execution.changed': {
    id: string;
    workflowId: string;
    ownerId: string;
    organizationId: string | null;
    status: string;
    step: { id: string; status: string } | null;
  };
  /** A workflow was created, changed (content, trigger, active state) or deleted. */
  'workflow.changed': { workflowId: string; userId: string; organizationId: string | null };
  /** An integration's health changed: a provider refused its credentials, or a test or action succeeded again. */
  'integration.status.changed': {
    id: string;
    ownerId: string;
    organizationId: string | null;
    status: string;
    lastError: string | null;
    lastSyncAt: string | null;
  };
}

export type DomainEventName = keyof DomainEvents;
