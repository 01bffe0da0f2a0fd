import { MigrationInterface, QueryRunner } from 'typeorm';
import { CONNECTORS as PREVIOUS } from './1795780900000-SeedCatalogue';

/**
 * The connector catalogue exactly as the legacy service seeded it: service types `github`,
 * `slack`, `googledrive`, `dropbox`, `s3`, `email` (were `google_drive`, `aws_s3`), and the
 * legacy config keys. Fields the previous schemas had beyond the legacy ones stay as
 * optional additions; renamed ones are rewritten in every stored config:
 *   github  token → access_token (a secret: moved, marked `sealed_as`, since a migration
 *           has no key to re-encrypt it), owner + repo → repository ("owner/name")
 *   dropbox root_path → folder_path;  s3 bucket → bucket_name;  email from_address → from_email
 * Google Drive takes a service account's `credentials_json` (legacy) or, as before, an
 * OAuth client with a refresh token.
 * Suggestions: `suggested_integration` is human-readable text again (the card title the
 * legacy service wrote), the connector's service type moves to `suggested_connector`.
 */
const https = { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 };

export const CONNECTORS = [
  {
    service_type: 'github',
    name: 'GitHub',
    description: 'Issues and workflow runs in a repository',
    config_schema: {
      type: 'object',
      required: ['access_token', 'repository'],
      additionalProperties: false,
      properties: {
        access_token: { type: 'string', minLength: 1, maxLength: 1000, writeOnly: true, description: 'Personal access token' },
        repository: {
          type: 'string',
          maxLength: 201,
          pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
          description: 'owner/name, e.g. octo-org/octo-repo',
        },
        api_url: { ...https, description: 'GitHub Enterprise Server API base URL; default https://api.github.com' },
        default_branch: { type: 'string', maxLength: 255 },
      },
    },
  },
  {
    service_type: 'slack',
    name: 'Slack',
    description: 'Post messages to a channel through an incoming webhook',
    config_schema: {
      type: 'object',
      required: ['webhook_url'],
      additionalProperties: false,
      properties: {
        webhook_url: { type: 'string', format: 'uri', pattern: '^https://', maxLength: 2048, writeOnly: true },
        channel: { type: 'string', maxLength: 100 },
        username: { type: 'string', maxLength: 100 },
      },
    },
  },
  {
    service_type: 'googledrive',
    name: 'Google Drive',
    description: 'Upload and sync files to a Drive folder',
    config_schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        credentials_json: {
          type: ['string', 'object'],
          minLength: 2,
          maxLength: 20000,
          writeOnly: true,
          description: "A service account's key file (JSON), as text or as an object",
        },
        folder_id: { type: 'string', maxLength: 255 },
        client_id: { type: 'string', minLength: 1, description: 'Instead of credentials_json: an OAuth client with a refresh token' },
        client_secret: { type: 'string', minLength: 1, writeOnly: true },
        refresh_token: { type: 'string', minLength: 1, writeOnly: true },
      },
      if: { required: ['client_id'] },
      then: { required: ['client_id', 'client_secret', 'refresh_token'] },
      else: { required: ['credentials_json'] },
    },
  },
  {
    service_type: 'dropbox',
    name: 'Dropbox',
    description: 'Sync files to a Dropbox folder',
    config_schema: {
      type: 'object',
      required: ['access_token'],
      additionalProperties: false,
      properties: {
        access_token: { type: 'string', minLength: 1, maxLength: 2000, writeOnly: true },
        folder_path: { type: 'string', maxLength: 1024, default: '/' },
      },
    },
  },
  {
    service_type: 's3',
    name: 'AWS S3',
    description: 'Upload files to an S3 (or S3-compatible) bucket',
    config_schema: {
      type: 'object',
      required: ['access_key_id', 'secret_access_key', 'bucket_name', 'region'],
      additionalProperties: false,
      properties: {
        access_key_id: { type: 'string', minLength: 1, maxLength: 128 },
        secret_access_key: { type: 'string', minLength: 1, maxLength: 256, writeOnly: true },
        bucket_name: { type: 'string', minLength: 3, maxLength: 63 },
        region: { type: 'string', minLength: 1, maxLength: 50 },
        endpoint: { ...https, description: 'An S3-compatible endpoint (MinIO, R2, …); default AWS' },
        force_path_style: { type: 'boolean', default: false },
        prefix: { type: 'string', maxLength: 1024 },
      },
    },
  },
  {
    service_type: 'email',
    name: 'Email (SMTP)',
    description: 'Send mail through an SMTP server',
    config_schema: {
      type: 'object',
      required: ['smtp_host', 'smtp_port', 'from_email'],
      additionalProperties: false,
      properties: {
        smtp_host: { type: 'string', minLength: 1, maxLength: 255 },
        smtp_port: { type: 'integer', minimum: 1, maximum: 65535 },
        username: { type: 'string', maxLength: 255 },
        password: { type: 'string', maxLength: 1000, writeOnly: true },
        from_email: { type: 'string', format: 'email' },
        use_tls: { type: 'boolean', default: true },
        to_addresses: { type: 'array', items: { type: 'string', format: 'email' }, maxItems: 50 },
      },
    },
  },
];

