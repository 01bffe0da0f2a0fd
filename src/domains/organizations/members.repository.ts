import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { OrganizationMember, type OrgRole } from './entities/organization-member.entity';

/** One organization of an account being erased, locked, with what deciding its fate needs. */
export interface ErasureMembershipRow {
  id: string;
  name: string;
  slug: string;
  member_id: string;
  role: OrgRole;
  members: number;
  owners: number;
  /** The account's workflows and integrations that stay with the organization. */
  workflows: number;
  integrations: number;
}

/** Statements on the organization_members table. */
@Injectable()
export class MembersRepository {
  constructor(
    @InjectRepository(OrganizationMember) private readonly members: Repository<OrganizationMember>,
    private readonly sql: Sql,
  ) {}

  /** The organization's members, oldest first. */
  listOf(organizationId: string): Promise<OrganizationMember[]> {
    return this.members.find({ where: { organizationId }, order: { joinedAt: 'ASC' } });
  }

  /** The user's memberships with their organizations, oldest first. */
  listWithOrganizationsFor(userId: string): Promise<OrganizationMember[]> {
    return this.members.find({
      where: { userId },
      relations: { organization: true },
      order: { joinedAt: 'ASC' },
    });
  }

  /** Ids of the organization's members. */
  async userIdsOf(organizationId: string, tx: EntityManager): Promise<string[]> {
    const members = await tx.find(OrganizationMember, { where: { organizationId }, select: { userId: true } });
    return members.map((m) => m.userId);
  }

  find(organizationId: string, userId: string, tx: EntityManager): Promise<OrganizationMember | null> {
    return tx.findOneBy(OrganizationMember, { organizationId, userId });
  }

  exists(organizationId: string, userId: string, tx: EntityManager): Promise<boolean> {
    return tx.existsBy(OrganizationMember, { organizationId, userId });
  }

  countOwners(organizationId: string, tx: EntityManager): Promise<number> {
    return tx.count(OrganizationMember, { where: { organizationId, role: 'owner' } });
  }

  /** The creator of a new organization, its first owner. */
  async insertOwner(organizationId: string, userId: string, tx: EntityManager): Promise<void> {
    await tx.insert(OrganizationMember, { organizationId, userId, role: 'owner' });
  }

  insert(
    values: { organizationId: string; userId: string; role: OrgRole; invitedBy: string | null },
    tx: EntityManager,
  ): Promise<OrganizationMember> {
    return tx.save(tx.create(OrganizationMember, values));
  }

  save(member: OrganizationMember, tx: EntityManager): Promise<OrganizationMember> {
    return tx.save(member);
  }

  async delete(id: string, tx: EntityManager): Promise<void> {
    await tx.delete(OrganizationMember, { id });
  }

  /**
   * The organizations of an account being erased, each locked (FOR UPDATE), with its member
   * and owner counts and how many of the account's workflows and integrations it keeps.
   */
  async erasureMemberships(userId: string, tx: EntityManager): Promise<ErasureMembershipRow[]> {
    const { rows } = await this.sql.run<ErasureMembershipRow>(
      `SELECT o.id, o.name, o.slug, m.id AS member_id, m.role,
              (SELECT count(*)::int FROM organization_members x WHERE x.organization_id = o.id) AS members,
              (SELECT count(*)::int FROM organization_members x WHERE x.organization_id = o.id AND x.role = 'owner') AS owners,
              (SELECT count(*)::int FROM workflows w WHERE w.organization_id = o.id AND w.user_id = $1) AS workflows,
              (SELECT count(*)::int FROM user_integrations i WHERE i.organization_id = o.id AND i.user_id = $1) AS integrations
         FROM organizations o JOIN organization_members m ON m.organization_id = o.id AND m.user_id = $1
        ORDER BY o.id
          FOR UPDATE OF o`,
      [userId],
      tx,
    );
    return rows;
  }
}
