import { join } from 'node:path';
import { createScratchDatabase, query } from '../helpers/databases';
import { assertBuilt, ROOT, runNode } from '../helpers/processes';

const CLI = join(ROOT, 'node_modules', 'typeorm', 'cli.js');
const DIST_DS = join(ROOT, 'dist', 'data-source.js');
const TS_CLI = join(ROOT, 'node_modules', 'typeorm', 'cli-ts-node-commonjs.js');

const typeorm = (url: string, ...args: string[]) => runNode(CLI, [...args, '-d', DIST_DS], { DATABASE_URL: url }, 60_000);

const userTables = async (url: string) =>
  (
    await query<{ tablename: string }>(
      url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY 1",
    )
  ).map((r) => r.tablename);

const EXPECTED_TABLES = [
  'audit_logs',
  'events',
  'feature_flag_overrides',
  'feature_flags',
  'integration_connectors',
  'organization_invitations',
  'organization_members',
  'organizations',
  'pattern_analysis_state',
  'patterns',
  'refresh_tokens',
  'relationships',
  'sequence_candidates',
  'suggestions',
  'temporal_patterns',
  'user_configs',
  'user_integrations',
  'user_sessions',
  'user_stats',
  'users',
  'workflow_executions',
  'workflow_hooks',
  'workflow_versions',
  'workflows',
];

describe('migrations (typeorm CLI, real processes)', () => {
  beforeAll(() => assertBuilt());

  it('run all from empty, revert all, run again', async () => {
    const db = await createScratchDatabase('mig');
    try {
      const run = await typeorm(db.url, 'migration:run');
      expect(run.code).toBe(0);
      expect(await userTables(db.url)).toEqual(EXPECTED_TABLES);
      const connectors = await query<{ service_type: string }>(db.url, 'SELECT service_type FROM integration_connectors ORDER BY 1');
      expect(connectors.map((c) => c.service_type)).toEqual(['dropbox', 'email', 'github', 'googledrive', 's3', 'slack']);
      const flags = await query<{ name: string; enabled: boolean }>(db.url, 'SELECT name, enabled FROM feature_flags ORDER BY 1');
      expect(flags).toEqual([
        { name: 'enable_file_uploads', enabled: true },
        { name: 'enable_suggestion_generation', enabled: true },
        { name: 'enable_user_registration', enabled: true },
        { name: 'enable_workflow_execution', enabled: true },
      ]);
      const indexes = (await query<{ indexname: string }>(db.url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).map(
        (r) => r.indexname,
      );
      expect(indexes).toEqual(
        expect.arrayContaining([
          'idx_events_user_timestamp',
          'uq_patterns_user_extension',
          'uq_organization_members_org_user',
          'uq_users_username_lower',
          'uq_workflow_executions_scheduled',
        ]),
      );

      const show = await typeorm(db.url, 'migration:show');
      expect(show.stdout).toMatch(/\[X\].*InitialSchema/);

      const applied = (await query(db.url, 'SELECT 1 FROM migrations')).length;
      for (let i = 0; i < applied; i++) expect((await typeorm(db.url, 'migration:revert')).code).toBe(0);
      expect(await userTables(db.url)).toEqual([]);
      expect(await query(db.url, 'SELECT 1 FROM migrations')).toHaveLength(0);

      expect((await typeorm(db.url, 'migration:run')).code).toBe(0);
      expect(await userTables(db.url)).toEqual(EXPECTED_TABLES);
    } finally {
      await db.drop();
    }
  }, 180_000); // typeorm CLI processes on a loaded 2-core machine

  it('two processes migrating at once both succeed (advisory lock), applying each migration once', async () => {
    const db = await createScratchDatabase('race');
    try {
      const [a, b] = await Promise.all([typeorm(db.url, 'migration:run'), typeorm(db.url, 'migration:run')]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const rows = await query<{ name: string; n: number }>(db.url, 'SELECT name, count(*)::int AS n FROM migrations GROUP BY name');
      expect(rows.length).toBeGreaterThanOrEqual(2);
      for (const r of rows) expect(r.n).toBe(1);
    } finally {
      await db.drop();
    }
  }, 180_000); // typeorm CLI processes on a loaded 2-core machine

  it('the entities and the migrations describe the same schema (no drift)', async () => {
    const db = await createScratchDatabase('drift');
    try {
      expect((await typeorm(db.url, 'migration:run')).code).toBe(0);
      const check = await runNode(
        TS_CLI,
        ['-d', join(ROOT, 'src', 'data-source.ts'), 'migration:generate', '--check', '--dryrun', 'migrations/Drift'],
        // the `@/` alias under ts-node, as `npm run typeorm` registers it
        { DATABASE_URL: db.url, NODE_OPTIONS: '-r tsconfig-paths/register' },
        90_000,
      );
      expect(check.stdout + check.stderr).toMatch(/No changes in database schema were found/);
      expect(check.code).toBe(0);
    } finally {
      await db.drop();
    }
  }, 180_000); // typeorm CLI processes on a loaded 2-core machine
});
