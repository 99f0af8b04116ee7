// The workshop's four Segment sources: the shop's website, its iOS and Android apps, and the email service. Each has
// its own write key (how Segment knows which source a call belongs to) and source id (the folder its S3 logs land in).
import { Random } from './random'

export const SOURCE_NAMES = ['web', 'ios', 'android', 'email'] as const
export type SourceName = (typeof SOURCE_NAMES)[number]
export type Platform = Exclude<SourceName, 'email'>
export const PLATFORMS: readonly Platform[] = ['web', 'ios', 'android']

export interface Source {
  name: SourceName
  /** The source's id: `projectId` on every message and the folder under segment-logs/. */
  sourceId: string
  writeKey: string
  /** What the platform's Segment library puts in `context.library` and `channel`. */
  library: { name: string; version: string }
  channel: 'browser' | 'mobile' | 'server'
}

const LIBRARIES: Record<SourceName, Pick<Source, 'library' | 'channel'>> = {
  web: { library: { name: 'analytics.js', version: 'next-1.81.0' }, channel: 'browser' },
  ios: { library: { name: 'analytics-ios', version: '4.1.8' }, channel: 'mobile' },
  android: { library: { name: 'analytics-android', version: '4.11.3' }, channel: 'mobile' },
  email: { library: { name: '@segment/analytics-node', version: '3.1.0' }, channel: 'server' }
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A fixed random-looking id for a source (the same on every run and seed), of Segment's lengths. */
function fixedId(name: SourceName, salt: number, length: number): string {
  const random = new Random(salt, ...[...name].map((c) => c.charCodeAt(0)))
  return Array.from({ length }, () => random.pick([...ALPHANUMERIC])).join('')
}

export function defaultSource(name: SourceName): Source {
  return { name, sourceId: fixedId(name, 1, 10), writeKey: fixedId(name, 2, 32), ...LIBRARIES[name] }
}

export function isSourceName(name: string): name is SourceName {
  return (SOURCE_NAMES as readonly string[]).includes(name)
}
