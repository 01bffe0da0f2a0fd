import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Activity triggers: a workflow (and each of its versions) may carry
 * `trigger = {type: "activity", match, max_runs_per_minute, include_members}`; ingested
 * events that match start runs (trigger_type `activity`, idempotency key `activity:<event id>`,
 * so one run per workflow and event); the per-minute cap reads idx_workflow_executions_workflow_created.
 */
export class WorkflowTriggers1796327870544 implements MigrationInterface {
  name = 'WorkflowTriggers1796327870544';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflows" ADD "trigger" jsonb`);
    await queryRunner.query(`ALTER TABLE "workflow_versions" ADD "trigger" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_versions" DROP COLUMN "trigger"`);
    await queryRunner.query(`ALTER TABLE "workflows" DROP COLUMN "trigger"`);
  }
}
