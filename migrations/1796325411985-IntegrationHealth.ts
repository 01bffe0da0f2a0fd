import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integration health, as the legacy model had it: `last_sync_at` (the last successful
 * connection test or action), `last_error` (the provider's reason for the last refusal) and
 * `status` — `active`, or `needs_attention` once the provider refused the credentials
 * (401/403) until a connection test or a new config succeeds.
 */
export class IntegrationHealth1796325411985 implements MigrationInterface {
  name = 'IntegrationHealth1796325411985';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_integrations" ADD "status" character varying(20) NOT NULL DEFAULT 'active'`);
    await queryRunner.query(`ALTER TABLE "user_integrations" ADD "last_error" text`);
    await queryRunner.query(`ALTER TABLE "user_integrations" ADD "last_sync_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_integrations" DROP COLUMN "last_sync_at"`);
    await queryRunner.query(`ALTER TABLE "user_integrations" DROP COLUMN "last_error"`);
    await queryRunner.query(`ALTER TABLE "user_integrations" DROP COLUMN "status"`);
  }
}
