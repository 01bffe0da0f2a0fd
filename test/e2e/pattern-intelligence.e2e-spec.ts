import { randomUUID } from 'node:crypto';
import { PatternAnalysisService } from '../../src/domains/patterns/analysis/pattern-analysis.service';
import { type Fixture, type FixtureEvent, generateActivity } from '../fixtures/activity-generator';
import { createTestApp, type TestApp } from '../helpers/app';
import { ACTIVITY_ENV, addEvents, get } from '../helpers/activity';
import { query } from '../helpers/databases';
import { bearer, registerAndLogin, type TestUser } from '../helpers/users';
import { TEST_DATABASE_URL } from '../setup/test-env';

/**
 * Pattern intelligence end to end, in-process, on the seeded synthetic activity of
 * test/fixtures: what the engine finds, that the analysis is incremental and idempotent,
 * that anonymised paths stay out of everything stored, that dismissed and applied
 * suggestions stay gone, and that a suggestion becomes a draft workflow.
 */

interface Suggestion {
  id: string;
  trigger: string;
  tools_involved: string[];
  suggested_integration: string | null;
  suggested_connector: string | null;
  sample_code: string | null;
  reasoning: string;
  actual_files: string[];
  confidence: number;
  is_dismissed: boolean;
  is_applied: boolean;
}

const q = <T = Record<string, unknown>>(sql: string, params: unknown[]) => query<T>(TEST_DATABASE_URL, sql, params);

/** What the analysis stores for a user, without ids and write clocks. */
async function analysisRows(userId: string) {
  const rows = (sql: string) => q(sql, [userId]);
  return {
    relationships: await rows(
      `SELECT relation_type, source_file, target_file, weight, first_seen, last_seen FROM relationships WHERE user_id = $1
        ORDER BY relation_type, source_file, target_file`,
    ),
    temporal: await rows(
      `SELECT sequence_key, sequence, count, avg_gap_seconds, example_files, first_seen, last_seen, metadata FROM temporal_patterns
        WHERE user_id = $1 ORDER BY sequence_key`,
    ),
    candidates: await rows(
      'SELECT sequence_key, steps, count, first_seen, last_seen, data FROM sequence_candidates WHERE user_id = $1 ORDER BY sequence_key',
    ),
    patterns: await rows('SELECT file_extension, count, tools, metadata FROM patterns WHERE user_id = $1 ORDER BY file_extension'),
    state: await rows('SELECT position_at, tail, fingerprint, events_analysed, steps_total FROM pattern_analysis_state WHERE user_id = $1'),
  };
}

/** The stored suggestions, without ids and clocks. */
const suggestionRows = (userId: string) =>
  q(
    `SELECT rule_id, evidence_key, trigger, tools_involved, suggested_integration, suggested_connector, sample_code, reasoning, actual_files, confidence, metadata,
            is_dismissed, is_applied FROM suggestions WHERE user_id = $1 ORDER BY rule_id, evidence_key`,
    [userId],
  );

const ruleOf = async (id: string) => (await q<{ rule_id: string }>('SELECT rule_id FROM suggestions WHERE id = $1', [id]))[0].rule_id;
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

