import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reference data the product needs from day one: the six integration connectors (with the
 * JSON Schema their config is validated against; `writeOnly: true` marks secrets, which
 * are encrypted at rest and never returned) and the kill-switch feature flags (all on).
 */
export const CONNECTORS = [
  {
    service_type: 'github',
    name: 'GitHub',
    description: 'Repositories, issues and commits',
    config_schema: {
      type: 'object',
      required: ['token'],
      additionalProperties: false,
      properties: {
        token: { type: 'string', minLength: 1, writeOnly: true, description: 'Personal access token' },
        owner: { type: 'string', maxLength: 100 },
        repo: { type: 'string', maxLength: 100 },
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
        webhook_url: { type: 'string', format: 'uri', pattern: '^https://', writeOnly: true },
        channel: { type: 'string', maxLength: 100 },
        username: { type: 'string', maxLength: 100 },
      },
    },
  },
  {
    service_type: 'google_drive',
    name: 'Google Drive',
    description: 'Upload and sync files to a Drive folder',
    config_schema: {
      type: 'object',
      required: ['client_id', 'client_secret', 'refresh_token'],
      additionalProperties: false,
      properties: {
        client_id: { type: 'string', minLength: 1 },
        client_secret: { type: 'string', minLength: 1, writeOnly: true },
        refresh_token: { type: 'string', minLength: 1, writeOnly: true },
        folder_id: { type: 'string', maxLength: 255 },
      },
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
        access_token: { type: 'string', minLength: 1, writeOnly: true },
        root_path: { type: 'string', maxLength: 1024, default: '/' },
      },
    },
  },
  {
    service_type: 'aws_s3',
    name: 'AWS S3',
    description: 'Upload files to an S3 (or S3-compatible) bucket',
    config_schema: {
      type: 'object',
      required: ['access_key_id', 'secret_access_key', 'region', 'bucket'],
      additionalProperties: false,
      properties: {
        access_key_id: { type: 'string', minLength: 1 },
        secret_access_key: { type: 'string', minLength: 1, writeOnly: true },
        region: { type: 'string', minLength: 1, maxLength: 50 },
        bucket: { type: 'string', minLength: 3, maxLength: 63 },
        prefix: { type: 'string', maxLength: 1024 },
        endpoint: { type: 'string', format: 'uri' },
      },
    },
  },
  {
    service_type: 'email',
    name: 'Email (SMTP)',
    description: 'Send mail through an SMTP server',
    config_schema: {
      type: 'object',
      required: ['smtp_host', 'smtp_port', 'from_address'],
      additionalProperties: false,
      properties: {
        smtp_host: { type: 'string', minLength: 1, maxLength: 255 },
        smtp_port: { type: 'integer', minimum: 1, maximum: 65535 },
        username: { type: 'string', maxLength: 255 },
        password: { type: 'string', writeOnly: true },
        use_tls: { type: 'boolean', default: true },
        from_address: { type: 'string', format: 'email' },
        to_addresses: { type: 'array', items: { type: 'string', format: 'email' }, maxItems: 50 },
      },
    },
  },
];

const FLAGS = [
  ['enable_user_registration', 'Kill switch: new account registration'],
  ['enable_file_uploads', 'Kill switch: file uploads (POST /api/events/upload)'],
  ['enable_suggestion_generation', 'Kill switch: on-demand suggestion generation'],
  ['enable_workflow_execution', 'Kill switch: workflow execution (manual and scheduled)'],
];

export class SeedCatalogue1795780900000 implements MigrationInterface {
  name = 'SeedCatalogue1795780900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const c of CONNECTORS) {
      await queryRunner.query(
        `INSERT INTO integration_connectors (service_type, name, description, config_schema)
         VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (service_type) DO NOTHING`,
        [c.service_type, c.name, c.description, JSON.stringify(c.config_schema)],
      );
    }
    for (const [name, description] of FLAGS) {
      await queryRunner.query(
        `INSERT INTO feature_flags (name, description, enabled, rollout_percentage)
         VALUES ($1, $2, true, 100)
         ON CONFLICT (name) DO NOTHING`,
        [name, description],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM feature_flags WHERE name = ANY($1)`, [FLAGS.map(([n]) => n)]);
    await queryRunner.query(`DELETE FROM integration_connectors WHERE service_type = ANY($1)`, [CONNECTORS.map((c) => c.service_type)]);
  }
}
