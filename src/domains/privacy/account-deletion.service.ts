import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@/platform/event-bus/event-bus';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { SessionsService } from '@/domains/auth';
import { MembersService } from '@/domains/organizations';
import { Transactions } from '@/platform/database/transactions';
import { StorageService, userUploadPrefix } from '@/platform/storage/storage.service';
import { ErasureRepository } from './erasure.repository';

/** What an erasure deletes and keeps lives with its statements (erasure.repository.ts); test/e2e/privacy.e2e-spec.ts reads it here. */
export { KEPT_ON_DELETION, USER_DATA_TABLES } from './erasure.repository';

/**
 * DELETE /api/data/delete (GDPR erasure) in ONE transaction: every row of the user's own
 * data, the account anonymised (no email, no name, no usable password, inactive), every
 * session revoked, the deletion audited, and the stored files removed before the commit
 * — if storage fails, nothing is committed and the call can simply be retried. What the
 * user made for organizations stays with them (the creator is now the anonymised account);
 * the account leaves each organization (audited there), an organization it was the only
 * member of goes with it, and the last owner of one with other members is refused (409)
 * until ownership is handed over.
 */
@Injectable()
export class AccountDeletionService {
  private readonly logger = new Logger(AccountDeletionService.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly erasure: ErasureRepository,
    private readonly sessions: SessionsService,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly members: MembersService,
  ) {}

  async deleteEverything(userId: string, ctx: AuditContext): Promise<Record<string, number>> {
    const deleted = await this.transactions.run(async (tx) => {
      // Serialise with a concurrent deletion of the same account.
      await this.erasure.lockUser(userId, tx);
      const organizations = await this.members.leaveAllForErasure(tx, userId, ctx);
      const counts: Record<string, number> = {
        organizations_left: organizations.left.length,
        organizations_deleted: organizations.deleted.length,
      };
      Object.assign(counts, await this.erasure.deleteUserData(userId, tx));
      counts.sessions_revoked = await this.sessions.revokeAll(userId, 'account_deleted', undefined, tx);
      await this.erasure.anonymiseUser(userId, tx);
      counts.files = await this.storage.deletePrefix(userUploadPrefix(userId));
      await this.audit.record(tx, {
        ...ctx,
        action: 'data_delete',
        resourceType: 'user',
        resourceId: userId,
        details: { deleted: counts },
      });
      return { counts, organizations };
    });
    await this.members.erased(userId, deleted.organizations);
    await this.events.publish('user.lists.changed', { userId });
    this.logger.log(`account ${userId} erased: ${JSON.stringify(deleted.counts)}`);
    return deleted.counts;
  }
}
