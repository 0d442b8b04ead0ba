// One Jest run for the whole repository, in three projects:
//  - unit:        *.spec.ts beside the code (pure logic, no I/O),
//  - integration: test/**/*.int-spec.ts against real Postgres and NATS (libs/testing),
//  - system:      tests/system/**/*.system-spec.ts, the platform as processes (tests/system).
// Jest needs --experimental-vm-modules because Nest 12 and MikroORM 7 are ES modules that our
// CommonJS code loads through require(esm) (see scripts/test.mjs).
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2024',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    // Service packages (`@ihf/<service>-service`), for tests that run several in one process.
    '^@ihf/([a-z-]+)-service$': '<rootDir>/services/$1/src/index.ts',
    '^@ihf/observability/tracing$': '<rootDir>/libs/observability/src/tracing/index.ts',
    '^@ihf/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // ES module whose exports only offer `import` (Jest resolves for require).
    '^@octokit/webhooks-methods$':
      '<rootDir>/node_modules/@octokit/webhooks-methods/dist-node/index.js',
  },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
module.exports = {
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.cjs'],
  // Integration tests start services and wait for relays; a hung test still fails in a minute.
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services}/*/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{libs,services}/*/test/**/*.int-spec.ts',
        // Tests across services (the trace of one annotation through ingestion and feedback).
        '<rootDir>/tests/observability/**/*.int-spec.ts',
      ],
      // Finds Postgres and NATS once (env, Testcontainers or local defaults); each test file
      // then creates its own database and bus namespace (libs/testing).
      globalSetup: '<rootDir>/libs/testing/src/infrastructure.ts',
      globalTeardown: '<rootDir>/libs/testing/src/jest-global-teardown.ts',
    },
    {
      ...common,
      // The whole platform as processes (built dist/), driven through HTTP, Chromium and NATS:
      // tests/system (issue 15). The integration project's infrastructure, found once per run.
      displayName: 'system',
      testMatch: ['<rootDir>/tests/system/**/*.system-spec.ts'],
      globalSetup: '<rootDir>/tests/system/jest-global-setup.ts',
      globalTeardown: '<rootDir>/tests/system/jest-global-teardown.ts',
    },
  ],
};
