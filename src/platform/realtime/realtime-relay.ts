import { Injectable } from '@nestjs/common';
import type { DomainEvents } from '@/platform/event-bus/domain-events';
import { OnDomainEvent } from '@/platform/event-bus/event-bus';
import { RealtimeService } from './realtime.service';

/** A batch touching many extensions reports at most this many pattern updates. */
const MAX_PATTERN_UPDATES = 50;

/**
 * Turns domain events into socket pushes and room changes, in whichever process they
 * happen (API or worker): domains announce what happened, this decides who hears it.
 */
@Injectable()
export class RealtimeRelay {
  constructor(private readonly realtime: RealtimeService) {}

  @OnDomainEvent('organization.membership.changed')
  onMembership({ organizationId, userIds, change }: DomainEvents['organization.membership.changed']): void {
    if (change === 'role_changed') return;
    for (const userId of userIds) {
      if (change === 'joined') this.realtime.joinOrg(userId, organizationId);
      else this.realtime.leaveOrg(userId, organizationId);
    }
  }

  /** Live dashboards: one event, or the size of a batch, and the patterns it moved. */
  @OnDomainEvent('activity.ingested')
  onIngested({ userId, events, patterns }: DomainEvents['activity.ingested']): void {
    if (events.length === 1) this.realtime.toUser(userId, 'event.created', events[0]);
    else this.realtime.toUser(userId, 'events.batch_created', { count: events.length });
    for (const p of patterns.slice(0, MAX_PATTERN_UPDATES)) this.realtime.toUser(userId, 'pattern.updated', p);
  }

  @OnDomainEvent('workflow.execution.changed')
  onExecution(e: DomainEvents['workflow.execution.changed']): void {
    const payload = { id: e.id, workflow_id: e.workflowId, status: e.status, step: e.step };
    this.realtime.toUser(e.ownerId, 'workflow.execution.updated', payload);
    if (e.organizationId) this.realtime.toOrg(e.organizationId, 'workflow.execution.updated', payload);
  }

  /** The owner hears of it (and the organization, for an organization's integration). */
  @OnDomainEvent('integration.status.changed')
  onIntegration(e: DomainEvents['integration.status.changed']): void {
    const payload = { id: e.id, status: e.status, last_error: e.lastError, last_sync_at: e.lastSyncAt };
    this.realtime.toUser(e.ownerId, 'integration.updated', payload);
    if (e.organizationId) this.realtime.toOrg(e.organizationId, 'integration.updated', payload);
  }
}