describe('pattern intelligence', () => {
  let t: TestApp;
  let fixture: Fixture;
  beforeAll(async () => {
    t = await createTestApp(ACTIVITY_ENV);
    fixture = generateActivity(); // three weeks ending 2026-10-26: nothing waits to settle
  });
  afterAll(() => t.close());

  const post = (u: TestUser, url: string) => t.http().post(url).set(bearer(u.accessToken));
  const setConfig = (u: TestUser, body: Record<string, unknown>) =>
    t.http().put('/api/config').set(bearer(u.accessToken)).send(body).expect(200);
  const generate = async (u: TestUser): Promise<Suggestion[]> =>
    (await post(u, '/api/suggestions/generate').expect(200)).body as Suggestion[];
  const listAll = async (u: TestUser): Promise<Suggestion[]> =>
    (await get(t, u, '/api/suggestions?limit=100').expect(200)).body.items as Suggestion[];
  const userWith = async (
    events: FixtureEvent[],
    suggestionsConfig: Record<string, unknown> = { max_suggestions: 20, use_actual_file_paths: true },
  ) => {
    const u = await registerAndLogin(t);
    await setConfig(u, { suggestions_config: suggestionsConfig });
    if (events.length) await addEvents(t, u, events);
    return u;
  };

  it('finds every planted routine, cites the evidence, and ranks routines above incidental habits', async () => {
    const u = await userWith(fixture.events);
    const created = await generate(u);
    const rules = await Promise.all(created.map((s) => ruleOf(s.id)));
    for (const p of [...fixture.planted, ...fixture.incidental]) expect(rules).toContain(p.rule);
    // nothing else: no suggestion out of the noise around the routines
    expect([...rules].sort()).toEqual([...fixture.planted, ...fixture.incidental].map((p) => p.rule).sort());
    const byRule = new Map(created.map((s, i) => [rules[i], s]));

    const planted = fixture.planted.map((p) => byRule.get(p.rule)!.confidence);
    const incidental = fixture.incidental.map((p) => byRule.get(p.rule)!.confidence);
    expect(Math.min(...planted)).toBeGreaterThan(Math.max(...incidental));
    expect(created.map((s) => s.confidence)).toEqual([...created.map((s) => s.confidence)].sort((a, b) => b - a)); // best first
    for (const s of created) {
      expect(s.confidence).toBeGreaterThan(0);
      expect(s.confidence).toBeLessThanOrEqual(1);
      expect(s).toMatchObject({ is_dismissed: false, is_applied: false });
      expect(s.sample_code).toBeTruthy();
    }

    const csv = fixture.planted.find((p) => p.id === 'csv-outputs')!;
    const dropbox = byRule.get('outputs-sync-dropbox')!;
    expect(dropbox).toMatchObject({
      suggested_integration: 'Dropbox: sync the new CSV files python writes',
      suggested_connector: 'dropbox',
      trigger: 'When python writes a new .csv file',
    });
    expect(dropbox.tools_involved).toEqual(['python', 'dropbox']);
    expect(dropbox.reasoning).toContain(`${csv.occurrences} times on ${csv.occurrences} different days`);
    expect(dropbox.reasoning).toMatch(/between 2026-10-\d\d and 2026-10-\d\d/);
    expect(dropbox.actual_files.length).toBeGreaterThan(0);
    for (const f of dropbox.actual_files) expect(csv.files).toContain(f); // the user's real paths
    expect(dropbox.reasoning).toContain(basename(dropbox.actual_files[0]));

    expect(byRule.get('converted-pdf-email')).toMatchObject({ suggested_connector: 'email', tools_involved: ['word', 'outlook'] });
    expect(byRule.get('push-ci-github')).toMatchObject({
      suggested_integration: 'GitHub: run checks on every push',
      suggested_connector: 'github',
      trigger: 'When you push commits',
      actual_files: [],
    });
    const schedule = byRule.get('routine-schedule')!;
    expect(schedule).toMatchObject({ suggested_connector: null, trigger: 'Every weekday at 08:00 UTC' });
    expect(schedule.suggested_integration).toMatch(/^Scheduled routine: /);
    expect(schedule.sample_code).toContain('"cron": "0 8 * * 1-5"');

    // the analysis behind it: relationships with types, recurring sequences, histograms
    const rows = await analysisRows(u.id);
    expect(rows.relationships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          relation_type: 'output_of',
          source_file: '/home/ana/analysis/report.py',
          target_file: '/home/ana/analysis/out/results-3.csv',
        }),
        expect.objectContaining({
          relation_type: 'same_session',
          source_file: '/home/ana/docs/proposal-v2.docx',
          target_file: '/home/ana/docs/proposal-v2.pdf',
        }),
      ]),
    );
    const temporal = new Map(rows.temporal.map((r) => [r.sequence_key as string, r]));
    for (const p of fixture.planted) {
      expect(temporal.get(p.steps.join(' → '))).toMatchObject({ count: p.occurrences, sequence: p.steps });
    }
    expect(rows.temporal.every((r) => (r.count as number) >= 3)).toBe(true); // only what recurs
    const xlsx = rows.patterns.find((p) => p.file_extension === '.xlsx')!;
    const hours = (xlsx.metadata as { hours: number[] }).hours;
    expect(hours[8]).toBe(2 * fixture.planted.find((p) => p.id === 'morning-report')!.occurrences); // opened + refresh at 08:xx
    expect((xlsx.metadata as { weekdays: number[] }).weekdays.slice(5)).toEqual([0, 0]);
  });

  it('finds nothing in pure noise, even when chance strings the routines’ steps together (three seeds)', async () => {
    for (const seed of [2, 3, 4]) {
      const u = await userWith(generateActivity({ seed, routines: false, decoys: true, noisePerDay: 120 }).events);
      expect(await generate(u)).toEqual([]);
      expect(await listAll(u)).toEqual([]);
      // the test has teeth: sequences a rule would match did recur, by chance
      const recurring = (await analysisRows(u.id)).temporal.map((r) => r.sequence_key);
      expect(recurring).toEqual(expect.arrayContaining(['git:commit → git:push', 'python:run:.py → file:created:.csv']));
    }
  });

  it('honours max_suggestions (best first) and use_actual_file_paths', async () => {
    const u = await userWith(fixture.events, { max_suggestions: 1, use_actual_file_paths: false });
    const created = await generate(u);
    expect(created).toHaveLength(1);
    expect(await ruleOf(created[0].id)).toBe('outputs-sync-dropbox'); // the most confident
    expect(created[0].actual_files).toEqual([]);
    for (const p of fixture.paths) expect(created[0].reasoning).not.toContain(basename(p));
    expect(await generate(u)).toEqual([]);
    expect(await listAll(u)).toHaveLength(1);
  });

  it('is idempotent, and incremental: twice, in halves, in small batches or with late events, the same rows', async () => {
    const once = await userWith(fixture.events);
    await generate(once);
    const reference = await analysisRows(once.id);
    const suggestions = await suggestionRows(once.id);
    expect(reference.temporal.length).toBeGreaterThan(0);
    expect(await generate(once)).toEqual([]); // nothing new: nothing changes
    expect(await analysisRows(once.id)).toEqual(reference);
    expect(await suggestionRows(once.id)).toEqual(suggestions);

    const mid = Math.floor(fixture.events.length / 2);
    const halves = await userWith(fixture.events.slice(0, mid));
    await generate(halves);
    await addEvents(t, halves, fixture.events.slice(mid));
    await generate(halves);
    expect(await analysisRows(halves.id)).toEqual(reference);

    // batches of 100 events: results never depend on where batches are cut
    const small = await userWith(fixture.events);
    const run = await t.app.get(PatternAnalysisService).analyse(small.id, { budgetMs: 60_000, anonymise: false, batchSize: 100 });
    expect(run).toMatchObject({ caughtUp: true, events: fixture.events.length, batches: Math.ceil((fixture.events.length + 1) / 100) });
    expect(await analysisRows(small.id)).toEqual(reference);

    // every 7th event arrives after the rest was analysed (another device syncing late): a rebuild
    const late = await userWith(fixture.events.filter((_, i) => i % 7 !== 3));
    await generate(late);
    await addEvents(
      t,
      late,
      fixture.events.filter((_, i) => i % 7 === 3),
    );
    await generate(late);
    expect(await analysisRows(late.id)).toEqual(reference);
  });

  it('with anonymize_paths, no real path is in any stored pattern or suggestion — also when switched on later', async () => {
    const leaks = async (userId: string) => {
      const stored = JSON.stringify([await analysisRows(userId), await suggestionRows(userId)]);
      // a file name counts when not glued to hex (an anonymised `anon/…9b.zip` ends in `b.zip`)
      const cited = (name: string) => new RegExp(`(^|[^0-9a-f])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(stored);
      return fixture.paths.flatMap((p) => [p, basename(p)]).filter(cited);
    };
    const anonymous = await registerAndLogin(t);
    await setConfig(anonymous, {
      suggestions_config: { max_suggestions: 20, use_actual_file_paths: true },
      privacy_config: { anonymize_paths: true },
    });
    await addEvents(t, anonymous, fixture.events);
    const created = await generate(anonymous);
    expect(created.length).toBe(fixture.planted.length + fixture.incidental.length); // the same findings
    expect(await leaks(anonymous.id)).toEqual([]);
    const files = created.flatMap((s) => s.actual_files);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^anon\/[0-9a-f]{12}\.\w+$/);
    expect((await analysisRows(anonymous.id)).relationships.length).toBeGreaterThan(0);

    const later = await userWith(fixture.events);
    await generate(later);
    expect((await leaks(later.id)).length).toBeGreaterThan(0); // real paths while allowed
    const [dropbox] = (
      await q<{ id: string }>(`SELECT id FROM suggestions WHERE user_id = $1 AND rule_id = 'outputs-sync-dropbox'`, [later.id])
    ).map((r) => r.id);
    await post(later, `/api/suggestions/${dropbox}/dismiss`).expect(200); // closed ones are scrubbed too
    await setConfig(later, { privacy_config: { anonymize_paths: true } });
    await generate(later);
    expect(await leaks(later.id)).toEqual([]);
    expect(await suggestionRows(later.id)).toHaveLength(fixture.planted.length + fixture.incidental.length); // rewritten, not duplicated
  });

  it('never re-suggests what was dismissed or applied for the same evidence; open ones are updated in place', async () => {
    const u = await userWith(fixture.events);
    const created = await generate(u);
    const idOf = async (rule: string) => created[(await Promise.all(created.map((s) => ruleOf(s.id)))).indexOf(rule)].id;
    const dismissed = await idOf('outputs-sync-dropbox');
    const applied = await idOf('push-ci-github');
    const open = await idOf('converted-pdf-email');
    await post(u, `/api/suggestions/${dismissed}/dismiss`).expect(200);
    await post(u, `/api/suggestions/${applied}/apply`).expect(200);
    const before = (await listAll(u)).find((s) => s.id === open)!;

    // a week more of the same routines
    const nextWeek = generateActivity({ seed: 9, weeks: 1, end: '2026-11-02T00:00:00Z' });
    await addEvents(t, u, nextWeek.events);
    expect(await generate(u)).toEqual([]); // nothing new to suggest
    const after = await listAll(u);
    expect(after).toHaveLength(created.length);
    expect(after.find((s) => s.id === dismissed)).toMatchObject({ is_dismissed: true });
    expect(after.find((s) => s.id === applied)).toMatchObject({ is_applied: true });
    const [{ n }] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM suggestions WHERE user_id = $1 AND rule_id IN ('outputs-sync-dropbox', 'push-ci-github')`,
      [u.id],
    );
    expect(n).toBe(2);
    const updated = after.find((s) => s.id === open)!;
    expect(updated.reasoning).not.toEqual(before.reasoning); // more evidence, same row
    const times = (f: Fixture) => f.planted.find((p) => p.id === 'pdf-mail')!.occurrences;
    expect(updated.reasoning).toContain(`${times(fixture) + times(nextWeek)} times`);
  });

  it('turns a suggestion into a draft workflow and marks it applied', async () => {
    const u = await userWith(fixture.events);
    const created = await generate(u);
    const rules = await Promise.all(created.map((s) => ruleOf(s.id)));
    const schedule = created[rules.indexOf('routine-schedule')];
    const res = await post(u, `/api/suggestions/${schedule.id}/workflow`).expect(201);
    expect(res.body).toMatchObject({
      is_active: false,
      version: 1,
      schedule_config: { type: 'cron', cron: '0 8 * * 1-5', timezone: 'UTC' },
      steps: [expect.objectContaining({ type: 'notify' })],
    });
    expect(res.body.name).toContain('excel opened (.xlsx)');
    expect(res.body.description).toContain(schedule.reasoning);
    expect((await listAll(u)).find((s) => s.id === schedule.id)).toMatchObject({ is_applied: true });
    await get(t, u, `/api/workflows/${res.body.id}`).expect(200);

    // with an active Dropbox integration, the draft gets its integration step, with params valid for the
    // connector's action (test/e2e/integrations/suggestion-drafts runs every rule's draft in a worker)
    const [{ id: connector }] = await q<{ id: string }>(`SELECT id FROM integration_connectors WHERE service_type = 'dropbox'`, []);
    const integration = await t
      .http()
      .post('/api/integrations')
      .set(bearer(u.accessToken))
      .send({ connector_id: connector, name: 'Dropbox', config: { access_token: 'sl.secret-token' } })
      .expect(201);
    const dropbox = created[rules.indexOf('outputs-sync-dropbox')];
    const draft = (await post(u, `/api/suggestions/${dropbox.id}/workflow`).expect(201)).body;
    expect(draft.steps).toEqual([
      expect.objectContaining({ type: 'notify' }),
      expect.objectContaining({
        type: 'integration',
        integration_id: integration.body.id,
        action: 'upload_file',
        params: { file: { latest_upload: '*.csv' } },
      }),
    ]);
    expect(draft.schedule_config).toBeNull();

    const other = await registerAndLogin(t);
    expect((await post(other, `/api/suggestions/${dropbox.id}/workflow`).expect(404)).body).toEqual({ detail: 'Suggestion not found' });
    await post(u, `/api/suggestions/${randomUUID()}/workflow`).expect(404);
    expect((await post(u, '/api/suggestions/nope/workflow').expect(404)).body).toEqual({ detail: 'Suggestion not found' });
  });

  it('generate for a user without events answers [] and stores nothing', async () => {
    const u = await userWith([]);
    expect(await generate(u)).toEqual([]);
    expect(await analysisRows(u.id)).toMatchObject({ relationships: [], temporal: [], candidates: [] });
  });
});
