import { Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { isUniqueViolation } from '@/platform/database/pg-errors';
import { Transactions } from '@/platform/database/transactions';
import { EventBus } from '@/platform/event-bus/event-bus';
import { ORGANIZATION_NOT_FOUND } from './access/org-access.service';
import type { CreateOrganizationDto, UpdateOrganizationDto } from './dto/organization.dto';
import type { OrgRole } from './entities/organization-member.entity';
import type { Organization } from './entities/organization.entity';
import { MembersRepository } from './members.repository';
import { OrganizationsRepository } from './organizations.repository';
import { nextSlug, slugify } from './slug';

const SLUG_ATTEMPTS = 5;

/** Organization use cases. Authorization happens before (RequireOrgPermission on the routes). */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly organizations: OrganizationsRepository,
    private readonly members: MembersRepository,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  /**
   * Creates the organization with the caller as owner. The slug comes from the name
   * (`acme`, `acme-1`, …): creations of the same base slug serialise on a transaction
   * advisory lock, and the unique index plus a retry covers the rest (e.g. "Acme 1" racing
   * the second "Acme" for `acme-1`).
   */
  async create(dto: CreateOrganizationDto, actor: AuditContext & { actorId: string }): Promise<Organization> {
    const base = slugify(dto.name);
    for (let attempt = 1; ; attempt++) {
      try {
        const org = await this.transactions.run(async (tx) => {
          await this.organizations.lockSlug(base, tx);
          const created = await this.organizations.insert(
            {
              name: dto.name.trim(),
              slug: await this.freeSlug(tx, base),
              description: dto.description ?? null,
            },
            tx,
          );
          await this.members.insertOwner(created.id, actor.actorId, tx);
          await this.audit.record(tx, {
            ...actor,
            organizationId: created.id,
            action: 'create',
            resourceType: 'organization',
            resourceId: created.id,
            details: { name: created.name, slug: created.slug },
          });
          return created;
        });
        await this.events.publish('organization.membership.changed', {
          organizationId: org.id,
          userIds: [actor.actorId],
          change: 'joined',
        });
        return org;
      } catch (err) {
        if (attempt < SLUG_ATTEMPTS && isUniqueViolation(err, 'uq_organizations_slug')) continue;
        throw err;
      }
    }
  }

  private async freeSlug(tx: EntityManager, base: string): Promise<string> {
    return nextSlug(base, await this.organizations.slugsLike(base, tx));
  }

  /** The caller's organizations with their role, oldest membership first. */
  async listFor(userId: string): Promise<{ organization: Organization; role: OrgRole }[]> {
    const memberships = await this.members.listWithOrganizationsFor(userId);
    return memberships.map((m) => ({ organization: m.organization!, role: m.role }));
  }

  async get(id: string): Promise<Organization> {
    const org = await this.organizations.findById(id);
    if (!org) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
    return org;
  }

  /** Name and description only; the slug stays (links keep working after a rename). */
  async update(id: string, dto: UpdateOrganizationDto, actor: AuditContext): Promise<Organization> {
    return this.transactions.run(async (tx) => {
      const org = await this.organizations.findForUpdate(id, tx);
      if (!org) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
      const before = { name: org.name, description: org.description };
      if (dto.name !== undefined) org.name = dto.name.trim();
      if (dto.description !== undefined) org.description = dto.description;
      const saved = await this.organizations.save(org, tx);
      await this.audit.record(tx, {
        ...actor,
        organizationId: id,
        action: 'update',
        resourceType: 'organization',
        resourceId: id,
        details: { before, after: { name: saved.name, description: saved.description } },
      });
      return saved;
    });
  }

  /** Deletes the organization with its memberships and org-owned resources (FK cascade). */
  async remove(id: string, actor: AuditContext): Promise<void> {
    const memberIds = await this.transactions.run(async (tx) => {
      const org = await this.organizations.findForUpdate(id, tx);
      if (!org) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
      const memberIds = await this.members.userIdsOf(id, tx);
      // The audit row keeps the id and name; its organization_id is nulled by the FK once the org is gone.
      await this.audit.record(tx, {
        ...actor,
        organizationId: id,
        action: 'delete',
        resourceType: 'organization',
        resourceId: id,
        details: { name: org.name, slug: org.slug, member_count: memberIds.length },
      });
      await this.organizations.delete(id, tx);
      return memberIds;
    });
    await this.events.publish('organization.membership.changed', { organizationId: id, userIds: memberIds, change: 'deleted' });
  }
}
