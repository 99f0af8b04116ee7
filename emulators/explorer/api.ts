// The explorer's HTTP side, served by the local stack on its own port: the page (GET /) and its assets, and the
// JSON it reads: /_local/users, /_local/users/<id>, /_local/catalogue, and /_local/live, a Server-Sent Events feed
// of what the local Segment stores. https://html.spec.whatwg.org/multipage/server-sent-events.html
import type http from 'node:http'
import path from 'node:path'
import type { Item } from '../../api/catalogue'
import { pageFiles, sendJson as json, type PageFile } from '../http'
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
}

export type Explorer = ReturnType<typeof createExplorer>

const notFound = (res: http.ServerResponse, message: string) => json(res, 404, { error: 'not_found', message })

export function createExplorer(options: ExplorerOptions) {
  const activity = new Activity(options)
  const clients = new Set<http.ServerResponse>()
  /** The traits each user's last `profile` event carried, to send one only when they change. */
  const sentTraits = new Map<string, string>()
  const serve = pageFiles(path.join(__dirname, 'public'))

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
      connection: 'keep-alive'
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
    const url = new URL(req.url ?? '/', 'http://localhost')
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
    else if (route === 'live') live(req, res)
    else notFound(res, `No such explorer path: ${pathname}`)
    return true
  }

  return {
    activity,
    answer,
    observe: (message: StoredMessage) => activity.add(message),
    /** Open live feeds. */
    get liveClients(): number {
      return clients.size
    },
    /** Ends the live feeds, so the server can close. */
    close(): void {
      for (const res of clients) res.end()
      clients.clear()
    }
  }
}

function routeOf(pathname: string): 'asset' | 'users' | 'user' | 'catalogue' | 'live' | 'missing' | undefined {
  if (ASSETS[pathname]) return 'asset'
  if (pathname.startsWith('/explorer/')) return 'missing'
  if (pathname === '/_local/users') return 'users'
  if (USER_PATH.test(pathname)) return 'user'
  if (pathname === '/_local/catalogue') return 'catalogue'
  if (pathname === '/_local/live') return 'live'
  return undefined
}
