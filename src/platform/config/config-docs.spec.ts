import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { CONFIGURATION_DOC, configVariables, ENV_EXAMPLE, generateConfigDocs, REPOSITORY_ROOT } from './config-docs';
import { envSchema } from './env.schema';
import { validateEnv } from './validate-env';

const read = (file: string) => readFileSync(join(REPOSITORY_ROOT, file), 'utf8');
const schemaKeys = Object.keys(envSchema.describe().keys ?? {});

/** Where two texts first differ, as the two lines (1-based line number). */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const i = a.findIndex((line, n) => line !== e[n]);
  const n = i === -1 ? Math.min(a.length, e.length) : i;
  return `line ${n + 1}:\n  in the file:    ${a[n] ?? '(end of file)'}\n  from the schema: ${e[n] ?? '(end of file)'}`;
}

describe('configuration documentation (generated from env.schema.ts)', () => {
  const generated = generateConfigDocs();

  it('documents every variable of the schema, each with a description and a group', () => {
    // configVariables() throws, naming each variable without a description or a group
    expect(configVariables().map((v) => v.name)).toEqual(schemaKeys);
  });

  it.each([ENV_EXAMPLE, CONFIGURATION_DOC])('%s is what `npm run config:docs` writes', (file) => {
    const actual = read(file);
    if (actual !== generated[file]) {
      throw new Error(
        `${file} differs from what env.schema.ts generates: run \`npm run config:docs\` and commit the result.\n${firstDifference(actual, generated[file])}`,
      );
    }
  });

  it('.env.example sets exactly the variables of the schema, each to its local default', () => {
    const example = parseDotenv(read(ENV_EXAMPLE));
    expect(Object.keys(example).sort()).toEqual([...schemaKeys].sort());
    expect(validateEnv(example)).toEqual(validateEnv({}));
  });

  it('says where a default depends on the environment or on another variable', () => {
    const byName = new Map(configVariables().map((v) => [v.name, v]));
    expect(byName.get('METRICS_PORT')!.defaultText.markdown).toBe('`9466` in production; `0` otherwise');
    expect(byName.get('MIGRATIONS_RUN_ON_BOOT')!.defaultText.plain).toBe('false in production, true otherwise');
    expect(byName.get('SECRET_KEY')!.defaultText.plain).toBe('required in production, your-secret-key-change-in-production otherwise');
    expect(byName.get('S3_BUCKET')!.defaultText.plain).toBe('required when STORAGE_DRIVER=s3, empty otherwise');
    expect(read(CONFIGURATION_DOC)).toContain('| `METRICS_PORT` | `9466` in production; `0` otherwise |');
  });
});
