import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole schema of the product (generated from the entities, then reviewed).
 * Two indexes are hand-written because TypeORM cannot express them on the entities:
 * case-insensitive usernames, and relationship pairs keyed by md5 of the paths so that
 * long paths never exceed the btree row limit.
 */

export class InitialSchema1795780826048 implements MigrationInterface {
  name = 'InitialSchema1795780826048';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organizations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(255) NOT NULL, "slug" character varying(255) NOT NULL, "description" text, "subscription_tier" character varying(50) NOT NULL DEFAULT 'free', "is_active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_organizations_slug" ON "organizations"  ("slug") `);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(255) NOT NULL, "username" character varying(100), "full_name" character varying(255), "password_hash" character varying(255) NOT NULL, "is_active" boolean NOT NULL DEFAULT true, "is_superuser" boolean NOT NULL DEFAULT false, "email_verified" boolean NOT NULL DEFAULT false, "email_verified_at" TIMESTAMP WITH TIME ZONE, "verification_token_hash" character(64), "verification_token_expires_at" TIMESTAMP WITH TIME ZONE, "password_reset_token_hash" character(64), "password_reset_expires_at" TIMESTAMP WITH TIME ZONE, "password_changed_at" TIMESTAMP WITH TIME ZONE, "last_login_at" TIMESTAMP WITH TIME ZONE, "deleted_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users"  ("email") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_username_lower" ON "users" (lower("username")) WHERE "username" IS NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_users_verification_token_hash" ON "users"  ("verification_token_hash") WHERE verification_token_hash IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_users_password_reset_token_hash" ON "users"  ("password_reset_token_hash") WHERE password_reset_token_hash IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_logs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid, "organization_id" uuid, "action" character varying(50) NOT NULL, "resource_type" character varying(50) NOT NULL, "resource_id" character varying(255), "ip_address" character varying(64), "user_agent" character varying(512), "details" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1bb179d048bbc581caa3b013439" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_org_created" ON "audit_logs"  ("organization_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_audit_logs_user_created" ON "audit_logs"  ("user_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "user_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "device_info" character varying(255), "ip_address" character varying(64), "user_agent" character varying(512), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(50), CONSTRAINT "PK_e93e031a5fed190d4789b6bfd83" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_user_sessions_user_active" ON "user_sessions"  ("user_id", "expires_at") WHERE revoked_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "session_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_7d8bee0204106019488c4c50ffa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_refresh_tokens_session" ON "refresh_tokens"  ("session_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_refresh_tokens_hash" ON "refresh_tokens"  ("token_hash") `);
    await queryRunner.query(
      `CREATE TABLE "events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "event_type" character varying(50) NOT NULL, "file_path" text, "tool" character varying(100), "operation" character varying(50), "details" jsonb, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_events_user_timestamp" ON "events"  ("user_id", "timestamp") `);
    await queryRunner.query(
      `CREATE TABLE "feature_flags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "description" text, "enabled" boolean NOT NULL DEFAULT false, "rollout_percentage" integer NOT NULL DEFAULT '100', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_feature_flags_rollout" CHECK (rollout_percentage BETWEEN 0 AND 100), CONSTRAINT "PK_db657d344e9caacfc9d5cf8bbac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_feature_flags_name" ON "feature_flags"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "feature_flag_overrides" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "flag_id" uuid NOT NULL, "user_id" uuid, "organization_id" uuid, "enabled" boolean NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_feature_flag_overrides_subject" CHECK ((user_id IS NULL) <> (organization_id IS NULL)), CONSTRAINT "PK_1cf17d8aa221874ceaa1c233315" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_feature_flag_overrides_org" ON "feature_flag_overrides"  ("flag_id", "organization_id") WHERE organization_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_feature_flag_overrides_user" ON "feature_flag_overrides"  ("flag_id", "user_id") WHERE user_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "integration_connectors" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "service_type" character varying(50) NOT NULL, "description" text, "config_schema" jsonb NOT NULL DEFAULT '{}'::jsonb, "is_active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6bbdad874ed56e35aa6b222003f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_integration_connectors_service_type" ON "integration_connectors"  ("service_type") `);
    await queryRunner.query(
      `CREATE TABLE "user_integrations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "organization_id" uuid, "connector_id" uuid NOT NULL, "name" character varying(255) NOT NULL, "config" jsonb NOT NULL DEFAULT '{}'::jsonb, "encrypted_secrets" jsonb NOT NULL DEFAULT '{}'::jsonb, "is_active" boolean NOT NULL DEFAULT true, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c3de1a91ed82f698dbb15248eb0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_user_integrations_org" ON "user_integrations"  ("organization_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_user_integrations_user" ON "user_integrations"  ("user_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "organization_members" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" character varying(20) NOT NULL, "invited_by" uuid, "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_organization_members_role" CHECK (role IN ('owner', 'admin', 'member', 'viewer')), CONSTRAINT "PK_c2b39d5d072886a4d9c8105eb9a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_organization_members_user" ON "organization_members"  ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_organization_members_org_user" ON "organization_members"  ("organization_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "patterns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "file_extension" character varying(50) NOT NULL, "count" integer NOT NULL DEFAULT '0', "last_used" TIMESTAMP WITH TIME ZONE, "tools" jsonb NOT NULL DEFAULT '[]'::jsonb, "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_afb8e3087247ebfc0f30a682a9b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_patterns_user_extension" ON "patterns"  ("user_id", "file_extension") `);
    await queryRunner.query(
      `CREATE TABLE "relationships" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "source_file" text NOT NULL, "target_file" text NOT NULL, "relation_type" character varying(50) NOT NULL, "weight" double precision NOT NULL DEFAULT '1', "first_seen" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ba20e2f5cf487408e08e4dcecaf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_relationships_user" ON "relationships"  ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_relationships_pair" ON "relationships" ("user_id", "relation_type", md5("source_file"), md5("target_file"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "temporal_patterns" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "sequence_key" character varying(600) NOT NULL, "sequence" jsonb NOT NULL DEFAULT '[]'::jsonb, "count" integer NOT NULL DEFAULT '0', "avg_gap_seconds" double precision, "example_files" jsonb NOT NULL DEFAULT '[]'::jsonb, "first_seen" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_95c468aca1080ffde42ec5a3275" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_temporal_patterns_user_sequence" ON "temporal_patterns"  ("user_id", "sequence_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "suggestions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "trigger" text NOT NULL, "tools_involved" jsonb NOT NULL DEFAULT '[]'::jsonb, "suggested_integration" character varying(100), "sample_code" text, "reasoning" text, "actual_files" jsonb NOT NULL DEFAULT '[]'::jsonb, "confidence" double precision NOT NULL DEFAULT '0', "is_dismissed" boolean NOT NULL DEFAULT false, "is_applied" boolean NOT NULL DEFAULT false, "is_bookmarked" boolean NOT NULL DEFAULT false, "rule_id" character varying(100), "evidence_key" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_745bbcb037ac379969b5fc7b352" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_suggestions_user_rule_evidence" ON "suggestions"  ("user_id", "rule_id", "evidence_key") WHERE rule_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "idx_suggestions_user_rank" ON "suggestions"  ("user_id", "confidence", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "user_configs" ("user_id" uuid NOT NULL, "monitored_directories" jsonb NOT NULL DEFAULT '[]'::jsonb, "exclude_patterns" jsonb NOT NULL DEFAULT '[]'::jsonb, "tracking_config" jsonb NOT NULL DEFAULT '{}'::jsonb, "suggestions_config" jsonb NOT NULL DEFAULT '{}'::jsonb, "privacy_config" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9ce6a758be9e806ec5b55dd8870" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "workflows" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "organization_id" uuid, "name" character varying(255) NOT NULL, "description" text, "steps" jsonb NOT NULL DEFAULT '[]'::jsonb, "schedule_config" jsonb, "is_active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "next_run_at" TIMESTAMP WITH TIME ZONE, "last_run_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5b5757cc1cd86268019fef52e0c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_workflows_due" ON "workflows"  ("next_run_at") WHERE is_active AND next_run_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "idx_workflows_org_created" ON "workflows"  ("organization_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_workflows_user_created" ON "workflows"  ("user_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "workflow_executions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workflow_id" uuid NOT NULL, "triggered_by" uuid, "trigger_type" character varying(20) NOT NULL DEFAULT 'manual', "status" character varying(20) NOT NULL DEFAULT 'pending', "scheduled_for" TIMESTAMP WITH TIME ZONE, "idempotency_key" character varying(255), "trigger_data" jsonb, "execution_log" jsonb NOT NULL DEFAULT '[]'::jsonb, "error_message" text, "attempts" integer NOT NULL DEFAULT '0', "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_workflow_executions_status" CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')), CONSTRAINT "PK_9d49b5c86c267d902145ed42c9d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_workflow_executions_idempotency" ON "workflow_executions"  ("workflow_id", "idempotency_key") WHERE idempotency_key IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_workflow_executions_scheduled" ON "workflow_executions"  ("workflow_id", "scheduled_for") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_workflow_executions_created" ON "workflow_executions"  ("created_at") `);
    await queryRunner.query(
      `CREATE INDEX "idx_workflow_executions_workflow_created" ON "workflow_executions"  ("workflow_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "workflow_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workflow_id" uuid NOT NULL, "version_number" integer NOT NULL, "name" character varying(255) NOT NULL, "description" text, "steps" jsonb NOT NULL DEFAULT '[]'::jsonb, "schedule_config" jsonb, "change_summary" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a84eb8dc6065f33ce4b1447955f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_workflow_versions_number" ON "workflow_versions"  ("workflow_id", "version_number") `);
    await queryRunner.query(
      `ALTER TABLE "audit_logs" ADD CONSTRAINT "FK_bd2726fd31b35443f2245b93ba0" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_logs" ADD CONSTRAINT "FK_145f35b204c731ba7fc1a0be0e7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_sessions" ADD CONSTRAINT "FK_e9658e959c490b0a634dfc54783" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_3bf308fa93da3966f9e76fcfba4" FOREIGN KEY ("session_id") REFERENCES "user_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "events" ADD CONSTRAINT "FK_09f256fb7f9a05f0ed9927f406b" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "feature_flag_overrides" ADD CONSTRAINT "FK_ea29d8559861b99fe8ac8bd3ec7" FOREIGN KEY ("flag_id") REFERENCES "feature_flags"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "feature_flag_overrides" ADD CONSTRAINT "FK_188b011163a9a8b9f50576a0683" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "feature_flag_overrides" ADD CONSTRAINT "FK_5fadde6372ef0045f4046c4b90b" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_integrations" ADD CONSTRAINT "FK_cf28b44f6692a32fd41ebdab48e" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_integrations" ADD CONSTRAINT "FK_85c7dc6b48e5db129d75c7e77e7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_integrations" ADD CONSTRAINT "FK_e268624f93c103cbe9dfc63fd6b" FOREIGN KEY ("connector_id") REFERENCES "integration_connectors"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organization_members" ADD CONSTRAINT "FK_7062a4fbd9bab22ffd918e5d3d9" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organization_members" ADD CONSTRAINT "FK_89bde91f78d36ca41e9515d91c6" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organization_members" ADD CONSTRAINT "FK_78252b40612aaddc2138eadc810" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "patterns" ADD CONSTRAINT "FK_e2922881593e79745a8a46b6b3b" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "relationships" ADD CONSTRAINT "FK_19361d881caedba931906f7cf70" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "temporal_patterns" ADD CONSTRAINT "FK_061233157b9cdef7e79ce5a87a5" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "suggestions" ADD CONSTRAINT "FK_d5f8b29a35d481f2c4200dae9e8" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_configs" ADD CONSTRAINT "FK_9ce6a758be9e806ec5b55dd8870" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workflows" ADD CONSTRAINT "FK_0a52180b1fead686fa874dcf951" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workflows" ADD CONSTRAINT "FK_d0327b3752cf21c97fb7ae9f0b2" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workflow_executions" ADD CONSTRAINT "FK_6347f114eeaac28722f959f6e3f" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workflow_executions" ADD CONSTRAINT "FK_40be3ecd1434057cbe3605fe9b9" FOREIGN KEY ("triggered_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workflow_versions" ADD CONSTRAINT "FK_535cc897570fe88cb9733411ecc" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "workflow_versions" ADD CONSTRAINT "FK_a48a7fd5e1ddae671776f1e9fe2" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_versions" DROP CONSTRAINT "FK_a48a7fd5e1ddae671776f1e9fe2"`);
    await queryRunner.query(`ALTER TABLE "workflow_versions" DROP CONSTRAINT "FK_535cc897570fe88cb9733411ecc"`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" DROP CONSTRAINT "FK_40be3ecd1434057cbe3605fe9b9"`);
    await queryRunner.query(`ALTER TABLE "workflow_executions" DROP CONSTRAINT "FK_6347f114eeaac28722f959f6e3f"`);
    await queryRunner.query(`ALTER TABLE "workflows" DROP CONSTRAINT "FK_d0327b3752cf21c97fb7ae9f0b2"`);
    await queryRunner.query(`ALTER TABLE "workflows" DROP CONSTRAINT "FK_0a52180b1fead686fa874dcf951"`);
    await queryRunner.query(`ALTER TABLE "user_configs" DROP CONSTRAINT "FK_9ce6a758be9e806ec5b55dd8870"`);
    await queryRunner.query(`ALTER TABLE "suggestions" DROP CONSTRAINT "FK_d5f8b29a35d481f2c4200dae9e8"`);
    await queryRunner.query(`ALTER TABLE "temporal_patterns" DROP CONSTRAINT "FK_061233157b9cdef7e79ce5a87a5"`);
    await queryRunner.query(`ALTER TABLE "relationships" DROP CONSTRAINT "FK_19361d881caedba931906f7cf70"`);
    await queryRunner.query(`ALTER TABLE "patterns" DROP CONSTRAINT "FK_e2922881593e79745a8a46b6b3b"`);
    await queryRunner.query(`ALTER TABLE "organization_members" DROP CONSTRAINT "FK_78252b40612aaddc2138eadc810"`);
    await queryRunner.query(`ALTER TABLE "organization_members" DROP CONSTRAINT "FK_89bde91f78d36ca41e9515d91c6"`);
    await queryRunner.query(`ALTER TABLE "organization_members" DROP CONSTRAINT "FK_7062a4fbd9bab22ffd918e5d3d9"`);
    await queryRunner.query(`ALTER TABLE "user_integrations" DROP CONSTRAINT "FK_e268624f93c103cbe9dfc63fd6b"`);
    await queryRunner.query(`ALTER TABLE "user_integrations" DROP CONSTRAINT "FK_85c7dc6b48e5db129d75c7e77e7"`);
    await queryRunner.query(`ALTER TABLE "user_integrations" DROP CONSTRAINT "FK_cf28b44f6692a32fd41ebdab48e"`);
    await queryRunner.query(`ALTER TABLE "feature_flag_overrides" DROP CONSTRAINT "FK_5fadde6372ef0045f4046c4b90b"`);
    await queryRunner.query(`ALTER TABLE "feature_flag_overrides" DROP CONSTRAINT "FK_188b011163a9a8b9f50576a0683"`);
    await queryRunner.query(`ALTER TABLE "feature_flag_overrides" DROP CONSTRAINT "FK_ea29d8559861b99fe8ac8bd3ec7"`);
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "FK_09f256fb7f9a05f0ed9927f406b"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_3bf308fa93da3966f9e76fcfba4"`);
    await queryRunner.query(`ALTER TABLE "user_sessions" DROP CONSTRAINT "FK_e9658e959c490b0a634dfc54783"`);
    await queryRunner.query(`ALTER TABLE "audit_logs" DROP CONSTRAINT "FK_145f35b204c731ba7fc1a0be0e7"`);
    await queryRunner.query(`ALTER TABLE "audit_logs" DROP CONSTRAINT "FK_bd2726fd31b35443f2245b93ba0"`);
    await queryRunner.query(`DROP INDEX "public"."uq_workflow_versions_number"`);
    await queryRunner.query(`DROP TABLE "workflow_versions"`);
    await queryRunner.query(`DROP INDEX "public"."idx_workflow_executions_workflow_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_workflow_executions_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_workflow_executions_scheduled"`);
    await queryRunner.query(`DROP INDEX "public"."uq_workflow_executions_idempotency"`);
    await queryRunner.query(`DROP TABLE "workflow_executions"`);
    await queryRunner.query(`DROP INDEX "public"."idx_workflows_user_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_workflows_org_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_workflows_due"`);
    await queryRunner.query(`DROP TABLE "workflows"`);
    await queryRunner.query(`DROP TABLE "user_configs"`);
    await queryRunner.query(`DROP INDEX "public"."idx_suggestions_user_rank"`);
    await queryRunner.query(`DROP INDEX "public"."uq_suggestions_user_rule_evidence"`);
    await queryRunner.query(`DROP TABLE "suggestions"`);
    await queryRunner.query(`DROP INDEX "public"."uq_temporal_patterns_user_sequence"`);
    await queryRunner.query(`DROP TABLE "temporal_patterns"`);
    await queryRunner.query(`DROP INDEX "public"."idx_relationships_user"`);
    await queryRunner.query(`DROP TABLE "relationships"`);
    await queryRunner.query(`DROP INDEX "public"."uq_patterns_user_extension"`);
    await queryRunner.query(`DROP TABLE "patterns"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organization_members_org_user"`);
    await queryRunner.query(`DROP INDEX "public"."idx_organization_members_user"`);
    await queryRunner.query(`DROP TABLE "organization_members"`);
    await queryRunner.query(`DROP INDEX "public"."idx_user_integrations_user"`);
    await queryRunner.query(`DROP INDEX "public"."idx_user_integrations_org"`);
    await queryRunner.query(`DROP TABLE "user_integrations"`);
    await queryRunner.query(`DROP INDEX "public"."uq_integration_connectors_service_type"`);
    await queryRunner.query(`DROP TABLE "integration_connectors"`);
    await queryRunner.query(`DROP INDEX "public"."uq_feature_flag_overrides_user"`);
    await queryRunner.query(`DROP INDEX "public"."uq_feature_flag_overrides_org"`);
    await queryRunner.query(`DROP TABLE "feature_flag_overrides"`);
    await queryRunner.query(`DROP INDEX "public"."uq_feature_flags_name"`);
    await queryRunner.query(`DROP TABLE "feature_flags"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_user_timestamp"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP INDEX "public"."uq_refresh_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "public"."idx_refresh_tokens_session"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."idx_user_sessions_user_active"`);
    await queryRunner.query(`DROP TABLE "user_sessions"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_logs_user_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_logs_org_created"`);
    await queryRunner.query(`DROP TABLE "audit_logs"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_password_reset_token_hash"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_verification_token_hash"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_email"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organizations_slug"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
  }
}
