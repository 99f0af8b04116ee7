// The local stack: the local Personalize, the local Segment (Tracking API, Profile API, durable logs), delivery of
// what Segment stores through the Actions destination, the explorer, and the mappings view with its event tester,
// all on one port. `segment-personalize local` and `npm start` run it; tests and benchmarks start it in-process.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Settings } from '../destination/generated-types'
import { defaultSource, SOURCE_NAMES } from '../generators/sources'
import { loadCatalogue } from '../api/catalogue'
import { lambdaDelivery } from '../lambda/delivery'
import {
  createLimitedServer,
  crossSite,
  hostAllowed,
  lingerAfterAnswer,
  listenHostname,
  requestTarget,
  SECURITY_HEADERS,
  sendJson,
  type ServerLimits
} from './http'
import { createExplorer } from './explorer/api'
import { createMappingsRoutes } from './mappings/routes'
import { createSubscriptionStore } from './mappings/subscriptions'
import { createTester } from './mappings/tester'
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
  /** The subscriptions delivery starts from and the mappings view resets to (default: the destination's presets). */
  subscriptions?: () => Subscription[]
  /** Where the mappings view saves edited subscriptions (default: <dataDir>/subscriptions.json; in memory without). */
  subscriptionsFile?: string
  strictWriteKeys?: boolean
  /** The Profile API's access token (default PROFILE_TOKEN). */
  profileToken?: string
  /** Open connections, and timeouts for slow clients (http.ts DEFAULT_LIMITS). */
  limits?: ServerLimits
  /** The local Personalize: SigV4 keys to verify, time to ACTIVE, injected faults. */
  keys?: Record<string, string>
  delayMs?: number
  faults?: Faults
  /** Delivery's batching and retries (see createDelivery): how long a retryable failure is retried (default four
   *  hours, as Segment), the first wait and the longest. */
  lingerMs?: number
  retryForMs?: number
  backoffMs?: number
  maxBackoffMs?: number
  /** Sees every message the local Segment holds: those found at start, then each new one once it is durable. */
  observe?: (message: StoredMessage) => void
  /** Serves other paths before the stack's own; returns false to pass. */
  extra?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean
  /** The backfill's items.csv (or a JSON catalogue): names, categories and prices for the explorer's items. */
  catalogueFile?: string
  /** Deliver through this Lambda build (`lambda build`'s zip), invoked as Lambda does, instead of the Actions
   *  destination: Segment's classic Amazon Personalize destination. */
  lambdaZip?: Uint8Array
}

export class LocalStackError extends Error {
  override name = 'LocalStackError'
}

async function catalogueFrom(file: string) {
  try {
    return await loadCatalogue(file)
  } catch (error) {
    throw new LocalStackError(`Cannot read the catalogue ${file}: ${(error as Error).message}`)
  }
}

function subscriptionStoreOf(options: LocalStackOptions) {
  const file = options.subscriptionsFile ?? (options.dataDir && path.join(options.dataDir, 'subscriptions.json'))
  try {
    return createSubscriptionStore({ file, defaults: options.subscriptions })
  } catch (error) {
    throw new LocalStackError((error as Error).message)
  }
}

/** Makes a part that keeps its state in the data dir; a data dir that cannot be used is a LocalStackError. */
function dataDirUse<T>(dataDir: string | undefined, make: () => T): T {
  try {
    return make()
  } catch (error) {
    throw new LocalStackError(`Cannot use the data dir ${dataDir ?? ''}: ${(error as Error).message}`)
  }
}

// Bodies of routes that take none (the pages, the page APIs' GETs, /_local/mappings/reset): a page sends none.
const NO_BODY_LIMIT = 64 * 1024

/** The pages and their files: anyone may navigate to them (their headers keep them out of frames), so they pass
 *  without the Origin check; their data comes from the page APIs, which have it. */
const isPage = (method: string | undefined, pathname: string) =>
  (method === 'GET' || method === 'HEAD') &&
  (pathname === '/' ||
    pathname === '/mappings' ||
    pathname.startsWith('/mappings/') ||
    pathname.startsWith('/explorer/'))

/** Routes that read a body, each with a limit of its own: Segment's on /v1/, the mappings view's 1 MB, Personalize's
 *  6 MB (everything that is not a page or /_local/). */
const readsBody = (method: string | undefined, pathname: string) =>
  pathname.startsWith('/v1/') ||
  (pathname === '/_local/mappings' && method === 'PUT') ||
  (pathname === '/_local/mappings/check' && method === 'POST') ||
  (pathname === '/_local/test' && method === 'POST') ||
  (!pathname.startsWith('/_local/') && !isPage(method, pathname))

/**
 * What every request passes before a route sees it (docs/local-stack.md#security), or the answer it gets:
 * - a target that is a path (`POST //` and `GET http://x/` are 400, never a crash in a route's URL parsing);
 * - a Host header naming this machine (localhost, 127.0.0.0/8, [::1], or --host): a page that rebinds its own
 *   name to 127.0.0.1 still sends its name (https://en.wikipedia.org/wiki/DNS_rebinding);
 * - this origin, or no browser, for everything but the pages and /v1/: the Tracking API stays open to other origins
 *   as analytics.js needs (write keys gate it, as in Segment), the Profile API has its token; a cross-site form or
 *   fetch cannot reset the mappings, run the event tester or call Personalize;
 * - no body where a route takes none.
 */
