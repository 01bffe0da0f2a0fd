import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pattern intelligence (issue 8):
 * - `pattern_analysis_state`: one row per user — the analysed position in (timestamp, id)
 *   order, the tail the next batch continues from, the parameters the aggregates were
 *   built with, the per-user anonymisation salt. Also the per-user analysis lock.
 * - `sequence_candidates`: counts of the 1–4-step sequences below the minimum support
 *   (temporal_patterns keeps only recurring ones) and the per-step counts.
 * - `suggestions.metadata`: what turning a suggestion into a workflow needs (never a path).
 * - fillfactor 80 on the tables the analysis rewrites batch after batch (temporal_patterns,
 *   relationships, sequence_candidates): updates of unindexed columns (counts, last seen)
 *   then stay on their page as HOT updates — no index writes, less WAL and bloat
 *   (bench/HISTORY.md, "Pattern analysis"). `last_seen` is deliberately not indexed.
 * Nothing to backfill: the first analysis of each user starts from its first event.
 */

export class PatternIntelligence1795791563996 implements MigrationInterface {
  name = 'PatternIntelligence1795791563996';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "pattern_analysis_state" ("user_id" uuid NOT NULL, "position_at" TIMESTAMP WITH TIME ZONE, "position_id" uuid, "fingerprint" character varying(200) NOT NULL DEFAULT '', "tail" jsonb, "salt" character varying(64) NOT NULL, "events_analysed" bigint NOT NULL DEFAULT '0', "steps_total" bigint NOT NULL DEFAULT '0', "late_from" TIMESTAMP WITH TIME ZONE, "rebuilds" integer NOT NULL DEFAULT '0', "rebuilt_at" TIMESTAMP WITH TIME ZONE, "analysed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_06447631eb0dda7e75926709d7a" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "sequence_candidates" ("user_id" uuid NOT NULL, "sequence_key" character varying(600) NOT NULL, "steps" smallint NOT NULL, "count" integer NOT NULL, "first_seen" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen" TIMESTAMP WITH TIME ZONE NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_aa4880eeb5cbeeb7848d38ba8b4" PRIMARY KEY ("user_id", "sequence_key"))`,
    );
    await queryRunner.query(`ALTER TABLE "suggestions" ADD "metadata" jsonb NOT NULL DEFAULT '{}'`);
    for (const table of ['temporal_patterns', 'relationships', 'sequence_candidates']) {
      await queryRunner.query(`ALTER TABLE "${table}" SET (fillfactor = 80)`);
    }
    await queryRunner.query(
      `ALTER TABLE "pattern_analysis_state" ADD CONSTRAINT "FK_06447631eb0dda7e75926709d7a" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sequence_candidates" ADD CONSTRAINT "FK_b1ac2e8b9fd8cba8ca6ae5c7aeb" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sequence_candidates" DROP CONSTRAINT "FK_b1ac2e8b9fd8cba8ca6ae5c7aeb"`);
    await queryRunner.query(`ALTER TABLE "pattern_analysis_state" DROP CONSTRAINT "FK_06447631eb0dda7e75926709d7a"`);
    for (const table of ['temporal_patterns', 'relationships']) {
      await queryRunner.query(`ALTER TABLE "${table}" RESET (fillfactor)`);
    }
    await queryRunner.query(`ALTER TABLE "suggestions" DROP COLUMN "metadata"`);
    await queryRunner.query(`DROP TABLE "sequence_candidates"`);
    await queryRunner.query(`DROP TABLE "pattern_analysis_state"`);
  }
}
