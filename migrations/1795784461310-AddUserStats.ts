import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Activity API (issue 3):
 * - `user_stats`: per-user row counts of events, patterns, relationships and suggestions,
 *   kept by statement-level triggers (one aggregate + one upsert per statement, whatever
 *   the number of rows), so list totals and /api/stats are O(1) and no writer can forget
 *   them. Sharded by backend (`pg_backend_pid() % 16`): concurrent writers of one user on
 *   different connections never wait for each other's commit on a single counter row.
 *   A user's totals are the sums over their rows. Backfilled from the existing rows.
 * - `events.storage_key`: the object key of an uploaded file (set only by the upload route).
 * - `idx_events_user_timestamp` gains `id`, the list's tie-breaker, so the default list
 *   (newest first) and keyset-batched exports are served by the index without a sort.
 */
const COUNTED = ['events', 'patterns', 'relationships', 'suggestions'] as const;

export class AddUserStats1795784461310 implements MigrationInterface {
  name = 'AddUserStats1795784461310';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_events_user_timestamp"`);
    await queryRunner.query(
      `CREATE TABLE "user_stats" ("user_id" uuid NOT NULL, "shard" smallint NOT NULL, "event_count" bigint NOT NULL DEFAULT '0', "pattern_count" bigint NOT NULL DEFAULT '0', "relationship_count" bigint NOT NULL DEFAULT '0', "suggestion_count" bigint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4f6806ced1e7470b745bac27164" PRIMARY KEY ("user_id", "shard"))`,
    );
    await queryRunner.query(`ALTER TABLE "events" ADD "storage_key" text`);
    await queryRunner.query(`CREATE INDEX "idx_events_user_timestamp" ON "events"  ("user_id", "timestamp", "id") `);
    await queryRunner.query(
      `ALTER TABLE "user_stats" ADD CONSTRAINT "FK_0e0da843088caf61925ded4434e" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // --- hand-written: the counter triggers (TG_ARGV[0] names the counted table)
    await queryRunner.query(`
            CREATE FUNCTION user_stats_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO user_stats AS s (user_id, shard, event_count, pattern_count, relationship_count, suggestion_count)
                SELECT n.user_id, (pg_backend_pid() % 16)::smallint,
                       CASE TG_ARGV[0] WHEN 'events' THEN n.c ELSE 0 END,
                       CASE TG_ARGV[0] WHEN 'patterns' THEN n.c ELSE 0 END,
                       CASE TG_ARGV[0] WHEN 'relationships' THEN n.c ELSE 0 END,
                       CASE TG_ARGV[0] WHEN 'suggestions' THEN n.c ELSE 0 END
                  FROM (SELECT user_id, count(*) AS c FROM new_rows GROUP BY user_id) n
                 ORDER BY n.user_id
                ON CONFLICT (user_id, shard) DO UPDATE SET
                    event_count = s.event_count + EXCLUDED.event_count,
                    pattern_count = s.pattern_count + EXCLUDED.pattern_count,
                    relationship_count = s.relationship_count + EXCLUDED.relationship_count,
                    suggestion_count = s.suggestion_count + EXCLUDED.suggestion_count,
                    updated_at = now();
                RETURN NULL;
            END $$`);
    // A delete subtracts from the user's lowest existing row (one exists: the rows were
    // counted when inserted). It never inserts, so a cascade from a deleted user cannot
    // re-create that user's counters.
    await queryRunner.query(`
            CREATE FUNCTION user_stats_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE user_stats s SET
                    event_count = s.event_count - CASE TG_ARGV[0] WHEN 'events' THEN d.c ELSE 0 END,
                    pattern_count = s.pattern_count - CASE TG_ARGV[0] WHEN 'patterns' THEN d.c ELSE 0 END,
                    relationship_count = s.relationship_count - CASE TG_ARGV[0] WHEN 'relationships' THEN d.c ELSE 0 END,
                    suggestion_count = s.suggestion_count - CASE TG_ARGV[0] WHEN 'suggestions' THEN d.c ELSE 0 END,
                    updated_at = now()
                  FROM (SELECT user_id, count(*) AS c FROM old_rows GROUP BY user_id ORDER BY user_id) d
                 WHERE s.user_id = d.user_id
                   AND s.shard = (SELECT min(x.shard) FROM user_stats x WHERE x.user_id = d.user_id);
                RETURN NULL;
            END $$`);
    for (const table of COUNTED) {
      await queryRunner.query(
        `CREATE TRIGGER "trg_${table}_count_insert" AFTER INSERT ON "${table}" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_stats_count_inserted('${table}')`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "trg_${table}_count_delete" AFTER DELETE ON "${table}" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION user_stats_count_deleted('${table}')`,
      );
    }
    // Backfill after the triggers exist: CREATE TRIGGER locks out concurrent writers
    // until this migration commits, so no row is counted twice or missed.
    await queryRunner.query(`
            INSERT INTO user_stats (user_id, shard, event_count, pattern_count, relationship_count, suggestion_count)
            SELECT u.id, 0,
                   (SELECT count(*) FROM events e WHERE e.user_id = u.id),
                   (SELECT count(*) FROM patterns p WHERE p.user_id = u.id),
                   (SELECT count(*) FROM relationships r WHERE r.user_id = u.id),
                   (SELECT count(*) FROM suggestions s WHERE s.user_id = u.id)
              FROM users u`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of COUNTED) {
      await queryRunner.query(`DROP TRIGGER "trg_${table}_count_delete" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "trg_${table}_count_insert" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION user_stats_count_deleted()`);
    await queryRunner.query(`DROP FUNCTION user_stats_count_inserted()`);
    await queryRunner.query(`ALTER TABLE "user_stats" DROP CONSTRAINT "FK_0e0da843088caf61925ded4434e"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_user_timestamp"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "storage_key"`);
    await queryRunner.query(`DROP TABLE "user_stats"`);
    await queryRunner.query(`CREATE INDEX "idx_events_user_timestamp" ON "events"  ("user_id", "timestamp") `);
  }
}