function admitted(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  host: string,
  listening: string | undefined
): boolean {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
  // Whatever body follows a refusal is dropped, not read.
  const refuse = (status: number, error: string, message: string) => {
    lingerAfterAnswer(req, res)
    sendJson(res, status, { error, message })
    return false
  }
  const target = requestTarget(req)
  if (!target) return refuse(400, 'bad_request', 'The request target must be a path.')
  if (!hostAllowed(req.headers.host, listening))
    return refuse(
      403,
      'forbidden_host',
      `The Host header ${JSON.stringify(req.headers.host ?? '')} does not name this machine: use localhost, 127.0.0.1, [::1] or ${host}.`
    )
  const { pathname } = target
  const crossing = pathname.startsWith('/v1/') || isPage(req.method, pathname) ? undefined : crossSite(req)
  if (crossing) return refuse(403, 'cross_site', `Only this origin's pages may use ${pathname}: ${crossing}.`)
  if (!readsBody(req.method, pathname)) {
    const length = Number(req.headers['content-length'] ?? 0)
    if (req.headers['transfer-encoding'] !== undefined || !(length <= NO_BODY_LIMIT))
      return refuse(413, 'request_too_large', `${req.method ?? ''} ${pathname} takes no body.`)
  }
  return true
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>

export async function startLocalStack(options: LocalStackOptions = {}) {
  const { dataDir } = options
  const catalogue = options.catalogueFile ? await catalogueFrom(options.catalogueFile) : undefined
  const subscriptionStore = subscriptionStoreOf(options)
  const lambda = options.lambdaZip && lambdaDelivery({ zip: options.lambdaZip })
  // Delivery reads the store's subscriptions for each batch: an edit saved in the mappings view applies at once.
  const delivery = dataDirUse(dataDir, () =>
    createDelivery({
      settings: options.settings ?? (() => undefined),
      subscriptions: subscriptionStore.list,
      dataDir: dataDir && path.join(dataDir, 'delivery'),
      lingerMs: options.lingerMs,
      retryForMs: options.retryForMs,
      backoffMs: options.backoffMs,
      maxBackoffMs: options.maxBackoffMs,
      attempt: lambda ? lambda.attempt : undefined
    })
  )
  let personalize: ReturnType<typeof createPersonalizeEmulator>
  let segment: ReturnType<typeof createSegmentEmulator>
  // Profiles are read when the page asks, never while the local Segment restores its messages.
  // A person is their userId, or for a visitor never identified, their anonymousId.
  const explorer = createExplorer({
    traitsOf: (id) => segment.profiles.traits(id) ?? segment.profiles.traitsOf('anonymous_id', id),
    catalogue
  })
  const observe = (message: StoredMessage) => {
    explorer.observe(message)
    options.observe?.(message)
  }
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
        observe(message)
        delivery.restore(message)
      },
      onStored: (messages) => {
        for (const message of messages) observe(message)
        delivery.enqueue(messages)
      }
    })
    delivery.restored()
  } catch (error) {
    throw new LocalStackError(`Cannot use the data dir ${dataDir ?? ''}: ${(error as Error).message}`)
  }
  // The event tester runs the destination without sending; its GetRecommendations are answered by this Personalize.
  const tester = createTester({
    settings: options.settings ?? (() => undefined),
    subscriptions: subscriptionStore.list,
    localPersonalize: () => url
  })
  const mappings = createMappingsRoutes({ store: subscriptionStore, tester })
  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/_local/stats') {
      // What the local Segment stored and dropped, and what delivery sent, retried and finally failed.
      return sendJson(res, 200, stats(), {}, 2)
    }
    if (options.extra?.(req, res)) return
    // The mappings view: /mappings, /_local/mappings…, /_local/test, /_local/samples.
    if (mappings(req, res)) return
    // The explorer: GET / and its assets, /_local/users…, /_local/catalogue, /_local/live.
    if (explorer.answer(req, res)) return
    if (req.url?.startsWith('/_local/')) {
      req.resume()
      return sendJson(res, 404, { error: 'not_found', message: `No such local path: ${req.url}` })
    }
    // Segment's Tracking and Profile APIs are /v1/…; everything else is Personalize's.
    if (req.url?.startsWith('/v1/')) return segment.listener(req, res)
    personalize.listener(req, res)
  }
  const host = options.host ?? '127.0.0.1'
  // The name --host gives, as a Host header would carry it: worked out once, not for each request.
  const listening = listenHostname(host)
  const server = createLimitedServer((req, res) => {
    try {
      if (admitted(req, res, host, listening)) route(req, res)
    } catch (error) {
      // A route that throws is a bug, answered as one; the stack stays up for everyone else.
      if (res.headersSent) res.destroy()
      else sendJson(res, 500, { error: 'internal', message: (error as Error).message }, { connection: 'close' })
    }
  }, options.limits)
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
    delivery: delivery.stats,
    // Under a data dir: torn records skipped and cut when the logs and the journal were read, appends that failed.
    ...(dataDir && { storage: { segmentLogs: segment.logs?.stats, journal: personalize.journal?.stats } })
  })
  // The explorer's chart: the counters sampled every second from now on.
  explorer.sampleStats(stats)

  return {
    url,
    personalize,
    segment,
    delivery,
    subscriptions: subscriptionStore,
    tester,
    stats,
    async close(): Promise<void> {
      // Delivery first, while the server still takes the round-trip's identifies (which are then delivered too).
      // Not drain(): a message waiting for a retry could hold the stop up to the retry budget (four hours); it stays
      // undone in the delivery log, and the next start delivers it.
      await delivery.flushed()
      await tester.close()
      explorer.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await segment.close()
      await delivery.close()
      await lambda?.close()
      await personalize.close()
    }
  }
}
