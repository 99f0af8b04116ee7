// The command's flags, apart from its code, so that the CLI can list them without loading the emulator.
export const localOptions = {
  port: { type: 'string' as const },
  host: { type: 'string' as const },
  'data-dir': { type: 'string' as const },
  'strict-write-keys': { type: 'boolean' as const },
  destination: { type: 'string' as const },
  catalogue: { type: 'string' as const },
  lambda: { type: 'string' as const },
  'sigv4-key': { type: 'string' as const, multiple: true },
  'profile-token': { type: 'string' as const },
  'delay-ms': { type: 'string' as const },
  'retry-for': { type: 'string' as const },
  'fail-throttle': { type: 'string' as const },
  'fail-error': { type: 'string' as const },
  'fail-delay': { type: 'string' as const },
  'fail-delay-ms': { type: 'string' as const }
}

export const DEFAULT_PORT = 4566
