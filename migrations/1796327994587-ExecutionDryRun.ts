import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dry runs of workflows (`POST /api/workflows/{id}/execute` with `dry_run`): the execution
 * is marked `dry_run` (the steps run with templating resolved, nothing is sent).
 */
export class ExecutionDryRun1796327994587 implements MigrationInterface {
  name = 'ExecutionDryRun1796327994587';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_executions" ADD "dry_run" boolean NOT NULL DEFAULT false`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_executions" DROP COLUMN "dry_run"`);
  }
}
