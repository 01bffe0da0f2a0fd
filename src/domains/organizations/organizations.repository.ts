import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { advisoryLockKey } from '@/platform/database/advisory-lock';
import { Sql } from '@/platform/database/sql';
import { Organization } from './entities/organization.entity';

/** Statements on the organizations table. */
@Injectable()
export class OrganizationsRepository {
  constructor(
    @InjectRepository(Organization) private readonly organizations: Repository<Organization>,
    private readonly sql: Sql,
  ) {}

  /** Serialises the creations of one base slug until `tx` ends (transaction advisory lock). */
  async lockSlug(base: string, tx: EntityManager): Promise<void> {
    await this.sql.run('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(`organization-slug:${base}`)], tx);
  }

  /** The slugs taken among `base` and `base-<n>`. */
  async slugsLike(base: string, tx: EntityManager): Promise<string[]> {
    const { rows } = await this.sql.run<{ slug: string }>(
      `SELECT slug FROM organizations WHERE slug = $1 OR slug ~ $2`,
      [base, `^${base}-[0-9]+$`],
      tx,
    );
    return rows.map((r) => r.slug);
  }

  insert(values: { name: string; slug: string; description: string | null }, tx: EntityManager): Promise<Organization> {
    return tx.save(tx.create(Organization, values));
  }

  findById(id: string): Promise<Organization | null> {
    return this.organizations.findOneBy({ id });
  }

  /** The organization, its row locked (FOR UPDATE) until `tx` ends; null when there is none. */
  findForUpdate(id: string, tx: EntityManager): Promise<Organization | null> {
    return tx.findOne(Organization, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  save(organization: Organization, tx: EntityManager): Promise<Organization> {
    return tx.save(organization);
  }

  /** Deletes the organization (its memberships, invitations and org-owned rows go by FK cascade). */
  async delete(id: string, tx: EntityManager): Promise<void> {
    await tx.delete(Organization, { id });
  }
}
