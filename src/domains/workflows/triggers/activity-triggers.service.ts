import { Injectable, Logger } from '@nestjs/common';
import { FeatureFlagsService } from '@/domains/feature-flags';
import { Transactions } from '@/platform/database/transactions';
import type { DomainEvents } from '@/platform/event-bus/domain-events';
import { OnDomainEvent } from '@/platform/event-bus/event-bus';
import { ExecutionsRepository } from '../executions.repository';
import { ExecutionsService } from '../executions.service';
import { WorkflowsRepository } from '../workflows.repository';
import { type ActivityEvent, type ActivityTrigger, type CompiledMatch, compileMatch, triggerData } from './activity-trigger';

/** A user's triggers are read again after this long at the latest (another replica may have changed a workflow). */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX_USERS = 10_000;
const EXECUTION_FLAG = 'enable_workflow_execution';

interface Compiled {
  workflowId: string;
  perMinute: number;
  matches: CompiledMatch;
}

/** A user's triggers, bucketed by the event type they name (most do): an event is tested only against its bucket and the rest. */
interface UserTriggers {
  count: number;
  byEventType: Map<string, Compiled[]>;
  anyEventType: Compiled[];
}

const NONE: UserTriggers = { count: 0, byEventType: new Map(), anyEventType: [] };

/**
 * Activity triggers: every ingested event (single, batch, upload — the `activity.ingested`
 * domain event, after the commit) is matched against the active activity triggers that see
 * its user's events, and each match starts one run with the event as `{{trigger.*}}`.
 * Triggers are compiled once per user and cached (CACHE_TTL_MS; dropped at once on this
 * replica when a workflow changes), so a user without triggers costs one Map lookup per
 * ingest. Runs are recorded `pending` (one per workflow and event, capped per minute —
 * ExecutionsRepository.insertActivityRuns) and handed to the worker like manual ones; the
 * recovery sweep enqueues any whose job Redis did not take. The kill switch stops matching.
 */
@Injectable()
export class ActivityTriggersService {
  private readonly logger = new Logger(ActivityTriggersService.name);
  private readonly cache = new Map<string, { at: number; triggers: UserTriggers }>();

  constructor(
    private readonly workflows: WorkflowsRepository,
    private readonly executions: ExecutionsRepository,
    private readonly transactions: Transactions,
    private readonly flags: FeatureFlagsService,
    private readonly runs: ExecutionsService,
  ) {}

  @OnDomainEvent('workflow.changed')
  onWorkflowChanged(): void {
    // org workflows concern every member: forget them all (the next ingest of each user reloads)
    this.cache.clear();
  }

  @OnDomainEvent('activity.ingested')
  async onIngested({ userId, events }: DomainEvents['activity.ingested']): Promise<void> {
    try {
      const triggers = await this.triggersOf(userId);
      if (!triggers.count) return;
      const matched = new Map<Compiled, ActivityEvent[]>();
      const test = (t: Compiled, event: ActivityEvent) => {
        if (!t.matches(event)) return;
        const hits = matched.get(t);
        if (hits) hits.push(event);
        else matched.set(t, [event]);
      };
      for (const event of events) {
        for (const t of triggers.byEventType.get(event.event_type.toLowerCase()) ?? []) test(t, event);
        for (const t of triggers.anyEventType) test(t, event);
      }
      if (!matched.size) return;
      if (!(await this.flags.isEnabled(EXECUTION_FLAG, { userId }, { whenMissing: true }))) return;
      // one workflow at a time: each is a short transaction on one pool connection
      for (const [t, hits] of matched) await this.start(t, hits);
    } catch (err) {
      // ingest has answered already; a lost match is logged, never an ingest failure
      this.logger.error(`activity triggers of user ${userId} failed: ${(err as Error).message}`);
    }
  }

  private async start(t: Compiled, hits: ActivityEvent[]): Promise<void> {
    const { created, coalesced } = await this.transactions.run((tx) =>
      this.executions.insertActivityRuns(
        t.workflowId,
        t.perMinute,
        hits.map((e) => ({ id: e.id, data: triggerData(e) })),
        tx,
      ),
    );
    if (coalesced)
      this.logger.warn(`workflow ${t.workflowId}: ${coalesced} matching event(s) coalesced (max_runs_per_minute ${t.perMinute})`);
    // in parallel: a Redis outage costs the ingest one enqueue timeout at most, not one per run
    await Promise.all(created.map((id) => this.runs.enqueue(id)));
  }

  private async triggersOf(userId: string): Promise<UserTriggers> {
    const cached = this.cache.get(userId);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.triggers;
    const rows = await this.workflows.activityTriggersOf(userId);
    const triggers: UserTriggers = rows.length ? { count: rows.length, byEventType: new Map(), anyEventType: [] } : NONE;
    for (const r of rows) {
      const trigger = r.trigger as unknown as ActivityTrigger;
      const compiled = { workflowId: r.id, perMinute: trigger.max_runs_per_minute, matches: compileMatch(trigger.match) };
      const type = trigger.match.event_type?.toLowerCase();
      if (type === undefined) triggers.anyEventType.push(compiled);
      else if (triggers.byEventType.has(type)) triggers.byEventType.get(type)!.push(compiled);
      else triggers.byEventType.set(type, [compiled]);
    }
    if (this.cache.size >= CACHE_MAX_USERS) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(userId, { at: Date.now(), triggers });
    return triggers;
  }
}
