/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  // Tests of the CLI, the examples and the package run dist/: build it when lib/ is newer.
  globalSetup: '<rootDir>/test/global-setup.js',
  testTimeout: 20000,
  setupFilesAfterEnv: ['<rootDir>/test/helpers/package-console.ts'],
};
