// Profiles, as Segment's Profiles (Unify) builds them from identify calls, and the Profile API's read of a user's
// traits: GET /v1/spaces/<space>/collections/users/profiles/user_id:<id>/traits, Basic auth with an access token.
// https://segment.com/docs/unify/profile-api/
import type http from 'node:http'

/** The local stack's Profile API access token (Segment's are created per space). */
export const PROFILE_TOKEN = 'local-profile-api-token'

const TRAITS_PATH = /^\/v1\/spaces\/([^/]+)\/collections\/users\/profiles\/user_id:([^/]+)\/traits$/
const LIMIT = { default: 10, max: 200 }

export class Profiles {
  private readonly users = new Map<string, Record<string, unknown>>()

  /** Merges an identify's traits into its user's profile (later values win, as in Segment). */
  apply(message: Record<string, unknown>): void {
    const { type, userId, traits } = message
    if (type !== 'identify' || typeof userId !== 'string' || traits === null || typeof traits !== 'object') return
    this.users.set(userId, { ...this.users.get(userId), ...(traits as Record<string, unknown>) })
  }

  traits(userId: string): Record<string, unknown> | undefined {
    return this.users.get(userId)
  }

  get size(): number {
    return this.users.size
  }

  /** Answers a Profile API request, or returns false when the path is not one. */
  answer(req: http.IncomingMessage, res: http.ServerResponse, token = PROFILE_TOKEN): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = TRAITS_PATH.exec(url.pathname)
    if (!match || req.method !== 'GET') return false
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /i, ''), 'base64').toString()
    if (given.replace(/:.*$/, '') !== token) {
      send(401, {
        errors: [{ message: 'Unauthorized: use the access token as the Basic auth username', type: 'unauthorized' }]
      })
      return true
    }
    const traits = this.users.get(decodeURIComponent(match[2]!))
    if (!traits) {
      send(404, { errors: [{ message: 'Resource not found', type: 'not_found' }] })
      return true
    }
    const include = url.searchParams.get('include')?.split(',').filter(Boolean)
    const limit = Math.min(Number(url.searchParams.get('limit') ?? LIMIT.default) || LIMIT.default, LIMIT.max)
    const keys = Object.keys(traits).filter((key) => !include || include.includes(key))
    const page = Object.fromEntries(keys.slice(0, limit).map((key) => [key, traits[key]]))
    send(200, {
      traits: page,
      cursor: { url: url.pathname, has_more: keys.length > limit, next: keys.length > limit ? keys[limit] : '', limit }
    })
    return true
  }
}
