import type { ConnectorType } from '@/domains/integrations';

/**
 * The rule catalogue: data, not code. Each rule names the recurring sequence it looks
 * for (contiguous steps, each matched on tool / action / extension), the connector of
 * the integration catalogue it proposes, and the texts and workflow it produces.
 * Templates use `{placeholders}` filled from the evidence (render.ts):
 *   {s1_tool} {s1_action} {s1_ext} … {s4_*}  the matched steps
 *   {ext}     the extension of the last matched step that has one   {glob} `*{ext}`
 *   {EXT}     that extension as people write it in prose: `CSV`
 *   {steps}   the matched steps in words     {tools}  the tools involved
 *   {when}    e.g. "every weekday at 08:00 UTC" ({When}: capitalised)   {cron}  e.g. "0 8 * * 1-5"
 * Adding a rule is adding an entry; the engine (match.ts) never names a rule.
 */

/** One step of a rule's sequence: every given list must contain the step's part. */
export interface StepMatcher {
  tools?: readonly string[];
  verbs?: readonly string[];
  exts?: readonly string[];
}

export interface SuggestionRule {
  id: string;
  /** service_type of the connector catalogue; null: a scheduled workflow (the draft gets the routine's cron) */
  connector: ConnectorType | null;
  /** contiguous steps to find in a recurring sequence; absent: any sequence (with `timing`) */
  sequence?: readonly StepMatcher[];
  /** the occurrences must concentrate in time: share within the busiest 2 hours, distinct days */
  timing?: { minHourShare: number; minDays: number };
  /** only for sequences no other rule already covers (itself, a part of it, or a longer one) */
  fallback?: boolean;
  /** rules whose suggestion this one replaces when both match the same routine */
  supersedes?: readonly string[];
  /** the card's title: `suggested_integration`, human-readable as the legacy service wrote it */
  title: string;
  trigger: string;
  action: string;
  sample: string;
  /**
   * Which matched step (1-based) is the observable event that starts the automation: the
   * draft gets an activity trigger matching it (its tool, operation and extension). Absent:
   * a time-bound routine (the draft gets the routine's cron).
   */
  triggerStep?: number;
  /**
   * The draft workflow's integration step (when the user has that integration): one of the
   * connector's actions with params valid for it. String values take the `{placeholders}`
   * of the matched steps (`{glob}`, `{ext}`, `{s1_ext}`, …). Files come from the user's
   * uploads (`latest_upload`): the backend does not have the user's disk.
   */
  workflowAction: { action: string; params: Record<string, unknown> } | null;
}

const RUN = ['run', 'ran', 'execute', 'executed', 'exec', 'build', 'script_run', 'command_executed'];
const CREATE = ['create', 'created', 'new', 'generate', 'generated', 'export', 'exported', 'write', 'written', 'save', 'saved', 'output'];
const UPLOAD = ['upload', 'uploaded', 'sync', 'synced', 'copy', 'copied', 'put', 'share', 'shared'];
const SAVE = ['save', 'saved', 'write', 'written', 'edit', 'edited', 'modify', 'modified', 'update', 'updated'];
const CONVERT = ['export', 'exported', 'convert', 'converted', 'print', 'save_as', 'create', 'created', 'save', 'saved'];
const SEND = ['send', 'sent', 'email', 'emailed', 'mail', 'attach', 'attached', 'compose'];
const DATA_EXT = ['.csv', '.tsv', '.xlsx', '.xls', '.parquet', '.json', '.jsonl', '.xml'];
const DOC_EXT = ['.docx', '.doc', '.odt', '.rtf', '.pages', '.md', '.tex', '.pptx', '.key'];

