import { join } from 'node:path';
import { SecretBox } from '../../../src/platform/crypto/secret-box';
import { IntegrationSecrets } from '../../../src/domains/integrations/integration-secrets';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createScratchDatabase, query } from '../../helpers/databases';
import { connectorId } from '../../helpers/organizations';
import { assertBuilt, ROOT, runNode } from '../../helpers/processes';
import { bearer, registerAndLogin, type TestUser } from '../../helpers/users';
import { TEST_ENV } from '../../setup/test-env';

/**
 * The connector catalogue exactly as the legacy service seeded it — service types and
 * config keys — with today's extra fields as optional additions; a migration rewrites
 * the integrations and suggestions stored before.
 */
const LEGACY: Record<string, { config: Record<string, unknown>; secrets: string[] }> = {
  github: { config: { access_token: 'ghp_legacy_token_abcd', repository: 'octo-org/octo-repo' }, secrets: ['access_token'] },
  slack: { config: { webhook_url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX', channel: '#general' }, secrets: ['webhook_url'] },
  googledrive: {
    config: { credentials_json: '{"type":"service_account","client_email":"floyo@p.iam.gserviceaccount.com"}', folder_id: '1AbCdEf' },
    secrets: ['credentials_json'],
  },
  dropbox: { config: { access_token: 'sl.legacy-dropbox-token', folder_path: '/Floyo' }, secrets: ['access_token'] },
  s3: {
    config: {
      access_key_id: 'AKIAEXAMPLE',
      secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      bucket_name: 'floyo-out',
      region: 'eu-west-1',
    },
    secrets: ['secret_access_key'],
  },
  email: {
    config: {
      smtp_host: 'smtp.example.com',
      smtp_port: 587,
      username: 'floyo',
      password: 'mail password',
      from_email: 'floyo@example.com',
    },
    secrets: ['password'],
  },
};

describe('the legacy connector catalogue', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerAndLogin(t);
  });
  afterAll(() => t.close());

  it('lists the legacy service types, each schema naming the legacy keys (secrets writeOnly)', async () => {
    const res = await t.http().get('/api/integrations/connectors').set(bearer(user.accessToken)).expect(200);
    const byType = new Map<string, { name: string; config_schema: { properties: Record<string, { writeOnly?: boolean }> } }>(
      res.body.map((c: { service_type: string }) => [c.service_type, c]),
    );
    expect([...byType.keys()].sort()).toEqual(['dropbox', 'email', 'github', 'googledrive', 's3', 'slack']);
    expect(Object.fromEntries([...byType].map(([k, c]) => [k, c.name]))).toEqual({
      github: 'GitHub',
      slack: 'Slack',
      googledrive: 'Google Drive',
      dropbox: 'Dropbox',
      s3: 'AWS S3',
      email: 'Email (SMTP)',
    });
    for (const [type, { config, secrets }] of Object.entries(LEGACY)) {
      const properties = byType.get(type)!.config_schema.properties;
      expect({ type, keys: Object.keys(config).filter((k) => !properties[k]) }).toEqual({ type, keys: [] });
      expect({ type, secrets: Object.keys(properties).filter((k) => properties[k].writeOnly && config[k] !== undefined) }).toEqual({
        type,
        secrets,
      });
    }
  });

  it.each(Object.keys(LEGACY))('creates a %s integration from the legacy config keys (secrets sealed and masked)', async (type) => {
    const { config, secrets } = LEGACY[type];
    const res = await t
      .http()
      .post('/api/integrations')
      .set(bearer(user.accessToken))
      .send({ connector_id: await connectorId(type), name: `legacy ${type}`, config })
      .expect(201);
    expect(res.body.service_type).toBe(type);
    for (const [key, value] of Object.entries(config)) {
      if (secrets.includes(key)) expect(res.body.config[key]).toMatch(/^••••/);
      else expect(res.body.config[key]).toEqual(value);
    }
    const [row] = await query<{ config: object; encrypted_secrets: object }>(
      TEST_ENV.DATABASE_URL,
      'SELECT config, encrypted_secrets FROM user_integrations WHERE id = $1',
      [res.body.id],
    );
    expect(Object.keys(row.encrypted_secrets).sort()).toEqual([...secrets].sort());
    for (const s of secrets) expect(JSON.stringify(row)).not.toContain(String(config[s]).slice(4));
  });

  it('Google Drive also takes an OAuth client with a refresh token, and names what is missing', async () => {
    const connector = await connectorId('googledrive');
    const send = (config: object) =>
      t.http().post('/api/integrations').set(bearer(user.accessToken)).send({ connector_id: connector, name: 'drive', config });
    await send({ client_id: 'id.apps.googleusercontent.com', client_secret: 'secret', refresh_token: '1//refresh' }).expect(201);
    const none = await send({ folder_id: 'x' }).expect(422);
    expect(none.body.detail).toEqual([{ loc: ['body', 'config', 'credentials_json'], msg: 'Field required', type: 'missing' }]);
    const partial = await send({ client_id: 'id' }).expect(422);
    expect(partial.body.detail.map((d: { loc: string[] }) => d.loc.join('.')).sort()).toEqual([
      'body.config.client_secret',
      'body.config.refresh_token',
    ]);
  });
});

