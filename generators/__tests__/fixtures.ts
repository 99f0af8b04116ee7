import { parseDay } from '../calendar'
import { generateDay } from '../day'
import { Lines } from '../messages'
import { DEFAULTS, makeModel, type ModelOptions } from '../model'
import { defaultSource, SOURCE_NAMES } from '../sources'

export const FROM = parseDay('from', '2026-03-01')

/** Model options for tests: the defaults, a smaller population (fast), overridable. */
export function testOptions(overrides: Partial<ModelOptions> = {}): ModelOptions {
  return { ...DEFAULTS, usersPerDay: 150, from: FROM, sources: SOURCE_NAMES.map(defaultSource), ...overrides }
}

/** The bytes a replay of `days` days writes, as one NDJSON text per day. */
export function renderDays(options: ModelOptions, days: number): Buffer[] {
  const model = makeModel(options)
  return Array.from({ length: days }, (_, n) => {
    const lines = new Lines()
    for (const message of generateDay(model, options.from + n)) lines.add(message)
    return Buffer.from(lines.bytes())
  })
}

/** A stored Segment message, as the tests read it back. */
export interface Line {
  type: 'track' | 'identify'
  event?: string
  userId?: string
  anonymousId?: string
  messageId: string
  originalTimestamp: string
  timestamp: string
  sentAt: string
  receivedAt: string
  projectId: string
  writeKey: string
  channel: string
  version: number
  context: { library: { name: string; version: string }; [key: string]: unknown }
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
}

export function parseLines(text: Buffer | string): Line[] {
  return text
    .toString()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line)
}

/** Every message of a replay, parsed, in order. */
export function messagesOf(options: ModelOptions, days: number): Line[] {
  return renderDays(options, days).flatMap(parseLines)
}