export const RULES: readonly SuggestionRule[] = [
  {
    id: 'outputs-sync-dropbox',
    triggerStep: 2,
    connector: 'dropbox',
    sequence: [{ verbs: RUN }, { verbs: CREATE, exts: DATA_EXT }, { verbs: UPLOAD }],
    supersedes: ['outputs-archive-s3'],
    title: 'Dropbox: sync the new {EXT} files {s1_tool} writes',
    trigger: 'When {s1_tool} writes a new {ext} file',
    action: 'Dropbox can upload each new {ext} output as soon as {s1_tool} writes it, instead of the {s3_tool} upload by hand.',
    sample: [
      '# Upload a new {ext} output to Dropbox (DROPBOX_TOKEN: an app token with files.content.write)',
      'curl -sS -X POST https://content.dropboxapi.com/2/files/upload \\',
      '  --header "Authorization: Bearer $DROPBOX_TOKEN" \\',
      '  --header "Dropbox-API-Arg: {\\"path\\": \\"/Floyo/outputs/$(basename "$1")\\", \\"mode\\": \\"overwrite\\"}" \\',
      '  --header "Content-Type: application/octet-stream" \\',
      '  --data-binary @"$1"',
    ].join('\n'),
    workflowAction: { action: 'upload_file', params: { file: { latest_upload: '{glob}' } } },
  },
  {
    id: 'outputs-archive-s3',
    triggerStep: 2,
    connector: 's3',
    sequence: [{ verbs: RUN }, { verbs: CREATE, exts: DATA_EXT }],
    title: 'AWS S3: archive the {EXT} files {s1_tool} writes',
    trigger: 'When {s1_tool} writes a new {ext} file',
    action: 'An S3 bucket can keep a dated copy of every {ext} output, so earlier runs stay available.',
    sample: [
      '# Keep a dated copy of each new {ext} output (AWS CLI; bucket of your S3 integration)',
      'aws s3 cp "$1" "s3://$FLOYO_BUCKET/outputs/$(date -u +%Y-%m-%d)/$(basename "$1")"',
    ].join('\n'),
    workflowAction: { action: 'put_object', params: { file: { latest_upload: '{glob}' }, key_prefix: 'outputs/', dated: true } },
  },
  {
    id: 'converted-pdf-email',
    triggerStep: 2,
    connector: 'email',
    sequence: [{ verbs: SAVE, exts: DOC_EXT }, { verbs: CONVERT, exts: ['.pdf'] }, { verbs: SEND }],
    supersedes: ['converted-pdf-drive'],
    title: 'Email: send the converted PDF',
    trigger: 'When a {s1_ext} document is exported to PDF',
    action: 'Floyo can email the PDF to the usual recipients as soon as it is exported, instead of attaching it by hand in {s3_tool}.',
    sample: JSON.stringify(
      {
        trigger: { type: 'file_created', pattern: '*.pdf' },
        action: {
          connector: 'email',
          to: ['team@example.com'],
          subject: 'New version: {{trigger.file_name}}',
          attach: '{{trigger.file_path}}',
        },
      },
      null,
      2,
    ),
    workflowAction: {
      action: 'send_email',
      params: {
        subject: 'New version of your {s1_ext} document (PDF attached)',
        text: 'Floyo sends the PDF you exported most recently; it is attached.',
        attachment: { latest_upload: '*.pdf' },
      },
    },
  },
  {
    id: 'converted-pdf-drive',
    triggerStep: 2,
    connector: 'googledrive',
    sequence: [
      { verbs: SAVE, exts: DOC_EXT },
      { verbs: CONVERT, exts: ['.pdf'] },
    ],
    title: 'Google Drive: publish exported PDFs',
    trigger: 'When a {s1_ext} document is exported to PDF',
    action: 'A shared Google Drive folder can receive every exported PDF automatically.',
    sample: JSON.stringify(
      { trigger: { type: 'file_created', pattern: '*.pdf' }, action: { connector: 'googledrive', folder: 'Floyo/PDF exports' } },
      null,
      2,
    ),
    workflowAction: { action: 'upload_file', params: { file: { latest_upload: '*.pdf' }, subfolder: 'Floyo PDF exports' } },
  },
  {
    id: 'push-ci-github',
    triggerStep: 2,
    connector: 'github',
    sequence: [
      { tools: ['git'], verbs: ['commit'] },
      { tools: ['git'], verbs: ['push'] },
    ],
    title: 'GitHub: run checks on every push',
    trigger: 'When you push commits',
    action: 'A GitHub Actions workflow can run the tests on every push, so you do not run them by hand before each commit.',
    sample: [
      '# .github/workflows/floyo-checks.yml',
      'on: [push]',
      'jobs:',
      '  checks:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: make test   # your test command',
    ].join('\n'),
    workflowAction: { action: 'dispatch_workflow', params: { workflow: 'floyo-checks.yml' } },
  },
  {
    id: 'docs-share-drive',
    triggerStep: 1,
    connector: 'googledrive',
    sequence: [{ verbs: SAVE, exts: DOC_EXT }, { verbs: UPLOAD }],
    title: 'Google Drive: sync your {EXT} documents',
    trigger: 'When you save a {s1_ext} document',
    action: 'Google Drive can sync the document when you save it, instead of the {s2_tool} upload by hand.',
    sample: JSON.stringify(
      { trigger: { type: 'file_saved', pattern: '{glob}' }, action: { connector: 'googledrive', folder: 'Floyo/Documents' } },
      null,
      2,
    ),
    workflowAction: { action: 'upload_file', params: { file: { latest_upload: '{glob}' }, subfolder: 'Floyo Documents' } },
  },
  {
    id: 'routine-schedule',
    connector: null,
    timing: { minHourShare: 0.75, minDays: 4 },
    fallback: true,
    title: 'Scheduled routine: {steps}',
    trigger: '{When}',
    action: 'A scheduled workflow can run {when} and get it started for you.',
    sample: JSON.stringify(
      {
        name: 'Routine: {steps}',
        schedule_config: { type: 'cron', cron: '{cron}' },
        steps: [{ type: 'notify', message: 'Time for: {steps}' }],
      },
      null,
      2,
    ),
    workflowAction: null,
  },
];

export const ruleById = (id: string | null): SuggestionRule | undefined => RULES.find((r) => r.id === id);
