import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONFIG_GROUPS, type ConfigGroup, envSchema } from './env.schema';
import { validateEnv } from './validate-env';

/**
 * The configuration's documentation, generated from the one source: env.schema.ts (each
 * variable's rules, default, `.description()` and `.meta({ group })`).
 *
 *   npm run config:docs      writes .env.example and docs/configuration.md
 *
 * config-docs.spec.ts fails when either file differs from what this produces.
 */

/** The files this writes, relative to the repository root. */
export const ENV_EXAMPLE = '.env.example';
export const CONFIGURATION_DOC = 'docs/configuration.md';

/** One variable as documented. */
export interface ConfigVariable {
  name: string;
  group: ConfigGroup;
  /** Markdown (backticks, no `|`). */
  description: string;
  /** The default in words: a value, `empty`, or per condition ("9466 in production; 0 otherwise"). */
  defaultText: { plain: string; markdown: string };
  /** Its value in .env.example: the local (development) default. */
  localValue: string;
}

/** The parts of Joi's `describe()` output read here. */
interface Described {
  flags?: { default?: unknown; description?: string; presence?: string };
  metas?: { group?: string }[];
  whens?: { ref?: { path?: string[] }; is?: { allow?: unknown[] }; then?: Described; otherwise?: Described }[];
}

type Shown = { plain: string; markdown: string };
const shown = (value: unknown): Shown =>
  value === '' ? { plain: 'empty', markdown: 'empty' } : { plain: String(value), markdown: `\`${String(value)}\`` };

/** A branch of a `.when()`: required, its default, or none. */
function branchDefault(branch: Described | undefined): Shown {
  if (branch?.flags?.presence === 'required') return { plain: 'required', markdown: 'required' };
  if (branch?.flags && 'default' in branch.flags) return shown(branch.flags.default);
  return { plain: 'none', markdown: 'none' };
}

/** The default a variable's rules give it, in words. */
function defaultText(name: string, d: Described): Shown {
  if (d.flags && 'default' in d.flags) return shown(d.flags.default);
  const when = d.whens?.[0];
  if (!when) return { plain: 'none', markdown: 'none' };
  const ref = when.ref?.path?.join('.') ?? '?';
  const is = (when.is?.allow ?? []).filter((v) => typeof v !== 'object').join(', ');
  const condition =
    ref === 'ENVIRONMENT' && is === 'production'
      ? { plain: 'in production', markdown: 'in production' }
      : { plain: `when ${ref}=${is}`, markdown: `when \`${ref}=${is}\`` };
  const then = branchDefault(when.then);
  const otherwise = branchDefault(when.otherwise);
  if (then.plain === 'none' && otherwise.plain === 'none') throw new Error(`${name}: no default in either branch of its .when()`);
  return {
    plain: `${then.plain} ${condition.plain}, ${otherwise.plain} otherwise`,
    markdown: `${then.markdown} ${condition.markdown}; ${otherwise.markdown} otherwise`,
  };
}

/** Every variable of the schema, in schema order; throws when one lacks a description or a group. */
export function configVariables(): ConfigVariable[] {
  const keys = (envSchema.describe() as { keys: Record<string, Described> }).keys;
  const local = validateEnv({}) as unknown as Record<string, unknown>;
  const missing: string[] = [];
  const variables = Object.entries(keys).map(([name, d]): ConfigVariable => {
    const description = d.flags?.description?.trim() ?? '';
    const group = d.metas?.find((m) => m.group)?.group as ConfigGroup | undefined;
    if (!description) missing.push(`${name}: no .description()`);
    if (!group || !CONFIG_GROUPS.includes(group)) missing.push(`${name}: no .meta({ group }) of CONFIG_GROUPS`);
    if (description.includes('|')) missing.push(`${name}: a description must not contain "|" (it breaks the Markdown table)`);
    return { name, group: group!, description, defaultText: defaultText(name, d), localValue: String(local[name] ?? '') };
  });
  if (missing.length) throw new Error(`env.schema.ts is not fully documented:\n  ${missing.join('\n  ')}`);
  return variables;
}

const byGroup = (variables: ConfigVariable[]) =>
  CONFIG_GROUPS.map((group) => ({ group, variables: variables.filter((v) => v.group === group) })).filter((g) => g.variables.length);

