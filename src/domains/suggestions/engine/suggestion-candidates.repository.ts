import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Sql } from '@/platform/database/sql';
import { ANONYMISED_PATH, anonymisePath } from '@/domains/patterns';
import type { SuggestionRow } from '../dto/suggestion.dto';
import { SUGGESTION_COLUMNS } from '../suggestions.repository';
import type { Candidate } from './match';

export type SavedSuggestion = SuggestionRow & { inserted: boolean };

/** The engine's statements on the suggestions table: storing its candidates, anonymising stored paths. */
@Injectable()
export class SuggestionCandidatesRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Stores the engine's candidates for one user, in the caller's transaction `tx` (which holds
   * the user's analysis lock, so two evaluations never race):
   * - a (rule, evidence) the user dismissed or applied is never suggested again;
   * - an open one is updated in place — only when something changed, so re-running
   *   changes nothing;
   * - new ones are created best first while the user has fewer than `maxSuggestions` open
   *   (neither dismissed nor applied) suggestions.
   * Returns the rows created or changed.
   */
  async save(userId: string, candidates: Candidate[], maxSuggestions: number, tx: EntityManager): Promise<SavedSuggestion[]> {
    if (!candidates.length) return [];
    const { rows: known } = await this.sql.run<{ rule_id: string; evidence_key: string; is_dismissed: boolean; is_applied: boolean }>(
      `SELECT s.rule_id, s.evidence_key, s.is_dismissed, s.is_applied FROM suggestions s
      WHERE s.user_id = $1 AND (s.rule_id, s.evidence_key) IN (SELECT * FROM unnest($2::varchar[], $3::varchar[]))`,
      [userId, candidates.map((c) => c.ruleId), candidates.map((c) => c.evidenceKey)],
      tx,
    );
    const state = new Map(known.map((k) => [`${k.rule_id}\u0000${k.evidence_key}`, k.is_dismissed || k.is_applied ? 'closed' : 'open']));
    const {
      rows: [{ open }],
    } = await this.sql.run<{ open: number }>(
      'SELECT count(*)::int AS open FROM suggestions WHERE user_id = $1 AND NOT is_dismissed AND NOT is_applied',
      [userId],
      tx,
    );
    let free = Math.max(0, maxSuggestions - open);
    const chosen = candidates.filter((c) => {
      const s = state.get(`${c.ruleId}\u0000${c.evidenceKey}`);
      if (s === 'open') return true;
      if (s === 'closed' || free === 0) return false;
      free--;
      return true;
    });
    if (!chosen.length) return [];
    const { rows } = await this.sql.run<SavedSuggestion>(
      `INSERT INTO suggestions AS s (user_id, rule_id, evidence_key, trigger, tools_involved, suggested_integration, suggested_connector,
                                   sample_code, reasoning, actual_files, confidence, metadata)
     SELECT $1, c.rule_id, c.evidence_key, c.trigger, c.tools::jsonb, c.integration, c.connector, c.sample, c.reasoning, c.files::jsonb,
            c.confidence, c.metadata::jsonb
       FROM unnest($2::varchar[], $3::varchar[], $4::text[], $5::text[], $6::varchar[], $7::varchar[], $8::text[], $9::text[], $10::text[],
                   $11::float8[], $12::text[])
            AS c(rule_id, evidence_key, trigger, tools, integration, connector, sample, reasoning, files, confidence, metadata)
      ORDER BY c.rule_id, c.evidence_key
     ON CONFLICT (user_id, rule_id, evidence_key) WHERE rule_id IS NOT NULL DO UPDATE SET
       trigger = EXCLUDED.trigger, tools_involved = EXCLUDED.tools_involved, suggested_integration = EXCLUDED.suggested_integration,
       suggested_connector = EXCLUDED.suggested_connector, sample_code = EXCLUDED.sample_code, reasoning = EXCLUDED.reasoning,
       actual_files = EXCLUDED.actual_files, confidence = EXCLUDED.confidence, metadata = EXCLUDED.metadata, updated_at = now()
       WHERE NOT s.is_dismissed AND NOT s.is_applied
         AND (s.trigger, s.tools_involved, s.suggested_integration, s.suggested_connector, s.sample_code, s.reasoning, s.actual_files,
              s.confidence, s.metadata)
             IS DISTINCT FROM
             (EXCLUDED.trigger, EXCLUDED.tools_involved, EXCLUDED.suggested_integration, EXCLUDED.suggested_connector, EXCLUDED.sample_code,
              EXCLUDED.reasoning, EXCLUDED.actual_files, EXCLUDED.confidence, EXCLUDED.metadata)
     RETURNING ${SUGGESTION_COLUMNS}, (s.xmax = 0) AS inserted`,
      [
        userId,
        chosen.map((c) => c.ruleId),
        chosen.map((c) => c.evidenceKey),
        chosen.map((c) => c.trigger),
        chosen.map((c) => JSON.stringify(c.toolsInvolved)),
        chosen.map((c) => c.suggestedIntegration),
        chosen.map((c) => c.suggestedConnector),
        chosen.map((c) => c.sampleCode),
        chosen.map((c) => c.reasoning),
        chosen.map((c) => JSON.stringify(c.actualFiles)),
        chosen.map((c) => c.confidence),
        chosen.map((c) => JSON.stringify(c.metadata)),
      ],
      tx,
    );
    return rows;
  }

  /**
   * With anonymize_paths on, no stored suggestion may keep a real path — dismissed and
   * applied ones included (they stay, as the memory of what not to suggest again). Each
   * real path of `actual_files` becomes its token, and the texts that cite it (the full
   * path, its file name, its directory) are rewritten. Idempotent: rows already clean are
   * not touched.
   */
  async scrubPaths(userId: string, salt: string, tx: EntityManager): Promise<number> {
    const { rows } = await this.sql.run<{
      id: string;
      trigger: string;
      reasoning: string | null;
      sample_code: string | null;
      actual_files: string[];
    }>(
      `SELECT s.id, s.trigger, s.reasoning, s.sample_code, s.actual_files FROM suggestions s
      WHERE s.user_id = $1 AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(s.actual_files) f WHERE f !~ $2)
      FOR UPDATE`,
      [userId, ANONYMISED_PATH.source],
      tx,
    );
    for (const row of rows) {
      const replacements = row.actual_files
        .flatMap((p) => pathFragments(p, anonymisePath(salt, p)))
        .sort((a, b) => b[0].length - a[0].length);
      const clean = (text: string | null) => (text === null ? null : replacements.reduce((t, [from, to]) => t.split(from).join(to), text));
      await this.sql.run(
        'UPDATE suggestions SET trigger = $2, reasoning = $3, sample_code = $4, actual_files = $5::jsonb, updated_at = now() WHERE id = $1',
        [
          row.id,
          clean(row.trigger),
          clean(row.reasoning),
          clean(row.sample_code),
          JSON.stringify(row.actual_files.map((p) => anonymisePath(salt, p))),
        ],
        tx,
      );
    }
    return rows.length;
  }
}

/** [real, replacement] pairs: the path, its file name and its directory (when long enough to be a path). */
function pathFragments(path: string, token: string): [string, string][] {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const out: [string, string][] = [[path, token]];
  if (cut >= 0) {
    const name = path.slice(cut + 1);
    const dir = path.slice(0, cut);
    if (name.length >= 3) out.push([name, token.slice(token.indexOf('/') + 1)]);
    if (dir.length >= 3) out.push([dir, 'anon']);
  }
  return out;
}
