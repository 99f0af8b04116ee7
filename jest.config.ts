import type { Config } from 'jest'

const config: Config = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/destination',
    '<rootDir>/emulators',
    '<rootDir>/generators',
    '<rootDir>/functions',
    '<rootDir>/lambda',
    '<rootDir>/backfill',
    '<rootDir>/provision',
    '<rootDir>/api',
    '<rootDir>/common',
    '<rootDir>/cli',
    '<rootDir>/test',
    '<rootDir>/scripts'
  ],
  testMatch: ['**/__tests__/**/*.test.ts', '**/test/**/*.test.ts'],
  // Type-checking is `tsc --noEmit` in `npm test`; jest only transpiles (tsconfig has isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 20_000,
  // Snapshots printed as jest 27 prints them (Object {…}, Array […], escaped strings): destination/'s snapshot files
  // are shared with segmentio/action-destinations, whose jest 27 must read them unchanged.
  snapshotFormat: { escapeString: true, printBasicPrototype: true },
  // nock's interceptor lives on the global scope for the whole run; jest's cleanup between files would warn on it.
  testEnvironmentOptions: { globalsCleanup: 'off' }
}

export default config
