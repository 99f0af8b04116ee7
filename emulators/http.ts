// What the local stack's own pages and JSON endpoints share (the explorer, the mappings view, the Profile API, the
// Tracking API, /_local/stats): a JSON answer, a page's files served from the folder beside the code, and what keeps
// one hostile client or web page from taking the stack down or using it: request targets that never throw, bodies
// read up to a limit and refused as soon as it is passed, timeouts and a connection cap, the Host and Origin checks
// that keep a web page (DNS rebinding, cross-site requests) out, and constant-time secret comparison.
import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type net from 'node:net'
import path from 'node:path'
import type { Readable } from 'node:stream'

/** Sent with every answer: no MIME sniffing of JSON into HTML, no framing (clickjacking), no Referer to elsewhere.
 *  https://owasp.org/www-project-secure-headers/ */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer'
}

/**
 * The pages' Content Security Policy: their scripts and styles are files of their own (no inline script or style in
 * emulators/explorer/public or emulators/mappings/public), their data comes from this origin, and no one may frame
 * them. https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Security-Policy
 */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
  indent?: number
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...SECURITY_HEADERS, ...headers })
  res.end(JSON.stringify(body, null, indent))
}

export interface PageFile {
  file: string
  type: string
}

/**
 * A page's files from `dir` (read once). Built, they are copied beside the compiled code (package.json's build
 * script), so the same path serves both; a file that is not there is a 500 that says so.
 */
export function pageFiles(dir: string) {
  const cache = new Map<string, Buffer>()
  return (res: http.ServerResponse, { file, type }: PageFile): void => {
    let body = cache.get(file)
    if (!body) {
      try {
        body = readFileSync(path.join(dir, file))
      } catch {
        return sendJson(res, 500, { error: 'missing_asset', message: `${file} is not in ${dir}: run npm run build` })
      }
      cache.set(file, body)
    }
    res.writeHead(200, {
      'content-type': type,
      'cache-control': 'no-cache',
      ...SECURITY_HEADERS,
      'content-security-policy': PAGE_CSP
    })
    res.end(body)
  }
}

/**
 * The request's target as a URL, or undefined when it is not an origin-form path (`GET http://x/`, `*`) or does not
 * parse. The path is appended to a fixed origin rather than resolved against it: `new URL('//', base)` throws, and
 * `//host/x` would name another host (https://url.spec.whatwg.org/#concept-basic-url-parser).
 */
export function requestTarget(req: http.IncomingMessage): URL | undefined {
  const raw = req.url ?? ''
  if (!raw.startsWith('/')) return undefined
  try {
    return new URL(`http://local${raw}`)
  } catch {
    return undefined
  }
}

/**
 * Reads a body up to `limit` bytes. Undefined as soon as the body is over it (a Content-Length over it is refused
 * before a byte is read): the caller answers at once (after lingerAfterAnswer), so no client makes the process hold
 * more than `limit`, nor wait for a body it will refuse.
 */
export function readLimited(stream: Readable & { headers: http.IncomingHttpHeaders }, limit: number) {
  const declared = Number(stream.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined)
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = () => {
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('error', onError)
      stream.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      stop()
      stream.pause()
      resolve(undefined)
    }
    const onEnd = () => {
      stop()
      resolve(Buffer.concat(chunks))
    }
    const onError = (error: Error) => {
      stop()
      reject(error)
    }
    const onClose = () => {
      stop()
      reject(new Error('The connection closed before the body ended.'))
    }
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
  })
}

/** How long, and how much, a refused request's unread body is still read (and dropped) after the answer. */
const LINGER = { ms: 2000, bytes: 16 * 1024 * 1024 }

/**
 * Call before answering a request whose body was not read to its end (over a limit, or refused before routing).
 * Node closes such a connection as soon as the answer is written (destroySoon), and the reset that closing with
 * unread data sends can reach the client, still sending, before it has read the answer. Instead the connection is
 * half-closed after the answer, and the rest of the body is read and dropped for LINGER.ms or LINGER.bytes at most
 * before it is closed: nginx's lingering close (https://nginx.org/en/docs/http/ngx_http_core_module.html#lingering_close).
 */
