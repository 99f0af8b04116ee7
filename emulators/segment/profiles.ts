// Profiles, as Segment's Profiles (Unify) builds them from identify calls, and the Profile API's read of a user's
// traits: GET /v1/spaces/<space>/collections/users/profiles/<external id>/traits, Basic auth with an access token.
// A profile is found by user_id:<id> or anonymous_id:<id>; a message carrying both merges the visitor's anonymous
// profile into the user's, as identity resolution does.
// https://segment.com/docs/unify/profile-api/ https://segment.com/docs/unify/identity-resolution/
import type http from 'node:http'
import { requestTarget, safeEqual, sendJson } from '../http'

/** The local stack's Profile API access token (Segment's are created per space). */
export const PROFILE_TOKEN = 'local-profile-api-token'

const TRAITS_PATH = /^\/v1\/spaces\/([^/]+)\/collections\/users\/profiles\/(user_id|anonymous_id):([^/]+)\/traits$/
// `limit`: a whole number from 1 to 200, 10 when absent (https://segment.com/docs/unify/profile-api/#pagination).
const LIMIT = { default: 10, max: 200 }
const WHOLE = /^[0-9]{1,4}$/

/** The Profile API's `limit`, or undefined when it is not a whole number from 1 to 200 (-5, 2.5, 1e2, 999). */
function profileLimit(value: string | null): number | undefined {
  if (value === null) return LIMIT.default
  const limit = WHOLE.test(value) ? Number(value) : NaN
  return limit >= 1 && limit <= LIMIT.max ? limit : undefined
}

/** Whether an Authorization header is Basic auth with the token as its user name (the password is ignored, as
 *  Segment's is empty), compared in constant time. https://segment.com/docs/unify/profile-api/#authentication */
function profileAuthorized(authorization: string | undefined, token: string): boolean {
  const basic = /^Basic ([A-Za-z0-9+/=]*)$/i.exec(authorization ?? '')
  if (!basic) return false
  const credentials = Buffer.from(basic[1]!, 'base64').toString()
  const colon = credentials.indexOf(':')
  return safeEqual(colon < 0 ? credentials : credentials.slice(0, colon), token)
}

export class Profiles {
  private readonly users = new Map<string, Record<string, unknown>>()
  /** Anonymous visitors' traits (an identify without a userId), until a message links them to a user. */
  private readonly anonymous = new Map<string, Record<string, unknown>>()
  /** anonymousId → the userId it was seen with. */
  private readonly linked = new Map<string, string>()

  /** Takes a stored message: links its anonymousId to its userId, and merges an identify's traits (later win). */
  apply(message: Record<string, unknown>): void {
    const { type, userId, anonymousId, traits } = message
    const user = typeof userId === 'string' && userId !== '' ? userId : undefined
    const visitor = typeof anonymousId === 'string' && anonymousId !== '' ? anonymousId : undefined
    if (user && visitor && !this.linked.has(visitor)) {
      this.linked.set(visitor, user)
      const earlier = this.anonymous.get(visitor)
      if (earlier) {
        this.users.set(user, { ...earlier, ...this.users.get(user) })
        this.anonymous.delete(visitor)
      }
    }
    if (type !== 'identify' || traits === null || typeof traits !== 'object') return
    const owner = user ?? (visitor && this.linked.get(visitor))
    const [map, key] = owner ? [this.users, owner] : [this.anonymous, visitor]
    if (key === undefined) return
    map.set(key, { ...map.get(key), ...(traits as Record<string, unknown>) })
  }

  /** A user's traits. */
  traits(userId: string): Record<string, unknown> | undefined {
    return this.users.get(userId)
  }

  /** The traits of the profile an external id finds (user_id or anonymous_id). */
  traitsOf(kind: 'user_id' | 'anonymous_id', id: string): Record<string, unknown> | undefined {
    if (kind === 'user_id') return this.users.get(id)
    const user = this.linked.get(id)
    return user === undefined ? this.anonymous.get(id) : this.users.get(user)
  }

  get size(): number {
    return this.users.size + this.anonymous.size
  }

  /** Answers a Profile API request, or returns false when the path is not one. */
  answer(req: http.IncomingMessage, res: http.ServerResponse, token = PROFILE_TOKEN): boolean {
    const url = requestTarget(req)
    const match = url && TRAITS_PATH.exec(url.pathname)
    if (!url || !match || req.method !== 'GET') return false
    const send = (status: number, body: object) => sendJson(res, status, body)
    const badRequest = (message: string) => send(400, { errors: [{ message, type: 'bad_request' }] })
    if (!profileAuthorized(req.headers.authorization, token)) {
      send(401, {
        errors: [{ message: 'Unauthorized: use the access token as the Basic auth username', type: 'unauthorized' }]
      })
      return true
    }
    let id: string
    try {
      id = decodeURIComponent(match[3]!)
    } catch {
      badRequest(`The external id ${match[3]!} is not URL-encoded text.`)
      return true
    }
    const limit = profileLimit(url.searchParams.get('limit'))
    if (limit === undefined) {
      badRequest(`limit must be a whole number from 1 to ${LIMIT.max}.`)
      return true
    }
    const traits = this.traitsOf(match[2] as 'user_id' | 'anonymous_id', id)
    if (!traits) {
      send(404, { errors: [{ message: 'Resource not found', type: 'not_found' }] })
      return true
    }
    const include = url.searchParams.get('include')?.split(',').filter(Boolean)
    const keys = Object.keys(traits).filter((key) => !include || include.includes(key))
    const page = Object.fromEntries(keys.slice(0, limit).map((key) => [key, traits[key]]))
    send(200, {
      traits: page,
      cursor: { url: url.pathname, has_more: keys.length > limit, next: keys.length > limit ? keys[limit] : '', limit }
    })
    return true
  }
}
