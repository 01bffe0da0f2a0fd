import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { OrganizationMember, type OrgRole } from '../entities/organization-member.entity';

/** The membership reads of authorization (every org-scoped request): organization_members. */
@Injectable()
export class OrgAccessRepository {
  constructor(@InjectRepository(OrganizationMember) private readonly members: Repository<OrganizationMember>) {}

  /** The user's role in the organization, or null when not a member (inside `tx` when given). */
  async roleOf(userId: string, organizationId: string, tx?: EntityManager): Promise<OrgRole | null> {
    const row = await (tx ?? this.members.manager).findOne(OrganizationMember, {
      where: { organizationId, userId },
      select: { role: true },
    });
    return row?.role ?? null;
  }

  /** Ids of every organization the user belongs to. */
  async organizationIdsOf(userId: string): Promise<string[]> {
    const rows = await this.members.find({ where: { userId }, select: { organizationId: true } });
    return rows.map((r) => r.organizationId);
  }
}
