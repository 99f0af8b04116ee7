// --host <url>: Segment's HTTP Tracking API, through @segment/analytics-node (the library Segment's users run), one
// client per source and write key. Re-sending a replay does not double-count: Segment dedupes on messageId, and
// the generator's messageIds are the same on every run.
// https://segment.com/docs/connections/sources/catalog/libraries/server/node/
import { Analytics } from '@segment/analytics-node'
import net from 'node:net'
import { renderLine, type Message } from '../messages'
import type { Source } from '../sources'
import { GeneratorError, type Sink } from './sink'

export interface TrackingApiOptions {
  /** The API's base URL: https://api.segment.io, https://events.eu1.segmentapis.com, or the local stack. */
  host: string
  sources: Source[]
  /** Retries per batch before a message counts as rejected (analytics-node's default, 10, can take hours). */
  maxRetries?: number
}

// Messages in flight before the generator waits for Segment: enough to keep every client's batches full, bounded so
// a fast generator cannot pile up a day in memory.
const HIGH_WATER = 5000
const LOW_WATER = 1000

/** Whether a TCP connection to the host opens within 5 s: an unreachable host is reported before any work is done. */
export async function checkReachable(host: string): Promise<void> {
  let url: URL
  try {
    url = new URL(host)
  } catch {
    throw new GeneratorError(`--host must be a URL such as https://api.segment.io, not "${host}"`)
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port, timeout: 5000 })
    socket.once('connect', () => (socket.end(), resolve()))
    socket.once(
      'timeout',
      () => (socket.destroy(), reject(new GeneratorError(`Cannot reach ${host}: no answer in 5 s`)))
    )
    socket.once('error', (error: NodeJS.ErrnoException) =>
      reject(new GeneratorError(`Cannot reach ${host}: ${error.code ?? error.message}`))
    )
  })
}

interface SegmentLine {
  type: 'track' | 'identify'
  userId?: string
  anonymousId?: string
  event?: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  context: Record<string, unknown>
  originalTimestamp: string
  messageId: string
}

/** The call the source's library would have made, with the message's own timestamp and messageId. */
function callParams(line: SegmentLine) {
  const context = { ...line.context }
  delete context.library // analytics-node sets its own
  const common = { context, timestamp: line.originalTimestamp, messageId: line.messageId, integrations: {} }
  return line.userId
    ? { ...common, userId: line.userId, anonymousId: line.anonymousId }
    : { ...common, anonymousId: line.anonymousId ?? '' }
}

export function trackingApiSink(options: TrackingApiOptions): Sink {
  const clients = new Map(
    options.sources.map((source) => [
      source.name,
      new Analytics({
        writeKey: source.writeKey,
        host: options.host,
        // Batches of 100 fill in a replay; a live stream's partial batch goes out within the second. (A longer
        // interval also delays closeAndFlush: analytics-node counts messages whose callbacks are pending as unsent.)
        flushAt: 100,
        flushInterval: 1000,
        maxRetries: options.maxRetries ?? 3
      })
    ])
  )
  let sent = 0
  let pending = 0
  let wake: (() => void) | undefined
  const rejected = new Map<string, { count: number; reason: string }>()
  const done = (source: Source) => (error?: unknown) => {
    pending--
    if (error) {
      const entry = rejected.get(source.name) ?? { count: 0, reason: describe(error) }
      entry.count++
      rejected.set(source.name, entry)
    }
    if (pending <= LOW_WATER && wake) {
      wake()
      wake = undefined
    }
  }
  return {
    async write(messages: Message[]) {
      for (const message of messages) {
        const { source } = message.sender
        const client = clients.get(source.name)!
        const line = JSON.parse(renderLine(message)) as SegmentLine
        pending++
        sent++
        if (line.type === 'identify') client.identify({ ...callParams(line), traits: line.traits }, done(source))
        else client.track({ ...callParams(line), event: line.event!, properties: line.properties }, done(source))
        if (pending >= HIGH_WATER) await new Promise<void>((resolve) => (wake = resolve))
      }
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.closeAndFlush({ timeout: 120_000 })))
      const failed = [...rejected.values()].reduce((sum, entry) => sum + entry.count, 0)
      const summary = `${sent} messages sent to ${options.host}, ${sent - failed} accepted`
      if (failed === 0) return summary
      const reasons = [...rejected].map(([name, entry]) => `${name}: ${entry.count} (${entry.reason})`).join('; ')
      throw new GeneratorError(`${summary}; Segment rejected ${failed}: ${reasons}`)
    },
    async abort() {
      await Promise.all([...clients.values()].map((client) => client.closeAndFlush({ timeout: 10_000 })))
    }
  }
}

function describe(error: unknown): string {
  const reason = (error as { reason?: unknown }).reason ?? error
  return reason instanceof Error ? reason.message : String(reason)
}
