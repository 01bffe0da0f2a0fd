import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ResponseCache } from '../cache/response-cache.service';
import { RealtimeService } from '../realtime/realtime.service';
import { EventsQueryService } from '../events/events-query.service';
import { fileExtension } from '../patterns/file-extension';
import { PatternsService } from '../patterns/patterns.service';
import { UserConfigService } from '../users/user-config.service';
import { SUGGESTION_COLUMNS, SuggestionResponse, type SuggestionRow } from './dto/suggestion.dto';
import { Suggestion } from './entities/suggestion.entity';
import { MIN_EVIDENCE, suggestFromPatterns } from './generator/rules';

/** How much history one generation reads: the strongest patterns and the latest file paths. */
const PATTERNS_READ = 50;
const RECENT_EVENTS_READ = 1_000;

/**
 * POST /api/suggestions/generate: runs the rule catalogue over the caller's patterns and
 * stores what is new. A suggestion is identified by (rule, evidence); one the user has
 * already seen — dismissed ones included — is never created twice (unique index,
 * ON CONFLICT DO NOTHING), so the answer is the list of genuinely new suggestions.
 */
@Injectable()
export class SuggestionGeneratorService {
  constructor(
    @InjectRepository(Suggestion) private readonly suggestions: Repository<Suggestion>,
    private readonly userConfigs: UserConfigService,
    private readonly patterns: PatternsService,
    private readonly events: EventsQueryService,
    private readonly cache: ResponseCache,
    private readonly realtime: RealtimeService,
  ) {}

  async generate(userId: string): Promise<SuggestionResponse[]> {
    const [config, patterns, recentPaths] = await Promise.all([
      this.userConfigs.get(userId),
      this.patterns.strongest(userId, MIN_EVIDENCE, PATTERNS_READ),
      this.events.recentFilePaths(userId, RECENT_EVENTS_READ),
    ]);
    const settings = config.suggestionsConfig as { max_suggestions?: unknown; use_actual_file_paths?: unknown };
    const candidates = suggestFromPatterns(
      patterns,
      filesByExtension(recentPaths),
      {
        maxSuggestions: typeof settings.max_suggestions === 'number' ? settings.max_suggestions : 5,
        useActualFilePaths: settings.use_actual_file_paths !== false,
      },
      new Date(),
    );
    if (!candidates.length) return [];
    const rows = (await this.suggestions.query(
      `INSERT INTO suggestions AS s (user_id, rule_id, evidence_key, trigger, tools_involved, suggested_integration,
                                     sample_code, reasoning, actual_files, confidence)
       SELECT $1, c.rule_id, c.evidence_key, c.trigger, c.tools::jsonb, c.integration, c.sample, c.reasoning, c.files::jsonb, c.confidence
         FROM unnest($2::varchar[], $3::varchar[], $4::text[], $5::text[], $6::varchar[], $7::text[], $8::text[], $9::text[], $10::float8[])
              AS c(rule_id, evidence_key, trigger, tools, integration, sample, reasoning, files, confidence)
       ON CONFLICT (user_id, rule_id, evidence_key) WHERE rule_id IS NOT NULL DO NOTHING
       RETURNING ${SUGGESTION_COLUMNS}`,
      [
        userId,
        candidates.map((c) => c.ruleId),
        candidates.map((c) => c.evidenceKey),
        candidates.map((c) => c.trigger),
        candidates.map((c) => JSON.stringify(c.toolsInvolved)),
        candidates.map((c) => c.suggestedIntegration),
        candidates.map((c) => c.sampleCode),
        candidates.map((c) => c.reasoning),
        candidates.map((c) => JSON.stringify(c.actualFiles)),
        candidates.map((c) => c.confidence),
      ],
    )) as SuggestionRow[];
    if (rows.length) await this.cache.invalidate(userId);
    const created = rows.map(SuggestionResponse.from).sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));
    for (const s of created) this.realtime.toUser(userId, 'suggestion.created', { id: s.id, trigger: s.trigger, confidence: s.confidence });
    return created;
  }
}

/** Up to 5 distinct recent paths per extension, newest first. */
function filesByExtension(paths: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const path of paths) {
    const ext = fileExtension(path);
    if (!ext) continue;
    const list = out.get(ext) ?? [];
    if (list.length < 5 && !list.includes(path)) list.push(path);
    out.set(ext, list);
  }
  return out;
}
