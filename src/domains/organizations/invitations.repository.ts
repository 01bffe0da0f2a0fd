import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, MoreThan, Repository } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { OrganizationInvitation } from './entities/organization-invitation.entity';
import type { OrgRole } from './entities/organization-member.entity';

/** Still open: neither accepted, declined nor revoked (expiry is checked separately). */
const OPEN = { acceptedAt: IsNull(), declinedAt: IsNull(), revokedAt: IsNull() } as const;

/** The columns of a new invitation (email normalised, token as its SHA-256). */
export interface NewInvitationRow {
  organizationId: string;
  email: string;
  role: OrgRole;
  tokenHash: string;
  invitedBy: string;
  expiresAt: Date;
}

/** Statements on the organization_invitations table. */
@Injectable()
export class InvitationsRepository {
  constructor(
    @InjectRepository(OrganizationInvitation) private readonly invitations: Repository<OrganizationInvitation>,
    private readonly sql: Sql,
  ) {}

  /** Revokes the open invitation of this address to the organization, if any; how many rows that touched. */
  async revokeOpenTo(organizationId: string, email: string, tx: EntityManager): Promise<number> {
    const replaced = await tx.update(OrganizationInvitation, { organizationId, email, ...OPEN }, { revokedAt: new Date() });
    return replaced.affected ?? 0;
  }

  insert(values: NewInvitationRow, tx: EntityManager): Promise<OrganizationInvitation> {
    return tx.save(tx.create(OrganizationInvitation, values));
  }

  /** The organization's open, unexpired invitations, newest first. */
  listPendingOf(organizationId: string): Promise<OrganizationInvitation[]> {
    return this.invitations.find({
      where: { organizationId, ...OPEN, expiresAt: MoreThan(new Date()) },
      order: { createdAt: 'DESC' },
    });
  }

  /** The open, unexpired invitations to this address, with their organizations, newest first. */
  listPendingTo(email: string): Promise<OrganizationInvitation[]> {
    return this.invitations.find({
      where: { email, ...OPEN, expiresAt: MoreThan(new Date()) },
      relations: { organization: true },
      order: { createdAt: 'DESC' },
    });
  }

  /**
   * An open invitation (expired ones included), its row locked (FOR UPDATE) until `tx`
   * ends: by token hash, by id and address, or by id and organization.
   */
  findOpenForUpdate(
    which: { tokenHash: string } | { id: string; email: string } | { id: string; organizationId: string },
    tx: EntityManager,
  ): Promise<OrganizationInvitation | null> {
    return tx.findOne(OrganizationInvitation, { where: { ...which, ...OPEN }, lock: { mode: 'pessimistic_write' } });
  }

  async markRevoked(id: string, tx: EntityManager): Promise<void> {
    await tx.update(OrganizationInvitation, { id }, { revokedAt: new Date() });
  }

  async markAccepted(id: string, userId: string, tx: EntityManager): Promise<void> {
    await tx.update(OrganizationInvitation, { id }, { acceptedAt: new Date(), acceptedBy: userId });
  }

  async markDeclined(id: string, tx: EntityManager): Promise<void> {
    await tx.update(OrganizationInvitation, { id }, { declinedAt: new Date() });
  }

  /** Deletes the invitations addressed to the user's email (an erasure; those they sent stay). */
  async deleteAddressedTo(userId: string, tx: EntityManager): Promise<void> {
    await this.sql.run('DELETE FROM organization_invitations WHERE email = (SELECT lower(email) FROM users WHERE id = $1)', [userId], tx);
  }
}
