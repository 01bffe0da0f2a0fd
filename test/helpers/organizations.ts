import { randomUUID } from 'node:crypto';
import type { AuditLogResponse } from '../../src/domains/audit/dto/audit-log.dto';
import type { Test } from 'supertest';
import { TEST_DATABASE_URL } from '../setup/test-env';
import type { TestApp } from './app';
import { query } from './databases';
import { bearer, lastMailToken, registerAndLogin, type TestUser } from './users';

export type OrgRole = 'owner' | 'admin' | 'member' | 'viewer';

/** Registers `n` users in parallel. */
export function registerUsers(t: TestApp, n: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: n }, () => registerAndLogin(t)));
}

/** An organization with the given members, straight in the database (fast fixtures). */
export async function insertOrganization(members: { userId: string; role: OrgRole }[], name = 'Fixture org'): Promise<string> {
  const [org] = await query<{ id: string }>(TEST_DATABASE_URL, 'INSERT INTO organizations (name, slug) VALUES ($1, $2) RETURNING id', [
    name,
    `fixture-${randomUUID()}`,
  ]);
  await query(
    TEST_DATABASE_URL,
    `INSERT INTO organization_members (organization_id, user_id, role)
     SELECT $1, u, r FROM unnest($2::uuid[], $3::text[]) AS m(u, r)`,
    [org.id, members.map((m) => m.userId), members.map((m) => m.role)],
  );
  return org.id;
}

export async function makeSuperuser(userId: string, databaseUrl = TEST_DATABASE_URL): Promise<void> {
  await query(databaseUrl, 'UPDATE users SET is_superuser = true WHERE id = $1', [userId]);
}

export async function connectorId(serviceType: string): Promise<string> {
  const [row] = await query<{ id: string }>(TEST_DATABASE_URL, 'SELECT id FROM integration_connectors WHERE service_type = $1', [
    serviceType,
  ]);
  return row.id;
}

/** Audit rows matching the filter, oldest first. */
export function auditRows(where: { action?: string; resourceType?: string; resourceId?: string; userId?: string }) {
  return query<Omit<AuditLogResponse, 'id' | 'created_at'>>(
    TEST_DATABASE_URL,
    `SELECT * FROM audit_logs
      WHERE ($1::text IS NULL OR action = $1) AND ($2::text IS NULL OR resource_type = $2)
        AND ($3::text IS NULL OR resource_id = $3) AND ($4::uuid IS NULL OR user_id = $4)
      ORDER BY created_at, id`,
    [where.action ?? null, where.resourceType ?? null, where.resourceId ?? null, where.userId ?? null],
  );
}

/** Verifies a test user's email through the mailed link (invitations need a verified address). */
export async function verifyEmail(t: TestApp, user: TestUser): Promise<void> {
  await t
    .http()
    .get(`/api/auth/verify-email/${lastMailToken(t, user.email.toLowerCase(), 'verification')}`)
    .expect(200);
}

/** The token of the last invitation mailed to `email`. */
export const invitationToken = (t: TestApp, email: string) => lastMailToken(t, email.toLowerCase(), 'invitation');

/**
 * `inviter` invites `invitee` into the organization and the invitee accepts with the mailed
 * token (verifying their address first): the one way to join an organization.
 */
export async function inviteAndAccept(t: TestApp, inviter: TestUser, organizationId: string, invitee: TestUser, role: OrgRole = 'member') {
  await t
    .http()
    .post(`/api/organizations/${organizationId}/members`)
    .set(bearer(inviter.accessToken))
    .send({ email: invitee.email, role })
    .expect(201);
  const [{ email_verified: verified }] = await query<{ email_verified: boolean }>(
    TEST_DATABASE_URL,
    'SELECT email_verified FROM users WHERE id = $1',
    [invitee.id],
  );
  if (!verified) await verifyEmail(t, invitee);
  const res = await t
    .http()
    .post('/api/invitations/accept')
    .set(bearer(invitee.accessToken))
    .send({ token: invitationToken(t, invitee.email) })
    .expect(200);
  return res.body as { message: string; organization_id: string; role: OrgRole };
}

/** Requests as a user (bearer token, optionally a User-Agent). */
export function asUser(t: TestApp, user: { accessToken: string }, userAgent?: string) {
  const auth = (req: Test) => {
    req.set(bearer(user.accessToken));
    return userAgent ? req.set('User-Agent', userAgent) : req;
  };
  return {
    get: (url: string) => auth(t.http().get(url)),
    post: (url: string, body?: object) => auth(t.http().post(url)).send(body),
    put: (url: string, body?: object) => auth(t.http().put(url)).send(body),
    del: (url: string) => auth(t.http().delete(url)),
  };
}
