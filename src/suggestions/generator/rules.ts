/**
 * The rule-based suggestion generator: plain functions over a user's extension patterns
 * (no I/O), so they are unit-tested on their own. The pattern-intelligence engine (a
 * later issue) replaces or extends this catalogue; the storage side (dedup on
 * rule_id + evidence_key) stays the same.
 */

import type { PatternEvidence } from '../../patterns/patterns.service';

export interface SuggestionCandidate {
  ruleId: string;
  evidenceKey: string;
  trigger: string;
  toolsInvolved: string[];
  suggestedIntegration: string;
  sampleCode: string;
  reasoning: string;
  actualFiles: string[];
  confidence: number;
}

export interface GeneratorSettings {
  maxSuggestions: number;
  useActualFilePaths: boolean;
}

/** Below this many events with an extension there is no pattern worth automating. */
export const MIN_EVIDENCE = 5;
const FILES_PER_SUGGESTION = 5;

interface Rule {
  id: string;
  extensions: ReadonlySet<string> | 'any';
  integration: string;
  base: number;
  /** Extra evidence needed beyond MIN_EVIDENCE (catch-all rules want more). */
  minCount?: number;
  /** Only when at least this many distinct tools touch the files. */
  minTools?: number;
  trigger: (ext: string, tools: string[]) => string;
  action: string;
  sample: (ext: string, tools: string[]) => string;
}

const set = (...xs: string[]) => new Set(xs);

const CODE = set('.py', '.js', '.ts', '.tsx', '.jsx', '.go', '.rs', '.java', '.rb', '.php', '.c', '.cpp', '.cs', '.kt', '.swift', '.scala', '.sh');
const DOCS = set('.md', '.txt', '.rst', '.doc', '.docx', '.pdf', '.odt', '.tex');
const DATA = set('.csv', '.tsv', '.xlsx', '.xls', '.json', '.parquet', '.xml', '.sql', '.yaml', '.yml');
const MEDIA = set('.png', '.jpg', '.jpeg', '.gif', '.svg', '.psd', '.fig', '.mp4', '.mov', '.mp3', '.wav');
const LOGS = set('.log');

const RULES: Rule[] = [
  {
    id: 'code-ci-github',
    extensions: CODE,
    integration: 'github',
    base: 0.6,
    trigger: (ext) => `You change ${ext} files`,
    action: 'run your checks on GitHub Actions on every push touching them',
    sample: (ext) =>
      [
        `# .github/workflows/floyo${ext.replace('.', '-')}.yml`,
        'on:',
        '  push:',
        `    paths: ['**/*${ext}']`,
        'jobs:',
        '  check:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        `      - run: echo "run the tests and linters for *${ext} here"`,
      ].join('\n'),
  },
  {
    id: 'docs-sync-drive',
    extensions: DOCS,
    integration: 'google_drive',
    base: 0.55,
    trigger: (ext) => `You save a ${ext} document`,
    action: 'sync it to a Google Drive folder so it is backed up and shareable',
    sample: (ext) =>
      JSON.stringify({ trigger: { type: 'file_saved', pattern: `*${ext}` }, action: { connector: 'google_drive', folder: 'Floyo/Documents' } }, null, 2),
  },
  {
    id: 'data-backup-s3',
    extensions: DATA,
    integration: 'aws_s3',
    base: 0.55,
    trigger: (ext) => `You update a ${ext} data file`,
    action: 'copy a versioned snapshot to an S3 bucket',
    sample: (ext) =>
      JSON.stringify({ trigger: { type: 'file_saved', pattern: `*${ext}` }, action: { connector: 'aws_s3', key: `snapshots/{date}/{name}${ext}` } }, null, 2),
  },
  {
    id: 'media-dropbox',
    extensions: MEDIA,
    integration: 'dropbox',
    base: 0.5,
    trigger: (ext) => `You export or edit a ${ext} file`,
    action: 'upload it to Dropbox for sharing',
    sample: (ext) =>
      JSON.stringify({ trigger: { type: 'file_saved', pattern: `*${ext}` }, action: { connector: 'dropbox', path: '/Floyo/Media' } }, null, 2),
  },
  {
    id: 'logs-alert-slack',
    extensions: LOGS,
    integration: 'slack',
    base: 0.5,
    trigger: (ext) => `A ${ext} file changes`,
    action: 'post new error lines to a Slack channel',
    sample: (ext) =>
      JSON.stringify({ trigger: { type: 'file_changed', pattern: `*${ext}`, match: 'ERROR' }, action: { connector: 'slack', channel: '#alerts' } }, null, 2),
  },
  {
    id: 'handoff-slack',
    extensions: 'any',
    integration: 'slack',
    base: 0.45,
    minTools: 2,
    trigger: (ext, tools) => `${tools.slice(0, 3).join(' and ')} both work on ${ext} files`,
    action: 'notify a Slack channel when one tool hands a file over to the next',
    sample: (ext, tools) =>
      JSON.stringify({ trigger: { type: 'file_saved', pattern: `*${ext}`, tools: tools.slice(0, 3) }, action: { connector: 'slack', channel: '#handoffs' } }, null, 2),
  },
  {
    id: 'frequent-backup-dropbox',
    extensions: 'any',
    integration: 'dropbox',
    base: 0.4,
    minCount: 20,
    trigger: (ext) => `You keep coming back to ${ext} files`,
    action: 'back them up to Dropbox automatically',
    sample: (ext) =>
      JSON.stringify({ trigger: { type: 'file_saved', pattern: `*${ext}` }, action: { connector: 'dropbox', path: '/Floyo/Backups' } }, null, 2),
  },
];

