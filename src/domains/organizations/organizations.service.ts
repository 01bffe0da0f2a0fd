import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditContext } from '@/domains/audit';
import { AuditService } from '@/domains/audit';
import { advisoryLockKey } from '@/platform/database/advisory-lock';
import { isUniqueViolation } from '@/platform/database/pg-errors';
import { EventBus } from '@/platform/event-bus/event-bus';
import { ORGANIZATION_NOT_FOUND } from './access/org-access.service';
import type { CreateOrganizationDto, UpdateOrganizationDto } from './dto/organization.dto';
import { OrganizationMember, type OrgRole } from './entities/organization-member.entity';
import { Organization } from './entities/organization.entity';
import { nextSlug, slugify } from './slug';

const SLUG_ATTEMPTS = 5;

/** Organization use cases. Authorization happens before (RequireOrgPermission on the routes). */
@Injectable()
export class OrganizationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
        const org = await this.dataSource.transaction(async (em) => {
          await em.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(`organization-slug:${base}`)]);
          const created = await em.save(
            em.create(Organization, {
              name: dto.name.trim(),
              slug: await this.freeSlug(em, base),
              description: dto.description ?? null,
            }),
          );
          await em.insert(OrganizationMember, { organizationId: created.id, userId: actor.actorId, role: 'owner' });
          await this.audit.record(em, {
            ...actor,
            organizationId: created.id,
            action: 'create',
            resourceType: 'organization',
            resourceId: created.id,
            details: { name: created.name, slug: created.slug },
          });
          return created;
        });
        await this.events.publish('organization.membership.changed', { organizationId: org.id, userIds: [actor.actorId], change: 'joined' });
        return org;
      } catch (err) {
        if (attempt < SLUG_ATTEMPTS && isUniqueViolation(err, 'uq_organizations_slug')) continue;
        throw err;
      }
    }
  }

  private async freeSlug(em: EntityManager, base: string): Promise<string> {
    const rows = (await em.query(`SELECT slug FROM organizations WHERE slug = $1 OR slug ~ $2`, [
      base,
      `^${base}-[0-9]+$`,
    ])) as { slug: string }[];
    return nextSlug(
      base,
      rows.map((r) => r.slug),
    );
  }

  /** The caller's organizations with their role, oldest membership first. */
  async listFor(userId: string): Promise<{ organization: Organization; role: OrgRole }[]> {
    const memberships = await this.dataSource.manager.find(OrganizationMember, {
      where: { userId },
      relations: { organization: true },
      order: { joinedAt: 'ASC' },
    });
    return memberships.map((m) => ({ organization: m.organization!, role: m.role }));
  }

  async get(id: string): Promise<Organization> {
    const org = await this.dataSource.manager.findOneBy(Organization, { id });
    if (!org) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
    return org;
  }

  /** Name and description only; the slug stays (links keep working after a rename). */
  async update(id: string, dto: UpdateOrganizationDto, actor: AuditContext): Promise<Organization> {
    return this.dataSource.transaction(async (em) => {
      const org = await em.findOne(Organization, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!org) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
      const before = { name: org.name, description: org.description };
      if (dto.name !== undefined) org.name = dto.name.trim();
      if (dto.description !== undefined) org.description = dto.description;
      const saved = await em.save(org);
      await this.audit.record(em, {
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
    const memberIds = await this.dataSource.transaction(async (em) => {
      const org = await em.findOne(Organization, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!org) throw new NotFoundException(ORGANIZATION_NOT_FOUND);
      const members = await em.find(OrganizationMember, { where: { organizationId: id }, select: { userId: true } });
      // The audit row keeps the id and name; its organization_id is nulled by the FK once the org is gone.
      await this.audit.record(em, {
        ...actor,
        organizationId: id,
        action: 'delete',
        resourceType: 'organization',
        resourceId: id,
        details: { name: org.name, slug: org.slug, member_count: members.length },
      });
      await em.delete(Organization, { id });
      return members.map((m) => m.userId);
    });
    await this.events.publish('organization.membership.changed', { organizationId: id, userIds: memberIds, change: 'deleted' });
  }
}
