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
  // A worker that holds more than this after a file is replaced before the next: suites that train models or start
  // stacks leave large heaps, and a long run on Node 20 once ran out of memory as they accumulated.
  workerIdleMemoryLimit: '1GB',
  // Snapshots printed as jest 27 prints them (Object {…}, Array […], escaped strings): destination/'s snapshot files
  // are shared with segmentio/action-destinations, whose jest 27 must read them unchanged.
  snapshotFormat: { escapeString: true, printBasicPrototype: true },
  // nock's interceptor lives on the global scope for the whole run; jest's cleanup between files would warn on it.
  testEnvironmentOptions: { globalsCleanup: 'off' }
}

export default config
