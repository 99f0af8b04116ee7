// The local stack: the local Personalize, the local Segment (Tracking API, Profile API, durable logs), delivery of
// what Segment stores through the Actions destination, and the explorer, all on one port. `segment-personalize
// local` and `npm start` run it; tests and benchmarks start it in-process.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Settings } from '../destination/generated-types'
import { defaultSource, SOURCE_NAMES } from '../generators/sources'
import { createPersonalizeEmulator, type Faults } from './personalize/server'
import { createDelivery, type Subscription } from './segment/delivery'
import type { StoredMessage } from './segment/logStore'
import { createSegmentEmulator, ROUND_TRIP_SOURCE, type SegmentSource } from './segment/server'

/** The generator's sources, with its default write keys (`generate --host <local url>` works as it is), and the
 *  round-trip's. */
export const LOCAL_SOURCES: SegmentSource[] = [...SOURCE_NAMES.map(defaultSource), ROUND_TRIP_SOURCE]

export interface LocalStackOptions {
  port?: number
  host?: string
  /** Where everything is kept: segment-logs/, the Personalize journal, the delivery log. In memory without it. */
  dataDir?: string
  /** The destination's settings, or undefined while it is not configured. */
  settings?: () => Settings | undefined
  /** The active subscriptions (default: the destination's presets). */
  subscriptions?: () => Subscription[]
  strictWriteKeys?: boolean
  profileToken?: string
  /** The local Personalize: SigV4 keys to verify, time to ACTIVE, injected faults. */
  keys?: Record<string, string>
  delayMs?: number
  faults?: Faults
  /** Delivery's batching (see createDelivery). */
  lingerMs?: number
  backoffMs?: number
  /** Sees every message the local Segment holds: those found at start, then each new one once it is durable. */
  observe?: (message: StoredMessage) => void
  /** Serves other paths before the stack's own (the explorer); returns false to pass. */
  extra?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean
}

export class LocalStackError extends Error {
  override name = 'LocalStackError'
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>

export async function startLocalStack(options: LocalStackOptions = {}) {
  const { dataDir } = options
  const delivery = createDelivery({
    settings: options.settings ?? (() => undefined),
    subscriptions: options.subscriptions,
    dataDir: dataDir && path.join(dataDir, 'delivery'),
    lingerMs: options.lingerMs,
    backoffMs: options.backoffMs
  })
  let personalize: ReturnType<typeof createPersonalizeEmulator>
  let segment: ReturnType<typeof createSegmentEmulator>
  try {
    personalize = createPersonalizeEmulator({
      delayMs: options.delayMs,
      faults: options.faults,
      dataDir,
      keys: options.keys
    })
    segment = createSegmentEmulator({
      dataDir,
      sources: LOCAL_SOURCES,
      strict: options.strictWriteKeys,
      profileToken: options.profileToken,
      onRestored: (message) => {
        options.observe?.(message)
        delivery.restore(message)
      },
      onStored: (messages) => {
        if (options.observe) for (const message of messages) options.observe(message)
        delivery.enqueue(messages)
      }
    })
    delivery.restored()
  } catch (error) {
    throw new LocalStackError(`Cannot use the data dir ${dataDir ?? ''}: ${(error as Error).message}`)
  }
  const server = http.createServer((req, res) => {
    if (req.url === '/_local/stats') {
      // What the local Segment stored and dropped, and what delivery sent, retried and finally failed.
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify(stats(), null, 2))
    }
    if (options.extra?.(req, res)) return
    // Segment's Tracking and Profile APIs are /v1/…; everything else is Personalize's.
    if (req.url?.startsWith('/v1/')) return segment.listener(req, res)
    personalize.listener(req, res)
  })
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? 0
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, resolve)
    })
  } catch (error) {
    await segment.close()
    await personalize.close()
    const code = (error as NodeJS.ErrnoException).code
    throw new LocalStackError(
      code === 'EADDRINUSE'
        ? `Port ${port} is in use: choose another with --port (or stop what is using it).`
        : `Could not listen on ${host}:${port}: ${(error as Error).message}`
    )
  }
  const url = `http://${host}:${(server.address() as AddressInfo).port}`
  const stats = () => ({
    segment: segment.stats,
    profiles: segment.profiles.size,
    delivery: delivery.stats
  })

  return {
    url,
    personalize,
    segment,
    delivery,
    stats,
    async close(): Promise<void> {
      // Delivery first, while the server still takes the round-trip's identifies (which are then delivered too).
      await delivery.drain()
      await delivery.drain()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await segment.close()
      await delivery.close()
      await personalize.close()
    }
  }
}
