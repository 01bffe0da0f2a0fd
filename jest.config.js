/**
 * Unit tests (src/**\/*.spec.ts) and e2e tests (test/**\/*.e2e-spec.ts) against the real
 * PostgreSQL and Redis. NestJS 12 ships ESM only: @swc/jest compiles both our TypeScript
 * and those packages to CommonJS.
 */
const esmPackages = [
  '@nestjs/(common|core|testing|platform-express|platform-fastify|config|typeorm|bull|bull-shared|terminus|throttler|websockets|platform-socket\\.io|swagger|mapped-types|schedule|event-emitter)',
  'light-my-request',
  'cookie',
  'file-type',
  'content-disposition',
  'nestjs-pino',
].join('|');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // 'soft' (Jest 30's default) can recurse forever on a write to a soft-deleted global
  // (jestjs/jest#16044, #16443, open at 30.5.2): a whole test file then fails with
  // "Maximum call stack size exceeded". Each worker runs many files; turn it off.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // the `@/` path alias of tsconfig.json (src/)
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
  setupFiles: ['<rootDir>/test/setup/env.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  forceExit: false,
};
