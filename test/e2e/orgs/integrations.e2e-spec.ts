import { randomUUID } from 'node:crypto';
import { deriveKey } from '../../../src/platform/crypto/secret-box';
import { IntegrationsService } from '../../../src/domains/integrations/integrations.service';
import { createTestApp, type TestApp } from '../../helpers/app';
import { query } from '../../helpers/databases';
import { connectorId, insertOrganization, registerUsers } from '../../helpers/organizations';
import { bearer, type TestUser } from '../../helpers/users';
import { TEST_DATABASE_URL, TEST_ENV } from '../../setup/test-env';

const GITHUB_TOKEN = 'ghp_' + 'S3cr3tT0k3n'.repeat(3) + 'wxyz';
const rawRow = async (id: string) =>
  (
    await query<{ config: Record<string, unknown>; encrypted_secrets: Record<string, { kid: string }> }>(
      TEST_DATABASE_URL,
      'SELECT config, encrypted_secrets FROM user_integrations WHERE id = $1',
      [id],
    )
  )[0];

describe('integrations (/api/integrations)', () => {
  let t: TestApp;
  let ada: TestUser;
  let bob: TestUser;
  let github: string;
  let slack: string;
  let email: string;
  beforeAll(async () => {
    t = await createTestApp();
    [ada, bob] = await registerUsers(t, 2);
    [github, slack, email] = await Promise.all(['github', 'slack', 'email'].map(connectorId));
  });
  afterAll(() => t.close());

  const create = (u: TestUser, body: Record<string, unknown>) => t.http().post('/api/integrations').set(bearer(u.accessToken)).send(body);
  const createGithub = (u: TestUser, extra: Record<string, unknown> = {}) =>
    create(u, { connector_id: github, name: 'My GitHub', config: { access_token: GITHUB_TOKEN, repository: 'floyo/api' }, ...extra });

  it('lists the six seeded connectors with their JSON-schema config_schema', async () => {
    const res = await t.http().get('/api/integrations/connectors').set(bearer(ada.accessToken)).expect(200);
    expect(res.body.map((c: { service_type: string }) => c.service_type).sort()).toEqual([
      'dropbox',
      'email',
      'github',
      'googledrive',
      's3',
      'slack',
    ]);
    const gh = res.body.find((c: { service_type: string }) => c.service_type === 'github');
    expect(gh.config_schema).toMatchObject({
      type: 'object',
      required: ['access_token', 'repository'],
      properties: { access_token: { writeOnly: true } },
    });
  });

  describe('secrets', () => {
    it('are encrypted at rest (no plaintext in the row) and masked in every response', async () => {
      const res = await createGithub(ada).expect(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        name: 'My GitHub',
        connector_id: github,
        service_type: 'github',
        organization_id: null,
        config: { access_token: '••••wxyz', repository: 'floyo/api' },
        is_active: true,
      });
      const row = await rawRow(res.body.id);
      expect(JSON.stringify(row)).not.toContain(GITHUB_TOKEN);
      expect(JSON.stringify(row)).not.toContain('S3cr3t');
      expect(row.config).toEqual({ repository: 'floyo/api' });
      expect(row.encrypted_secrets.access_token).toMatchObject({ v: 1, kid: deriveKey(TEST_ENV.ENCRYPTION_KEY).id });
      for (const path of [`/api/integrations/${res.body.id}`, '/api/integrations']) {
        const got = await t.http().get(path).set(bearer(ada.accessToken)).expect(200);
        expect(JSON.stringify(got.body)).not.toContain('S3cr3t');
        expect(JSON.stringify(got.body)).toContain('••••wxyz');
      }
      // ...and decrypt for the code that uses them.
      expect(await t.app.get(IntegrationsService).resolveConfig(res.body.id)).toEqual({
        access_token: GITHUB_TOKEN,
        repository: 'floyo/api',
      });
    });

    it('a ciphertext copied to another row does not decrypt there (bound to row and field)', async () => {
      const a = (await createGithub(ada).expect(201)).body.id;
      const b = (await createGithub(ada, { config: { access_token: 'ghp_other_token_0000000000', repository: 'floyo/other' } }).expect(201))
        .body.id;
      await query(
        TEST_DATABASE_URL,
        'UPDATE user_integrations SET encrypted_secrets = (SELECT encrypted_secrets FROM user_integrations WHERE id = $1) WHERE id = $2',
        [a, b],
      );
      const got = await t.http().get(`/api/integrations/${b}`).set(bearer(ada.accessToken)).expect(200);
      expect(got.body.config.access_token).toBe('••••');
    });
  });

  describe('config validation (JSON Schema)', () => {
    it.each([
      ['a missing required secret', 'github', { repository: 'x/y' }, ['body', 'config', 'access_token'], 'missing'],
      [
        'an unknown property',
        'github',
        { access_token: 't', repository: 'x/y', colour: 'red' },
        ['body', 'config', 'colour'],
        'extra_forbidden',
      ],
      ['a webhook that is not https', 'slack', { webhook_url: 'http://hooks.slack.com/x' }, ['body', 'config', 'webhook_url'], 'pattern'],
      [
        'a port of the wrong type',
        'email',
        { smtp_host: 'mail', smtp_port: '25', from_email: 'a@b.io' },
        ['body', 'config', 'smtp_port'],
        'type',
      ],
      [
        'a bad address in a list',
        'email',
        { smtp_host: 'mail', smtp_port: 25, from_email: 'a@b.io', to_addresses: ['x@y.io', 'nope'] },
        ['body', 'config', 'to_addresses', 1],
        'format',
      ],
    ])('422 naming the property for %s', async (_name, serviceType, config, loc, type) => {
      const connector = { github, slack, email }[serviceType];
      const res = await create(ada, { connector_id: connector, name: 'x', config });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual(expect.arrayContaining([expect.objectContaining({ loc, type })]));
    });

    it('422 for an unknown connector, a non-object config and a malformed organization_id', async () => {
      const unknown = await create(ada, { connector_id: randomUUID(), name: 'x', config: {} });
      expect(unknown.status).toBe(422);
      expect(unknown.body.detail[0].loc).toEqual(['body', 'connector_id']);
      const notObject = await create(ada, { connector_id: github, name: 'x', config: 'token=1' });
      expect(notObject.status).toBe(422);
      const badOrg = await create(ada, {
        connector_id: github,
        name: 'x',
        config: { access_token: 't', repository: 'x/y' },
        organization_id: 'nope',
      });
      expect(badOrg.status).toBe(422);
      expect(badOrg.body.detail[0].loc).toEqual(['body', 'organization_id']);
    });

    it('fills schema defaults (email use_tls)', async () => {
      const config = { smtp_host: 'mail', smtp_port: 587, from_email: 'a@b.io', password: 'pw' };
      const res = await create(ada, { connector_id: email, name: 'Mail', config }).expect(201);
      expect(res.body.config).toMatchObject({ use_tls: true, password: '••••' });
    });
  });

  describe('update', () => {
    it('merges the config: echoed masks keep secrets, new values replace them, null removes a key', async () => {
      const created = (await createGithub(ada).expect(201)).body;
      const url = `/api/integrations/${created.id}`;
      const kept = await t
        .http()
        .put(url)
        .set(bearer(ada.accessToken))
        .send({ config: { ...created.config, repository: 'floyo/web', default_branch: 'dev' } })
        .expect(200);
      expect(kept.body.config).toEqual({ access_token: '••••wxyz', repository: 'floyo/web', default_branch: 'dev' });
      expect((await t.app.get(IntegrationsService).resolveConfig(created.id)).access_token).toBe(GITHUB_TOKEN);
      const replaced = await t
        .http()
        .put(url)
        .set(bearer(ada.accessToken))
        .send({ config: { access_token: 'ghp_brand_new_token_9876', default_branch: null } })
        .expect(200);
      expect(replaced.body.config).toEqual({ access_token: '••••9876', repository: 'floyo/web' });
      const invalid = await t
        .http()
        .put(url)
        .set(bearer(ada.accessToken))
        .send({ config: { access_token: null } });
      expect(invalid.status).toBe(422);
      expect(invalid.body.detail[0]).toMatchObject({ loc: ['body', 'config', 'access_token'], type: 'missing' });
      const renamed = await t.http().put(url).set(bearer(ada.accessToken)).send({ name: 'Renamed', is_active: false }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'Renamed', is_active: false, config: { access_token: '••••9876' } });
    });

    it('concurrent updates of one row queue on its lock, not on the pool (no self-deadlock)', async () => {
      // each update holds a pooled connection while it waits for the row lock; a second
      // pool connection inside the transaction would wait for the ones the others hold
      const small = await createTestApp({ DB_POOL_SIZE: '3', DB_CONNECT_TIMEOUT_MS: '2000' });
      try {
        const id = (await createGithub(ada).expect(201)).body.id as string;
        const started = Date.now();
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            small
              .http()
              .put(`/api/integrations/${id}`)
              .set(bearer(ada.accessToken))
              .send({ config: { repository: `floyo/r${i}` } }),
          ),
        );
        expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await small.close();
      }
    });

    it('deletes', async () => {
      const id = (await createGithub(ada).expect(201)).body.id;
      expect((await t.http().delete(`/api/integrations/${id}`).set(bearer(ada.accessToken)).expect(200)).body).toEqual({
        message: 'Integration deleted successfully',
      });
      await t.http().get(`/api/integrations/${id}`).set(bearer(ada.accessToken)).expect(404);
    });
  });

  describe('ownership', () => {
    it('personal integrations are visible to their owner only (404 for anyone else)', async () => {
      const id = (await createGithub(ada).expect(201)).body.id;
      for (const req of [
        t.http().get(`/api/integrations/${id}`),
        t.http().put(`/api/integrations/${id}`).send({ name: 'x' }),
        t.http().delete(`/api/integrations/${id}`),
      ]) {
        const res = await req.set(bearer(bob.accessToken));
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ detail: 'Integration not found' });
      }
      const bobs = (await t.http().get('/api/integrations').set(bearer(bob.accessToken)).expect(200)).body as { id: string }[];
      expect(bobs.map((i) => i.id)).not.toContain(id);
    });

    it('org integrations are listed under the organization, not as personal ones', async () => {
      const orgId = await insertOrganization([
        { userId: ada.id, role: 'owner' },
        { userId: bob.id, role: 'viewer' },
      ]);
      const id = (await createGithub(ada, { organization_id: orgId }).expect(201)).body.id;
      const orgList = (await t.http().get(`/api/integrations?organization_id=${orgId}`).set(bearer(bob.accessToken)).expect(200)).body;
      expect(orgList.map((i: { id: string }) => i.id)).toEqual([id]);
      expect(orgList[0].config.access_token).toBe('••••wxyz');
      const personal = (await t.http().get('/api/integrations').set(bearer(ada.accessToken)).expect(200)).body;
      expect(personal.map((i: { id: string }) => i.id)).not.toContain(id);
    });
  });

  describe('key rotation', () => {
    const K1 = TEST_ENV.ENCRYPTION_KEY;
    const K2 = 'the-next-encryption-key-of-32-chars-or-more';
    let rotated: TestApp;
    afterEach(() => rotated?.close());

    it('decrypts secrets written under the old key, and re-encrypts them with the new one on update', async () => {
      const id = (await createGithub(ada).expect(201)).body.id;
      expect((await rawRow(id)).encrypted_secrets.access_token.kid).toBe(deriveKey(K1).id);

      rotated = await createTestApp({ ENCRYPTION_KEY: K2, ENCRYPTION_KEYS_OLD: K1 });
      const got = await rotated.http().get(`/api/integrations/${id}`).set(bearer(ada.accessToken)).expect(200);
      expect(got.body.config.access_token).toBe('••••wxyz');
      expect((await rotated.app.get(IntegrationsService).resolveConfig(id)).access_token).toBe(GITHUB_TOKEN);

      await rotated
        .http()
        .put(`/api/integrations/${id}`)
        .set(bearer(ada.accessToken))
        .send({ config: { repository: 'floyo/rotated' } })
        .expect(200);
      expect((await rawRow(id)).encrypted_secrets.access_token.kid).toBe(deriveKey(K2).id);
      await rotated.close();

      rotated = await createTestApp({ ENCRYPTION_KEY: K2 });
      expect((await rotated.app.get(IntegrationsService).resolveConfig(id)).access_token).toBe(GITHUB_TOKEN);
    });

    it('without the old key: masked as "••••", and an update must send the secret again (409)', async () => {
      const id = (await createGithub(ada).expect(201)).body.id;
      rotated = await createTestApp({ ENCRYPTION_KEY: K2 });
      const got = await rotated.http().get(`/api/integrations/${id}`).set(bearer(ada.accessToken)).expect(200);
      expect(got.body.config.access_token).toBe('••••');
      const res = await rotated
        .http()
        .put(`/api/integrations/${id}`)
        .set(bearer(ada.accessToken))
        .send({ config: { repository: 'floyo/x' } });
      expect(res.status).toBe(409);
      await rotated
        .http()
        .put(`/api/integrations/${id}`)
        .set(bearer(ada.accessToken))
        .send({ config: { access_token: GITHUB_TOKEN } })
        .expect(200);
      expect((await rawRow(id)).encrypted_secrets.access_token.kid).toBe(deriveKey(K2).id);
    });
  });
});
