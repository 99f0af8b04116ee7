// The command's flags, apart from its code, so that the CLI can list them without loading the destination.
export const exampleOptions = {
  endpoint: { type: 'string' as const },
  region: { type: 'string' as const },
  'tracking-id': { type: 'string' as const },
  'role-arn': { type: 'string' as const },
  'external-id': { type: 'string' as const }
}
