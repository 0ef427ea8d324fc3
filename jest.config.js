// Three projects: `unit` (engines and clients against in-process fixtures; no Go, no lab),
// `replay` (recorded real vCenter traffic through transport and decoders) and `integration`
// (every command against the simulator lab that the global set-up starts).
// `npm run test:unit` runs the first alone.
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    // Recorded real vCenter traffic (../shared/fixtures/vcenter-recorded), no lab.
    { ...shared, displayName: 'replay', roots: ['<rootDir>/test/replay'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