/** Wraps `text` into comment lines of at most `width` characters; `tail` is kept on one line. */
function comment(text: string, tail: string, width = 118): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of [...text.split(/\s+/), tail]) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** A dotenv value: quoted when it holds spaces, `#` or quotes. */
const dotenvValue = (value: string) => (/[\s#"'`]/.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value);

const ENV_EXAMPLE_HEADER = `# Floyo backend configuration.
#
# Generated from src/platform/config/env.schema.ts by \`npm run config:docs\`: edit the schema, not this
# file (a test fails when they differ). docs/configuration.md is generated from the same schema.
#
# Copy to \`.env\` for local development (\`cp .env.example .env\`); every value below is the
# local default, so the file is optional. Variables already set in the environment win
# over \`.env\`. The whole environment is validated once at boot (src/platform/config/env.schema.ts):
# the process exits non-zero naming every bad variable. ENVIRONMENT=production adds the
# production rules noted below.
`;

/** .env.example: grouped, each variable with its comment and default, set to its local default. */
export function renderEnvExample(variables = configVariables()): string {
  const out = [ENV_EXAMPLE_HEADER];
  for (const { group, variables: vars } of byGroup(variables)) {
    out.push(`# --- ${group}`, '');
    for (const v of vars) {
      out.push(...comment(v.description, `Default: ${v.defaultText.plain}.`), `${v.name}=${dotenvValue(v.localValue)}`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const CONFIGURATION_INTRO = `# Configuration

<!-- Generated from src/platform/config/env.schema.ts by \`npm run config:docs\`: edit the schema, not this file. -->

Configuration comes from the environment; a \`.env\` file in the working directory is read
too (variables already set win). It is optional: [\`.env.example\`](../.env.example) lists every
variable with its local default (\`cp .env.example .env\`). Both this page and \`.env.example\`
are generated from the schema, \`src/platform/config/env.schema.ts\`, by \`npm run config:docs\`;
\`src/platform/config/config-docs.spec.ts\` fails when either differs from it.

The environment is validated at boot, before anything connects: an invalid environment
stops the process with a message naming every bad variable. The rest of the code injects
the typed \`AppConfig\` (\`src/platform/config/app-config.ts\`); nothing outside
\`src/platform/config\` reads \`process.env\` (ESLint enforces it).

## Production rules

\`ENVIRONMENT=production\` adds these rules:

- \`SECRET_KEY\` and \`ENCRYPTION_KEY\` set, at least 32 characters, and real random keys: a
  value containing \`change-me\`, \`changeme\`, \`change_me\`, \`change-in-production\`,
  \`placeholder\` or \`example\` (any case) is refused as a placeholder (so is every value the
  repository's templates ship: \`docker-compose.yml\`, the \`deploy/k8s\` Secret example,
  \`.env.example\` — a test reads them from those files), and so is a weak key (under 128 bits
  counted as length × log2(alphabet), or repeated or sequential characters); generate each
  with \`openssl rand -hex 32\`. Every \`ENCRYPTION_KEYS_OLD\` entry follows the same rules.
- \`AWS_ACCESS_KEY_ID\`, \`AWS_SECRET_ACCESS_KEY\`, \`SMTP_USER\`, \`SMTP_PASSWORD\` and the
  password in \`DATABASE_URL\`/\`REDIS_URL\` must not be placeholders.
- \`CORS_ORIGINS\` without \`*\`.
- \`/metrics\` only on \`METRICS_PORT\` (9466 by default there) unless \`METRICS_PUBLIC=true\`.
- No pending migrations at boot unless \`MIGRATIONS_RUN_ON_BOOT=true\`.

What to set in production at least: [operations.md, Deploying](operations.md#deploying).

## Variables
`;

/** docs/configuration.md: the rules above, then a table per group (variable, default, description). */
export function renderConfigurationDoc(variables = configVariables()): string {
  const out = [CONFIGURATION_INTRO];
  for (const { group, variables: vars } of byGroup(variables)) {
    out.push(`### ${group}`, '', '| variable | default | description |', '|---|---|---|');
    for (const v of vars) out.push(`| \`${v.name}\` | ${v.defaultText.markdown} | ${v.description} |`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Every generated file: path relative to the repository root → content. */
export function generateConfigDocs(): Record<string, string> {
  const variables = configVariables();
  return { [ENV_EXAMPLE]: renderEnvExample(variables), [CONFIGURATION_DOC]: renderConfigurationDoc(variables) };
}

export const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

if (require.main === module) {
  for (const [file, content] of Object.entries(generateConfigDocs())) {
    mkdirSync(dirname(join(REPOSITORY_ROOT, file)), { recursive: true });
    writeFileSync(join(REPOSITORY_ROOT, file), content);
    console.log(`wrote ${file}`);
  }
}
