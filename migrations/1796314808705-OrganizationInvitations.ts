import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations replace adding members directly: `organization_invitations` holds one row per
 * invitation (email, role, the SHA-256 of its single-use token, expiry and how it ended).
 * Memberships that exist stay as they are.
 */

export class OrganizationInvitations1796314808705 implements MigrationInterface {
  name = 'OrganizationInvitations1796314808705';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organization_invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "email" character varying(255) NOT NULL, "role" character varying(20) NOT NULL, "token_hash" character(64) NOT NULL, "invited_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "accepted_at" TIMESTAMP WITH TIME ZONE, "accepted_by" uuid, "declined_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_organization_invitations_role" CHECK (role IN ('owner', 'admin', 'member', 'viewer')), CONSTRAINT "PK_f172f12b8a9ee6584b661f57e24" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_organization_invitations_token" ON "organization_invitations"  ("token_hash") `);
    await queryRunner.query(
      `CREATE INDEX "idx_organization_invitations_email_pending" ON "organization_invitations"  ("email") WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_organization_invitations_pending" ON "organization_invitations"  ("organization_id", "email") WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "organization_invitations" ADD CONSTRAINT "FK_7f88954e8d667a76ae3ced6f446" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organization_invitations" ADD CONSTRAINT "FK_8ab435d962010401bc62c8d9e38" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organization_invitations" ADD CONSTRAINT "FK_c32c2131ff9ee01e0a430abb790" FOREIGN KEY ("accepted_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "organization_invitations" DROP CONSTRAINT "FK_c32c2131ff9ee01e0a430abb790"`);
    await queryRunner.query(`ALTER TABLE "organization_invitations" DROP CONSTRAINT "FK_8ab435d962010401bc62c8d9e38"`);
    await queryRunner.query(`ALTER TABLE "organization_invitations" DROP CONSTRAINT "FK_7f88954e8d667a76ae3ced6f446"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organization_invitations_pending"`);
    await queryRunner.query(`DROP INDEX "public"."idx_organization_invitations_email_pending"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organization_invitations_token"`);
    await queryRunner.query(`DROP TABLE "organization_invitations"`);
  }
}
