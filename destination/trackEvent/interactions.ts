import { removeUndefined } from '../mapping'
import {
  EVENT_PROPERTIES_MAX_LENGTH,
  EVENT_TYPE_MAX_LENGTH,
  ID_MAX_LENGTH,
  IMPRESSION_MAX_ITEMS,
  RECOMMENDATION_ID_MAX_LENGTH,
  RESERVED_PROPERTY_KEYS
} from '../personalize/limits'
import { toEpochSeconds } from '../time'
import type { Payload } from './generated-types'

/** One element of PutEvents' `eventList`, as Personalize's wire format spells it. */
export type PersonalizeEvent = {
  eventId?: string
  eventType: string
  sentAt: number
  itemId?: string
  eventValue?: number
  impression?: string[]
  recommendationId?: string
  properties?: string
}

/** The interactions one Segment event becomes: they share a session and user, so they go in the same calls. */
export interface Interactions {
  sessionId: string
  userId?: string
  events: PersonalizeEvent[]
  /** Why parts of the event could not be sent; the event fails, the valid parts are still sent. */
  problems: string[]
}

type Checked = Partial<
  Pick<PersonalizeEvent, 'eventId' | 'eventType' | 'itemId' | 'recommendationId' | 'properties'>
> & {
  sessionId?: string
  userId?: string
  impression?: string[]
}

export interface Rule {
  field: keyof Checked
  required?: string
  maxLength?: number
  maxItems?: number
  forbidden?: string[]
}

// Personalize's limits for PutEvents (personalize/limits.ts), checked before any call so that one bad event fails
// alone with a message that says why. Event size (10 KB) needs no row: these limits keep an event under 9 KB.
export const RULES: Rule[] = [
  {
    field: 'sessionId',
    required: 'map Session ID to context.sessionId, anonymousId or userId',
    maxLength: ID_MAX_LENGTH,
    // Personalize answers 200 to the string "null" and then ignores the event (aws/aws-sdk-js#3371).
    forbidden: ['null', 'undefined']
  },
  { field: 'userId', maxLength: ID_MAX_LENGTH, forbidden: ['null', 'undefined'] },
  { field: 'eventType', required: 'the event has no name', maxLength: EVENT_TYPE_MAX_LENGTH },
  { field: 'eventId', maxLength: ID_MAX_LENGTH },
  { field: 'itemId', required: 'the event has no product_id or sku', maxLength: ID_MAX_LENGTH },
  { field: 'recommendationId', maxLength: RECOMMENDATION_ID_MAX_LENGTH },
  { field: 'impression', maxItems: IMPRESSION_MAX_ITEMS, maxLength: ID_MAX_LENGTH },
  { field: 'properties', maxLength: EVENT_PROPERTIES_MAX_LENGTH }
]

/** The first rule a value breaks, as a message, or undefined. */
export function violation(rule: Rule, value: string | string[] | undefined): string | undefined {
  const name = rule.field
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    return rule.required ? `${name} is missing: ${rule.required}` : undefined
  }
  if (Array.isArray(value)) {
    if (rule.maxItems !== undefined && value.length > rule.maxItems) {
      return `${name} has ${value.length} items; Personalize accepts at most ${rule.maxItems}`
    }
    const long = rule.maxLength === undefined ? -1 : value.findIndex((v) => v.length > rule.maxLength!)
    return long < 0
      ? undefined
      : `${name}[${long}] is ${value[long]!.length} characters; Personalize accepts at most ${rule.maxLength}`
  }
  if (rule.forbidden?.includes(value.toLowerCase())) {
    return `${name} is the string "${value}": Personalize accepts it and then ignores the event`
  }
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    const what = name === 'properties' ? 'characters as JSON' : 'characters'
    return `${name} is ${value.length} ${what}; Personalize accepts at most ${rule.maxLength}`
  }
  return undefined
}

// Fields that differ between the interactions of one event; the others are checked once per event.
const PER_PART = new Set<keyof Checked>(['itemId', 'eventId'])
const SHARED_RULES = RULES.filter((rule) => !PER_PART.has(rule.field))
const PART_RULES = RULES.filter((rule) => PER_PART.has(rule.field))

function check(candidate: Checked, rules: Rule[]): string | undefined {
  for (const rule of rules) {
    const problem = violation(rule, candidate[rule.field])
    if (problem) return problem
  }
  return undefined
}

/** Personalize's `properties`: a JSON string without the reserved keys, or undefined when nothing is left. */
export function serializeProperties(properties: Payload['properties']): string | undefined {
  if (!properties) return undefined
  const kept = Object.entries(properties).filter(([key]) => !RESERVED_PROPERTY_KEYS.has(key.toLowerCase()))
  return kept.length === 0 ? undefined : JSON.stringify(Object.fromEntries(kept))
}

/**
 * The interactions of one Segment event: one, or one per element of `products`. Either every interaction is valid,
 * or `problems` says which are not (those are left out of `events`).
 */
export function toInteractions(given: Payload): Interactions {
  const payload = withoutEmptyStrings(given)
  const sentAt = toEpochSeconds(payload.sentAt)
  const base = {
    sessionId: payload.sessionId,
    userId: payload.userId,
    eventType: payload.eventType,
    impression: payload.impression,
    recommendationId: payload.recommendationId,
    properties: serializeProperties(payload.properties)
  }
  const result: Interactions = { sessionId: payload.sessionId, userId: payload.userId, events: [], problems: [] }
  const shared = check(base, SHARED_RULES)
  if (shared || sentAt === undefined) {
    result.problems.push(shared ?? `sentAt "${String(payload.sentAt)}" is not an ISO-8601 date-time or an epoch time`)
    return result
  }
  for (const part of partsOf(payload)) {
    const problem = check(part, PART_RULES)
    if (problem) {
      result.problems.push(part.label + problem)
      continue
    }
    result.events.push(
      removeUndefined({
        eventId: part.eventId,
        eventType: payload.eventType,
        sentAt,
        itemId: part.itemId,
        eventValue: part.eventValue,
        impression: base.impression?.length ? base.impression : undefined,
        recommendationId: base.recommendationId,
        properties: base.properties
      })
    )
  }
  return result
}

/**
 * The payload with its empty strings as absent values: a mapping that finds "" (an anonymous visitor's userId as some
 * libraries send it, an empty recommendation id) means nothing there, and Personalize refuses strings under 1
 * character. A required field left empty is then reported as missing.
 */
function withoutEmptyStrings(payload: Payload): Payload {
  const present = (value: string | undefined) => (value === '' ? undefined : value)
  return {
    ...payload,
    userId: present(payload.userId),
    eventId: present(payload.eventId),
    itemId: present(payload.itemId),
    recommendationId: present(payload.recommendationId),
    impression: payload.impression?.filter((item) => item !== ''),
    products: payload.products?.map((product) => ({ ...product, itemId: present(product.itemId) }))
  }
}

/** One part per product when the event has products, else the event itself. */
function partsOf(
  payload: Payload
): Array<Pick<PersonalizeEvent, 'itemId' | 'eventId' | 'eventValue'> & { label: string }> {
  if (!payload.products?.length) {
    return [{ label: '', itemId: payload.itemId, eventValue: payload.eventValue, eventId: payload.eventId }]
  }
  return payload.products.map((product, i) => ({
    label: `products[${i}]: `,
    itemId: product.itemId,
    eventValue: product.eventValue,
    // Stable per product, so a replayed order dedupes in training as the whole event would.
    eventId: payload.eventId === undefined ? undefined : `${payload.eventId}-${i}`
  }))
}