export function lingerAfterAnswer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const socket = req.socket
  socket.destroySoon = () => void socket.end()
  res.once('finish', () => {
    if (req.complete) return
    let dropped = 0
    const timer = setTimeout(() => socket.destroy(), LINGER.ms)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length
      if (dropped > LINGER.bytes) socket.destroy()
    })
    req.resume()
  })
}

/** Compares a secret with what a client sent in time that does not depend on where they differ (nor on the
 *  lengths: both are hashed first). https://codahale.com/a-lesson-in-timing-attacks/ */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

/** A hostname as the URL parser writes it (lower case, IPv4 canonical, IPv6 in brackets), or undefined. */
function hostnameOf(host: string): string | undefined {
  try {
    const url = new URL(`http://${host}`)
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined
    return url.hostname
  } catch {
    return undefined
  }
}

/** The name the server was told to listen on (--host), as a Host header would carry it. */
export function listenHostname(host: string): string | undefined {
  return hostnameOf(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host)
}

/**
 * Whether a Host header names this machine: localhost, 127.0.0.0/8, [::1], or `listening`, the name the server
 * listens on as listenHostname writes it (computed once, when the server starts). A web page that rebinds its own
 * name to 127.0.0.1 still sends its name, so it is refused here.
 * https://developer.chrome.com/blog/private-network-access-update (DNS rebinding), RFC 6761 §6.3 (localhost)
 */
export function hostAllowed(host: string | undefined, listening?: string): boolean {
  const hostname = host === undefined ? undefined : hostnameOf(host)
  if (hostname === undefined) return false
  if (hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)) return true
  return hostname === listening
}

/**
 * Why a request may come from another site's page, or undefined when it is this origin's or no browser's. Browsers
 * send Origin with every POST, PUT and DELETE (and cross-origin reads), and Sec-Fetch-Site with every request;
 * the AWS SDKs, analytics-node and curl send neither. https://fetch.spec.whatwg.org/#origin-header,
 * https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
 */
export function crossSite(req: http.IncomingMessage): string | undefined {
  const { origin } = req.headers
  const site = req.headers['sec-fetch-site']
  if (origin !== undefined) {
    let own: string | undefined
    let theirs: string | undefined
    try {
      own = new URL(`http://${req.headers.host ?? ''}`).origin
      theirs = new URL(origin).origin
    } catch {
      theirs = undefined
    }
    if (theirs === undefined || theirs !== own) return `requests from ${origin} are not accepted here`
  }
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `${String(site)} requests are not accepted here`
  return undefined
}

export interface ServerLimits {
  /** Open connections at most; more are answered 503 and closed. */
  maxConnections?: number
  /** Time to send the request's headers, and the whole request (Node's headersTimeout, requestTimeout). */
  headersTimeoutMs?: number
  requestTimeoutMs?: number
  /** How long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs?: number
}

const DEFAULT_LIMITS: Required<ServerLimits> = {
  maxConnections: 1000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000
}

const OVER_CAPACITY = JSON.stringify({
  error: 'too_many_connections',
  message: 'The local stack has too many open connections; try again.'
})

/**
 * An HTTP server that slow or idle clients cannot exhaust: headers within headersTimeoutMs and the request within
 * requestTimeoutMs (checked every second, not Node's 30 s), idle keep-alive connections closed, and at most
 * maxConnections open: one more is answered 503 (as HTTP/1.1, so the client sees why) and closed, and a request it
 * still sends is never handled. https://nodejs.org/api/http.html#serverheaderstimeout
 */
export function createLimitedServer(listener: http.RequestListener, limits: ServerLimits = {}): http.Server {
  const { maxConnections, headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = { ...DEFAULT_LIMITS, ...limits }
  const refused = new WeakSet<net.Socket>()
  let open = 0
  const server = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs)
    },
    (req, res) => {
      if (refused.has(req.socket)) return void req.socket.destroy()
      listener(req, res)
    }
  )
  server.on('connection', (socket: net.Socket) => {
    open++
    socket.once('close', () => open--)
    if (open <= maxConnections) return
    refused.add(socket)
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n` +
        `retry-after: 1\r\ncontent-length: ${Buffer.byteLength(OVER_CAPACITY)}\r\n\r\n${OVER_CAPACITY}`
    )
    socket.setTimeout(1000, () => socket.destroy())
  })
  return server
}