const DAY = 86_400_000;

/** Confidence from the rule's prior, the amount of evidence and how recent it is (0.05..0.95). */
export function confidenceOf(base: number, count: number, lastUsed: Date | null, now: Date): number {
  const volume = Math.min(0.25, 0.05 * Math.log2(Math.max(count, 1)));
  const age = lastUsed ? (now.getTime() - lastUsed.getTime()) / DAY : Infinity;
  const recency = age <= 7 ? 1 : age <= 30 ? 0.85 : 0.6;
  return Math.round(Math.min(0.95, Math.max(0.05, (base + volume) * recency)) * 100) / 100;
}

/** Candidates for the user's patterns, best first, at most `maxSuggestions`. */
export function suggestFromPatterns(
  patterns: PatternEvidence[],
  filesByExtension: Map<string, string[]>,
  settings: GeneratorSettings,
  now: Date,
): SuggestionCandidate[] {
  const out: SuggestionCandidate[] = [];
  for (const p of patterns) {
    if (p.count < MIN_EVIDENCE) continue;
    const tools = [...new Set(p.tools)].sort();
    for (const rule of RULES) {
      if (rule.extensions !== 'any' && !rule.extensions.has(p.fileExtension)) continue;
      if (p.count < (rule.minCount ?? MIN_EVIDENCE) || tools.length < (rule.minTools ?? 0)) continue;
      const toolsText = tools.length ? ` with ${tools.join(', ')}` : '';
      const last = p.lastUsed ? `, most recently on ${p.lastUsed.toISOString().slice(0, 10)}` : '';
      out.push({
        ruleId: rule.id,
        evidenceKey: rule.minTools ? `${p.fileExtension}|${tools.slice(0, 3).join(',')}`.slice(0, 255) : p.fileExtension,
        trigger: rule.trigger(p.fileExtension, tools),
        toolsInvolved: tools,
        suggestedIntegration: rule.integration,
        sampleCode: rule.sample(p.fileExtension, tools),
        reasoning: `You worked with ${p.fileExtension} files ${p.count} times${toolsText}${last}; ${rule.action}.`,
        actualFiles: settings.useActualFilePaths ? (filesByExtension.get(p.fileExtension) ?? []).slice(0, FILES_PER_SUGGESTION) : [],
        confidence: confidenceOf(rule.base, p.count, p.lastUsed, now),
      });
    }
  }
  out.sort((a, b) => b.confidence - a.confidence || a.ruleId.localeCompare(b.ruleId) || a.evidenceKey.localeCompare(b.evidenceKey));
  return out.slice(0, Math.max(0, settings.maxSuggestions));
}