const RENAMED_TYPES: [string, string][] = [
  ['google_drive', 'googledrive'],
  ['aws_s3', 's3'],
];
/** Plain (non-secret) config keys renamed: [service type, previous key, legacy key]. */
const RENAMED_KEYS: [string, string, string][] = [
  ['dropbox', 'root_path', 'folder_path'],
  ['s3', 'bucket', 'bucket_name'],
  ['email', 'from_address', 'from_email'],
];

const OF_TYPE = `FROM integration_connectors c WHERE c.id = i.connector_id AND c.service_type = $1`;

export class LegacyConnectorCatalogue1796313342355 implements MigrationInterface {
  name = 'LegacyConnectorCatalogue1796313342355';

  public async up(q: QueryRunner): Promise<void> {
    for (const [from, to] of RENAMED_TYPES)
      await q.query(`UPDATE integration_connectors SET service_type = $2 WHERE service_type = $1`, [from, to]);
    for (const c of CONNECTORS) {
      await q.query(
        `INSERT INTO integration_connectors (service_type, name, description, config_schema) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (service_type) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, config_schema = EXCLUDED.config_schema`,
        [c.service_type, c.name, c.description, JSON.stringify(c.config_schema)],
      );
    }
    for (const [type, from, to] of RENAMED_KEYS) await renameKey(q, type, from, to);
    await q.query(
      `UPDATE user_integrations i
          SET config = (i.config - 'owner' - 'repo')
                       || CASE WHEN i.config ? 'owner' OR i.config ? 'repo'
                               THEN jsonb_build_object('repository', concat_ws('/', i.config->>'owner', i.config->>'repo')) ELSE '{}' END,
              encrypted_secrets = CASE WHEN i.encrypted_secrets ? 'token'
                                       THEN (i.encrypted_secrets - 'token')
                                            || jsonb_build_object('access_token', (i.encrypted_secrets->'token') || '{"sealed_as": "token"}')
                                       ELSE i.encrypted_secrets END
       ${OF_TYPE}`,
      ['github'],
    );

    await q.query(`ALTER TABLE "suggestions" ALTER COLUMN "suggested_integration" TYPE character varying(255)`);
    await q.query(`ALTER TABLE "suggestions" ADD "suggested_connector" character varying(50)`);
    await q.query(
      `UPDATE suggestions
          SET suggested_connector = CASE suggested_integration WHEN 'aws_s3' THEN 's3' WHEN 'google_drive' THEN 'googledrive'
                                                               WHEN 'schedule' THEN NULL ELSE suggested_integration END,
              suggested_integration = left(COALESCE(metadata->>'title', suggested_integration), 255)
        WHERE rule_id IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE suggestions
          SET suggested_integration = CASE suggested_connector WHEN 's3' THEN 'aws_s3' WHEN 'googledrive' THEN 'google_drive'
                                                               ELSE COALESCE(suggested_connector, 'schedule') END
        WHERE rule_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE "suggestions" DROP COLUMN "suggested_connector"`);
    await q.query(`UPDATE suggestions SET suggested_integration = left(suggested_integration, 100)`);
    await q.query(`ALTER TABLE "suggestions" ALTER COLUMN "suggested_integration" TYPE character varying(100)`);

    // a token re-sealed under its new name since cannot be moved back (no key here): it stays as access_token
    await q.query(
      `UPDATE user_integrations i
          SET config = (i.config - 'repository')
                       || CASE WHEN i.config ? 'repository'
                               THEN jsonb_build_object('owner', split_part(i.config->>'repository', '/', 1), 'repo', split_part(i.config->>'repository', '/', 2))
                               ELSE '{}' END,
              encrypted_secrets = CASE WHEN i.encrypted_secrets->'access_token' ? 'sealed_as'
                                       THEN (i.encrypted_secrets - 'access_token')
                                            || jsonb_build_object('token', (i.encrypted_secrets->'access_token') - 'sealed_as')
                                       ELSE i.encrypted_secrets END
       ${OF_TYPE}`,
      ['github'],
    );
    for (const [type, from, to] of RENAMED_KEYS) await renameKey(q, type, to, from);
    for (const [from, to] of RENAMED_TYPES)
      await q.query(`UPDATE integration_connectors SET service_type = $1 WHERE service_type = $2`, [from, to]);
    for (const c of PREVIOUS) {
      await q.query(`UPDATE integration_connectors SET name = $2, description = $3, config_schema = $4::jsonb WHERE service_type = $1`, [
        c.service_type,
        c.name,
        c.description,
        JSON.stringify(c.config_schema),
      ]);
    }
  }
}

async function renameKey(q: QueryRunner, type: string, from: string, to: string): Promise<void> {
  await q.query(
    `UPDATE user_integrations i SET config = (i.config - $2::text) || jsonb_build_object($3::text, i.config->$2::text)
     ${OF_TYPE} AND i.config ? $2::text`,
    [type, from, to],
  );
}
