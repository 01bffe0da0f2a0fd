import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fair worker: executions hold one of their owner's WORKFLOW_MAX_RUNNING_PER_OWNER slots
 * only while a step runs (`holds_slot`); a delay parks them (`resume_at`, `parked_step`,
 * `parked_ms`) with no slot and no worker; `wake_seq` numbers the jobs that continue them.
 * The partial index covers the executions still in play, which the slot accounting reads.
 */

export class FairWorkflowExecutions1796315345322 implements MigrationInterface {
  name = 'FairWorkflowExecutions1796315345322';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_executions" ADD "holds_slot" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" ADD "resume_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" ADD "parked_step" jsonb`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" ADD "parked_ms" bigint NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" ADD "wake_seq" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `CREATE INDEX "idx_workflow_executions_open" ON "workflow_executions"  ("workflow_id", "created_at") WHERE status IN ('pending', 'running')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_workflow_executions_open"`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" DROP COLUMN "wake_seq"`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" DROP COLUMN "parked_ms"`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" DROP COLUMN "parked_step"`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" DROP COLUMN "resume_at"`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" DROP COLUMN "holds_slot"`);
  }
}
