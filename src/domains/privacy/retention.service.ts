import { Injectable } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { Transactions } from '@/platform/database/transactions';
import { StorageService } from '@/platform/storage/storage.service';
import type { RetentionCleanupResponse } from './dto/privacy.dto';
import { RetentionRepository } from './retention.repository';

const DAY_MS = 86_400_000;
/** Stored files removed at once while cleaning up. */
const DELETE_CONCURRENCY = 8;

/**
 * POST /api/data/retention/cleanup: the caller's events older than `retention_days` go
 * in one statement (the counters follow in the same transaction), with the files of the
 * uploads among them — removed before the commit, so no event outlives its file nor the
 * other way round.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly transactions: Transactions,
    private readonly retention: RetentionRepository,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  async cleanup(userId: string, retentionDays: number, ctx: AuditContext): Promise<RetentionCleanupResponse> {
    const cutoff = new Date(Date.now() - retentionDays * DAY_MS);
    const deleted = await this.transactions.run(async (tx) => {
      const row = await this.retention.deleteEventsBefore(userId, cutoff, tx);
      for (let i = 0; i < row.keys.length; i += DELETE_CONCURRENCY) {
        await Promise.all(row.keys.slice(i, i + DELETE_CONCURRENCY).map((key) => this.storage.delete(key)));
      }
      await this.audit.record(tx, {
        ...ctx,
        action: 'retention_cleanup',
        resourceType: 'events',
        details: { retention_days: retentionDays, deleted_count: row.n, cutoff_date: cutoff.toISOString() },
      });
      return row.n;
    });
    if (deleted) await this.events.publish('user.lists.changed', { userId });
    return {
      message: `Deleted ${deleted} events older than ${retentionDays} days`,
      deleted_count: deleted,
      cutoff_date: cutoff.toISOString(),
    };
  }
}