describe('the catalogue migration rewrites what was stored before it', () => {
  const MIGRATION = 'LegacyConnectorCatalogue1796313342355';
  const CLI = join(ROOT, 'node_modules', 'typeorm', 'cli.js');
  const DIST_DS = join(ROOT, 'dist', 'data-source.js');
  const typeorm = (url: string, ...args: string[]) => runNode(CLI, [...args, '-d', DIST_DS], { DATABASE_URL: url }, 60_000);
  const secrets = new IntegrationSecrets(new SecretBox(TEST_ENV.ENCRYPTION_KEY));

  it('renames service types and config keys, moves the GitHub token (still decryptable), and retitles suggestions; down restores', async () => {
    assertBuilt();
    const db = await createScratchDatabase('connectors');
    try {
      expect((await typeorm(db.url, 'migration:run')).code).toBe(0);
      // back to the catalogue before this migration (reverting the later ones first)
      const applied = async () =>
        (await query<{ name: string }>(db.url, 'SELECT name FROM migrations ORDER BY id DESC')).map((m) => m.name);
      while ((await applied()).includes(MIGRATION)) expect((await typeorm(db.url, 'migration:revert')).code).toBe(0);
      const [u] = await query<{ id: string }>(
        db.url,
        "INSERT INTO users (email, password_hash) VALUES ('m@example.com', 'x') RETURNING id",
      );
      const insert = async (type: string, config: object, secret: Record<string, string>) => {
        const [row] = await query<{ id: string }>(
          db.url,
          `INSERT INTO user_integrations (user_id, connector_id, name, config)
           SELECT $1, id, $2::text, $3 FROM integration_connectors WHERE service_type = $2::text RETURNING id`,
          [u.id, type, JSON.stringify(config)],
        );
        await query(db.url, 'UPDATE user_integrations SET encrypted_secrets = $2 WHERE id = $1', [
          row.id,
          JSON.stringify(secrets.seal(row.id, secret)),
        ]);
        return row.id;
      };
      const gh = await insert('github', { owner: 'floyo', repo: 'api', default_branch: 'main' }, { token: 'ghp_before_the_migration' });
      const s3 = await insert('aws_s3', { access_key_id: 'AKIA', region: 'eu-west-1', bucket: 'floyo-out' }, { secret_access_key: 'sk' });
      const dbx = await insert('dropbox', { root_path: '/Floyo' }, { access_token: 'dbx' });
      const mail = await insert('email', { smtp_host: 'mail', smtp_port: 25, from_address: 'a@b.io' }, {});
      await query(
        db.url,
        `INSERT INTO suggestions (user_id, trigger, suggested_integration, rule_id, evidence_key, metadata) VALUES
           ($1, 'When python writes a new .csv file', 'aws_s3', 'outputs-archive-s3', 'k1', '{"title": "AWS S3: archive the .csv outputs of python"}'),
           ($1, 'Every weekday at 08:00 UTC', 'schedule', 'routine-schedule', 'k2', '{"title": "Scheduled routine: vim → git"}')`,
        [u.id],
      );

      expect((await typeorm(db.url, 'migration:run')).code).toBe(0);
      const rows = new Map(
        (
          await query<{ id: string; config: object; encrypted_secrets: Record<string, unknown> }>(
            db.url,
            'SELECT id, config, encrypted_secrets FROM user_integrations',
          )
        ).map((r) => [r.id, r]),
      );
      expect(rows.get(gh)!.config).toEqual({ repository: 'floyo/api', default_branch: 'main' });
      expect(secrets.open(gh, rows.get(gh)!.encrypted_secrets)).toEqual({ access_token: 'ghp_before_the_migration' });
      expect(rows.get(s3)!.config).toEqual({ access_key_id: 'AKIA', region: 'eu-west-1', bucket_name: 'floyo-out' });
      expect(rows.get(dbx)!.config).toEqual({ folder_path: '/Floyo' });
      expect(rows.get(mail)!.config).toEqual({ smtp_host: 'mail', smtp_port: 25, from_email: 'a@b.io' });
      const types = await query<{ service_type: string }>(db.url, 'SELECT service_type FROM integration_connectors ORDER BY 1');
      expect(types.map((r) => r.service_type)).toEqual(['dropbox', 'email', 'github', 'googledrive', 's3', 'slack']);
      const suggestions = await query(db.url, 'SELECT suggested_integration, suggested_connector FROM suggestions ORDER BY rule_id');
      expect(suggestions).toEqual([
        { suggested_integration: 'AWS S3: archive the .csv outputs of python', suggested_connector: 's3' },
        { suggested_integration: 'Scheduled routine: vim → git', suggested_connector: null },
      ]);

      while ((await applied()).includes(MIGRATION)) expect((await typeorm(db.url, 'migration:revert')).code).toBe(0);
      const [back] = await query<{ config: object; encrypted_secrets: Record<string, unknown> }>(
        db.url,
        'SELECT config, encrypted_secrets FROM user_integrations WHERE id = $1',
        [gh],
      );
      expect(back.config).toEqual({ owner: 'floyo', repo: 'api', default_branch: 'main' });
      expect(secrets.open(gh, back.encrypted_secrets)).toEqual({ token: 'ghp_before_the_migration' });
      const old = await query(db.url, 'SELECT suggested_integration FROM suggestions ORDER BY rule_id');
      expect(old).toEqual([{ suggested_integration: 'aws_s3' }, { suggested_integration: 'schedule' }]);
    } finally {
      await db.drop();
    }
  }, 180_000); // several typeorm CLI processes (up, down, up) on a loaded 2-core machine
});
