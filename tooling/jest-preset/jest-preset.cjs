// Shared jest preset: ts-jest in CJS mode, tests read sibling packages' src/ through the
// '@clade/source' export condition, so `pnpm test` needs no build.
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: path.join(__dirname, 'node-realm-environment.cjs'),
  testEnvironmentOptions: { customExportConditions: ['@clade/source', 'node', 'node-addons', 'require', 'default'] },
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  testMatch: ['<rootDir>/src/**/__tests__/**/*.test.ts'],
  setupFilesAfterEnv: [path.join(__dirname, 'setup-tfjs.cjs')],
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
  // Generous: CI shares 2 cores between two packages' suites (turbo --concurrency=2).
  testTimeout: 180_000,
};
