import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: false },
      globals: {
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig (src/platform/config).' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['csv-stringify', 'csv-stringify/*'],
              message: 'Write CSV through src/platform/http/export/csv.ts: it neutralises spreadsheet formulas.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/platform/http/export/csv.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // The architecture (docs/architecture.md): infrastructure never imports a domain; a domain
  // is imported only through its public index.ts (inside a domain, relative imports).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/platform/**', 'src/platform/http/export/csv.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['csv-stringify', 'csv-stringify/*'],
              message: 'Write CSV through src/platform/http/export/csv.ts: it neutralises spreadsheet formulas.',
            },
            {
              group: ['@/domains/*/**'],
              message:
                "Import another domain through its public API: '@/domains/<name>' (its index.ts); inside a domain, use relative imports.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    ignores: ['src/platform/http/export/csv.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['csv-stringify', 'csv-stringify/*'],
              message: 'Write CSV through src/platform/http/export/csv.ts: it neutralises spreadsheet formulas.',
            },
            {
              group: ['@/domains', '@/domains/**', '**/domains/**'],
              message: 'Infrastructure (src/platform) never imports a domain: depend on a port the domain provides instead.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/platform/config/**', 'test/**', 'scripts/**', 'bench/**', '*.js', '*.mjs'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
