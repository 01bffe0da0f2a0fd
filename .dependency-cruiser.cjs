/**
 * The architecture, checked in `npm run lint` (dependency-cruiser):
 * - infrastructure (src/platform) never imports a domain;
 * - a domain imports another only through its public index.ts;
 * - no import cycles between domains (nor between any modules of src/).
 * ESLint gives the same first two rules at the import site (eslint.config.mjs).
 */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-domain',
      comment: 'Infrastructure (src/platform) never imports a domain: depend on a port the domain provides instead.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/domains/' },
    },
    {
      name: 'domain-through-index',
      comment: "A domain is imported only through its public API: '@/domains/<name>' (its index.ts).",
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/domains/' },
      to: { path: '^src/domains/[^/]+/', pathNot: '^src/domains/[^/]+/index\\.ts$' },
    },
    {
      name: 'domain-to-domain-through-index',
      comment: "Another domain is imported only through its public API: '@/domains/<name>' (its index.ts).",
      severity: 'error',
      from: { path: '^src/domains/([^/]+)/' },
      to: { path: '^src/domains/[^/]+/', pathNot: ['^src/domains/$1/', '^src/domains/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-domain-cycles',
      comment: 'Domains depend on each other in one direction only.',
      severity: 'error',
      from: { path: '^src/domains/([^/]+)/' },
      to: { circular: true, path: '^src/domains/', pathNot: '^src/domains/$1/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles in src/ (type-only imports excepted).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
