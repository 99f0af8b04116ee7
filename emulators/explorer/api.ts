// The explorer's HTTP side, served by the local stack on its own port: the page (GET /) and its assets, and the
// JSON it reads: /_local/users, /_local/users/<id>, /_local/catalogue, /_local/events (what types and event names
// were seen, for the mappings view's trigger), /_local/stats/history (the stack's counters sampled every second), and
// /_local/live, a Server-Sent Events feed of what the local Segment stores and of each new sample.
// https://html.spec.whatwg.org/multipage/server-sent-events.html
import type http from 'node:http'
import path from 'node:path'
import type { Item } from '../../api/catalogue'
import { pageFiles, requestTarget, SECURITY_HEADERS, sendJson as json, type PageFile } from '../http'
import type { StoredMessage } from '../segment/logStore'
import { Activity, type StoredSummary } from './activity'

const ASSETS: Record<string, PageFile> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/explorer/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/explorer/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  // Also the mappings page's (the same header and page).
  '/explorer/base.css': { file: 'base.css', type: 'text/css; charset=utf-8' }
}
const USER_PATH = /^\/_local\/users\/(.+)$/
// A client that stops reading (a sleeping laptop) is skipped rather than buffered without bound; the page re-reads
// the users and stats on its next update, so it misses nothing it shows.
const MAX_BUFFERED = 1 << 20

export interface ExplorerOptions {
  traitsOf: (userId: string) => Record<string, unknown> | undefined
  catalogue?: Map<string, Item>
  /** How often the live feed sends a comment line, so proxies and browsers keep the connection open. */
  heartbeatMs?: number
  maxEvents?: number
  /** How often the stack's counters are sampled (default every second), and how many samples are kept (default 300:
   *  the last five minutes). */
  sampleMs?: number
  maxSamples?: number
}

/** The part of /_local/stats the explorer samples. */
export interface StackCounters {
  segment: { stored: number }
  profiles: number
  delivery: { delivered: number; failed: number; pending: number }
}

/** The stack's counters at one moment (`at`, epoch ms): totals so far, and `pending`, the backlog at that moment. */
export interface StatsSample {
  at: number
  stored: number
  delivered: number
  failed: number
  pending: number
  profiles: number
}

export type Explorer = ReturnType<typeof createExplorer>

const notFound = (res: http.ServerResponse, message: string) => json(res, 404, { error: 'not_found', message })

export function createExplorer(options: ExplorerOptions) {
  const activity = new Activity(options)
  const clients = new Set<http.ServerResponse>()
  /** The traits each user's last `profile` event carried, to send one only when they change. */
  const sentTraits = new Map<string, string>()
  const serve = pageFiles(path.join(__dirname, 'public'))
  const sampleMs = options.sampleMs ?? 1000
  const maxSamples = options.maxSamples ?? 300
  const samples: StatsSample[] = []
  let sampler: NodeJS.Timeout | undefined

  /** Starts sampling the stack's counters (once it is up, so `read` can be called): every sampleMs, each sample is
   *  kept (the last maxSamples) and sent to the live feed. */
  function sampleStats(read: () => StackCounters): void {
    if (sampler) clearInterval(sampler)
    const sample = () => {
      const stats = read()
      const taken: StatsSample = {
        at: Date.now(),
        stored: stats.segment.stored,
        delivered: stats.delivery.delivered,
        failed: stats.delivery.failed,
        pending: stats.delivery.pending,
        profiles: stats.profiles
      }
      samples.push(taken)
      if (samples.length > maxSamples) samples.splice(0, samples.length - maxSamples)
      if (clients.size > 0) broadcast('stats', taken)
    }
    sample()
    sampler = setInterval(sample, sampleMs)
    sampler.unref()
  }

  function broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    for (const res of clients) if (res.writableLength < MAX_BUFFERED) res.write(frame)
  }

  activity.subscribe((summary: StoredSummary) => {
    if (clients.size === 0) return
    broadcast('stored', summary)
    if (summary.type !== 'identify') return
    const traits = options.traitsOf(summary.id)
    const serialized = JSON.stringify(traits ?? {})
    if (!traits || sentTraits.get(summary.id) === serialized) return
    sentTraits.set(summary.id, serialized)
    broadcast('profile', { userId: summary.id, traits })
  })

  function live(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...SECURITY_HEADERS
    })
    res.write('retry: 2000\n: connected\n\n')
    clients.add(res)
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs ?? 15_000)
    heartbeat.unref()
    req.once('close', () => {
      clearInterval(heartbeat)
      clients.delete(res)
    })
  }

  function user(res: http.ServerResponse, encoded: string): void {
    let id: string
    try {
      id = decodeURIComponent(encoded)
    } catch {
      return json(res, 400, { error: 'bad_request', message: `Not a URL-encoded id: ${encoded}` })
    }
    const detail = activity.user(id)
    if (!detail) return notFound(res, `No user or anonymousId ${id} in what the local Segment holds`)
    json(res, 200, detail)
  }

  /** Routes the explorer's requests; false for any other (POST / is Personalize's JSON protocol, so it passes). */
  function answer(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = requestTarget(req)
    if (!url) return false
    const { pathname } = url
    const route = routeOf(pathname)
    if (!route || (pathname === '/' && req.method !== 'GET')) return false
    if (req.method !== 'GET') {
      req.resume()
      json(res, 405, { error: 'method_not_allowed', message: `${pathname} answers GET only` }, { allow: 'GET' })
      return true
    }
    if (route === 'asset') serve(res, ASSETS[pathname]!)
    else if (route === 'users') {
      const limit = Number(url.searchParams.get('limit') ?? undefined)
      json(res, 200, { users: activity.search(url.searchParams.get('q') ?? '', limit), total: activity.size })
    } else if (route === 'user') user(res, USER_PATH.exec(pathname)![1]!)
    else if (route === 'catalogue') json(res, 200, { items: activity.catalogue() })
    else if (route === 'events') json(res, 200, activity.seen())
    else if (route === 'history') json(res, 200, { intervalMs: sampleMs, samples })
    else if (route === 'live') live(req, res)
    else notFound(res, `No such explorer path: ${pathname}`)
    return true
  }

  return {
    activity,
    answer,
    observe: (message: StoredMessage) => activity.add(message),
    sampleStats,
    /** Open live feeds. */
    get liveClients(): number {
      return clients.size
    },
    /** Ends the live feeds, so the server can close. */
    close(): void {
      clearInterval(sampler)
      for (const res of clients) res.end()
      clients.clear()
    }
  }
}

type Route = 'asset' | 'users' | 'user' | 'catalogue' | 'events' | 'history' | 'live' | 'missing'

function routeOf(pathname: string): Route | undefined {
  if (Object.hasOwn(ASSETS, pathname)) return 'asset'
  if (pathname.startsWith('/explorer/')) return 'missing'
  if (pathname === '/_local/users') return 'users'
  if (USER_PATH.test(pathname)) return 'user'
  if (pathname === '/_local/catalogue') return 'catalogue'
  if (pathname === '/_local/live') return 'live'
  if (pathname === '/_local/events') return 'events'
  if (pathname === '/_local/stats/history') return 'history'
  return undefined
}
