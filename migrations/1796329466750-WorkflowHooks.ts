import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook triggers: a workflow with `trigger = {type: "webhook"}` has one hook — its URL
 * `POST /api/hooks/{id}` (id: 128 random bits, base64url) and its signing secret, stored only
 * encrypted (a SecretBox envelope bound to the hook id). Deleting the workflow deletes it.
 */
export class WorkflowHooks1796329466750 implements MigrationInterface {
  name = 'WorkflowHooks1796329466750';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "workflow_hooks" ("id" character varying(64) NOT NULL, "workflow_id" uuid NOT NULL, "secret" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "rotated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a8f88a3806e7bcd2278fec2f919" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_workflow_hooks_workflow" ON "workflow_hooks"  ("workflow_id") `);
    await queryRunner.query(
      `ALTER TABLE "workflow_hooks" ADD CONSTRAINT "FK_f7e572f1cdb0dfd08f033c43cc1" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_hooks" DROP CONSTRAINT "FK_f7e572f1cdb0dfd08f033c43cc1"`);
    await queryRunner.query(`DROP INDEX "public"."uq_workflow_hooks_workflow"`);
    await queryRunner.query(`DROP TABLE "workflow_hooks"`);
  }
}
