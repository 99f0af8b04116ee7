// What the explorer page shows, kept in memory: every message the local Segment holds, folded into people (a userId
// and the anonymousIds linked to it) with their recent events, and a catalogue of the items their events name.
// Profiles' traits are not copied here: they are read from the local Segment's Profiles when asked for.
import type { Item } from '../../api/catalogue'
import type { StoredMessage } from '../segment/logStore'

/** The trait the destination's round-trip identify writes (syncRecommendations' default Trait Name). */
export const RECOMMENDED_TRAIT = 'recommended_products'
export const MAX_EVENTS = 50
const SEARCH_LIMIT = { default: 50, max: 500 }

export interface CatalogueItem {
  itemId: string
  name?: string
  category?: string
  brand?: string
  price?: number
  /** How many stored events named it. */
  events: number
}

export interface RecentEvent {
  messageId: string
  type: string
  event?: string
  /** When it happened (Segment's corrected timestamp), and when the local Segment stored it. */
  timestamp: string
  receivedAt: string
  /** The source's id. */
  projectId: string
  anonymousId?: string
  /** The item ids its properties name (product_id or sku, and those of products[]). */
  items: string[]
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  /** On the destination's round-trip identify: the messageId of the event that asked for its recommendations. */
  roundTripOf?: string
}

/** A recommended_products list written to a person's profile, and how it changed the one before. */
export interface RecommendationChange {
  /** The identify that wrote it (the round-trip's), when it was stored, and the event that triggered it. */
  messageId: string
  receivedAt: string
  trigger?: string
  items: string[]
  entered: string[]
  left: string[]
  /** The person's first list (everything in it entered). */
  first: boolean
}

/** What the explorer shows of a list change: its items resolved through the catalogue. */
export interface ResolvedChange extends Omit<RecommendationChange, 'items' | 'entered' | 'left'> {
  items: ResolvedItem[]
  entered: ResolvedItem[]
  left: ResolvedItem[]
}

/** The message types and event names the local Segment has stored, for the mappings view's trigger suggestions. */
export interface Seen {
  type: string
  event?: string
  count: number
}

interface Person {
  /** The userId, or for a visitor never identified, their anonymousId. */
  id: string
  userId?: string
  anonymousIds: Set<string>
  /** Oldest first, at most maxEvents. */
  events: RecentEvent[]
  firstSeen: number
  lastSeen: number
  eventCount: number
  /** The lists written to the profile, in the order they were stored; at most maxEvents. */
  recommendations: RecommendationChange[]
}

/** What the live feed hears: a summary of each stored message, with the person it was filed under. */
export interface StoredSummary {
  id: string
  messageId: string
  type: string
  event?: string
  timestamp: string
  items: string[]
}

export interface UserSummary {
  id: string
  userId: string | null
  anonymousIds: string[]
  /** The profile's name (name, or first and last name) or email, when it has one. */
  label?: string
  firstSeen: string
  lastSeen: string
  eventCount: number
  recommended: number
}

export interface ResolvedItem {
  itemId: string
  name?: string
  category?: string
  price?: number
}

export interface UserDetail extends Omit<UserSummary, 'recommended'> {
  traits: Record<string, unknown>
  recommended: ResolvedItem[]
  /** Newest first. An event after which recommendations were written carries them (`recommendations`); so does a
   *  round-trip identify whose triggering event is not among these. */
  events: Array<RecentEvent & { products: ResolvedItem[]; recommendations?: ResolvedChange }>
}

export interface ActivityOptions {
  /** A person's profile traits (the local Segment's Profiles), by userId or, for a visitor never identified, anonymousId. */
  traitsOf: (id: string) => Record<string, unknown> | undefined
  /** Items from the backfill's items.csv, by item id (api/catalogue.ts loadCatalogue). */
  catalogue?: Map<string, Item>
  maxEvents?: number
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined

const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

/** The item ids a profile's recommended_products trait holds (a list; a comma-separated string is read too). */
export function recommendedIds(traits: Record<string, unknown> | undefined): string[] {
  const value = traits?.[RECOMMENDED_TRAIT]
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : []
  return list.flatMap((id) => text(typeof id === 'string' ? id.trim() : id) ?? [])
}

/** A track event's products: its own properties (single-product events) and each of its products[] (orders). */
function productsOf(properties: Record<string, unknown> | undefined): Array<Record<string, unknown>> {
  if (!properties) return []
  const listed = Array.isArray(properties.products)
    ? (properties.products as unknown[]).map(record).filter((product) => product !== undefined)
    : []
  return [properties, ...listed].filter((product) => text(product.product_id ?? product.sku) !== undefined)
}

// The destination derives its identify's messageId from the triggering event's (syncRecommendations/recommend.ts).
const ROUND_TRIP_ID = /^personalize-syncRecommendations-(.+)$/

/** Whether a message is the destination's round-trip identify (context.personalize.roundTrip). */
function isRoundTrip(message: StoredMessage): boolean {
  const personalize = record(record(message.context)?.personalize)
  return message.type === 'identify' && personalize?.roundTrip === true
}

function timeOf(message: StoredMessage): number {
  const at = Date.parse(text(message.timestamp) ?? message.receivedAt)
  return Number.isNaN(at) ? Date.parse(message.receivedAt) || 0 : at
}

export class Activity {
  private readonly people = new Map<string, Person>()
  /** anonymousId (or an alias's previousId) → the userId it belongs to. */
  private readonly linked = new Map<string, string>()
  private readonly items = new Map<string, CatalogueItem>()
  private readonly listeners = new Set<(summary: StoredSummary) => void>()
  private readonly seenTypes = new Map<string, Seen>()
  private readonly maxEvents: number

  constructor(private readonly options: ActivityOptions) {
    this.maxEvents = options.maxEvents ?? MAX_EVENTS
    for (const [itemId, item] of options.catalogue ?? []) this.mergeItem(itemId, item, 0)
  }

  /** Files one stored message (restored at start or newly stored) and tells the live listeners. */
  add(message: StoredMessage): void {
    const person = this.personFor(message)
    if (!person) return
    const properties = record(message.properties)
    const products = message.type === 'track' ? productsOf(properties) : []
    const items = products.map((product) => text(product.product_id ?? product.sku)!)
    products.forEach((product, i) => this.mergeItem(items[i]!, product, 1))
    this.count(message)
    const roundTripOf = isRoundTrip(message) ? ROUND_TRIP_ID.exec(message.messageId)?.[1] : undefined
    const traits = record(message.traits)
    const event: RecentEvent = {
      messageId: message.messageId,
      type: text(message.type) ?? 'unknown',
      event: text(message.event),
      timestamp: new Date(timeOf(message)).toISOString(),
      receivedAt: message.receivedAt,
      projectId: message.projectId,
      anonymousId: text(message.anonymousId),
      items,
      properties,
      traits,
      ...(roundTripOf !== undefined && { roundTripOf })
    }
    this.file(person, [event])
    if (message.type === 'identify' && traits && Object.hasOwn(traits, RECOMMENDED_TRAIT))
      this.recommend(person, message, recommendedIds(traits), roundTripOf)
    const { messageId, type, timestamp } = event
    const summary: StoredSummary = { id: person.id, messageId, type, event: event.event, timestamp, items }
    for (const listener of this.listeners) listener(summary)
  }

  /** Hears each message filed from now on; returns the function that stops it. */
  subscribe(listener: (summary: StoredSummary) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The person filed under a userId or any anonymousId linked to it. */
  resolve(id: string): string | undefined {
    const key = this.people.has(id) ? id : this.linked.get(id)
    return key !== undefined && this.people.has(key) ? key : undefined
  }

  /** People whose ids, traits or recommended items (id or name) contain `query`, most recently active first. */
  search(query = '', limit = SEARCH_LIMIT.default): UserSummary[] {
    const needle = query.trim().toLowerCase()
    const count = Math.min(Math.max(1, Math.floor(limit) || SEARCH_LIMIT.default), SEARCH_LIMIT.max)
    return [...this.people.values()]
      .filter((person) => needle === '' || this.haystack(person).some((value) => value.includes(needle)))
      .sort((a, b) => b.lastSeen - a.lastSeen)
      .slice(0, count)
      .map((person) => this.summary(person))
  }

  user(id: string): UserDetail | undefined {
    const key = this.resolve(id)
    const person = key === undefined ? undefined : this.people.get(key)
    if (!person) return undefined
    const traits = this.traits(person)
    return {
      ...this.summary(person),
      traits,
      recommended: this.resolveItems(recommendedIds(traits)),
      events: this.withRecommendations(person)
    }
  }

  /** The person's events newest first, each list change attached to the event that triggered it (or, when that event
   *  is no longer kept, to the identify that wrote it). */
  private withRecommendations(person: Person) {
    const kept = new Set(person.events.map((event) => event.messageId))
    const byEvent = new Map<string, RecommendationChange>()
    for (const change of person.recommendations)
      byEvent.set(change.trigger !== undefined && kept.has(change.trigger) ? change.trigger : change.messageId, change)
    return [...person.events].reverse().map((event) => {
      const change = byEvent.get(event.messageId)
      return {
        ...event,
        products: this.resolveItems(event.items),
        ...(change && {
          recommendations: {
            ...change,
            items: this.resolveItems(change.items),
            entered: this.resolveItems(change.entered),
            left: this.resolveItems(change.left)
          }
        })
      }
    })
  }

  /** Records a list written to the person's profile, with what entered and left it since the one before. */
  private recommend(person: Person, message: StoredMessage, items: string[], trigger?: string): void {
    const before = person.recommendations.at(-1)
    const previous = new Set(before?.items ?? [])
    const now = new Set(items)
    person.recommendations.push({
      messageId: message.messageId,
      receivedAt: message.receivedAt,
      // A list written by an identify of the user's own belongs to that identify.
      trigger: trigger ?? message.messageId,
      items,
      entered: items.filter((id) => !previous.has(id)),
      left: [...previous].filter((id) => !now.has(id)),
      first: before === undefined
    })
    if (person.recommendations.length > this.maxEvents)
      person.recommendations.splice(0, person.recommendations.length - this.maxEvents)
  }

  private count(message: StoredMessage): void {
    const type = text(message.type) ?? 'unknown'
    const event =
      type === 'track' ? text(message.event) : type === 'page' || type === 'screen' ? text(message.name) : undefined
    const key = `${type}\u0000${event ?? ''}`
    const seen = this.seenTypes.get(key) ?? { type, ...(event !== undefined && { event }), count: 0 }
    seen.count++
    this.seenTypes.set(key, seen)
  }

  /** The message types and (track) event names stored so far, most frequent first. */
  seen(): { types: Seen[]; events: Seen[] } {
    const all = [...this.seenTypes.values()].sort((a, b) => b.count - a.count)
    const types = new Map<string, number>()
    for (const { type, count } of all) types.set(type, (types.get(type) ?? 0) + count)
    return {
      types: [...types].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count),
      events: all.filter((seen) => seen.event !== undefined)
    }
  }

  catalogue(): CatalogueItem[] {
    return [...this.items.values()].sort((a, b) => b.events - a.events || a.itemId.localeCompare(b.itemId))
  }

  get size(): number {
    return this.people.size
  }

  /** Catalogue entries for item ids, in order; an unknown id is itself. */
  resolveItems(ids: string[]): ResolvedItem[] {
    return ids.map((itemId) => {
      const item = this.items.get(itemId)
      return { itemId, name: item?.name, category: item?.category, price: item?.price }
    })
  }

  private traits(person: Person): Record<string, unknown> {
    return this.options.traitsOf(person.id) ?? {}
  }

  private summary(person: Person): UserSummary {
    const traits = this.traits(person)
    return {
      id: person.id,
      userId: person.userId ?? null,
      anonymousIds: [...person.anonymousIds],
      label: labelOf(traits),
      firstSeen: new Date(person.firstSeen).toISOString(),
      lastSeen: new Date(person.lastSeen).toISOString(),
      eventCount: person.eventCount,
      recommended: recommendedIds(traits).length
    }
  }

  /** Everything a search looks in, lower-cased. */
  private haystack(person: Person): string[] {
    const traits = this.traits(person)
    const recommended = this.resolveItems(recommendedIds(traits))
    const values = Object.values(traits).flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]))
    return [person.id, ...person.anonymousIds, ...values.map((value) => text(value) ?? ''), ...recommended.map(nameOf)]
      .filter((value) => value !== '')
      .map((value) => value.toLowerCase())
  }

  /** The person a message belongs to; identify, alias and any message with both ids link an anonymousId. */
  private personFor(message: StoredMessage): Person | undefined {
    const userId = text(message.userId)
    const anonymousId = text(message.anonymousId)
    if (userId === undefined) {
      if (anonymousId === undefined) return undefined
      return this.personAt(this.linked.get(anonymousId) ?? anonymousId)
    }
    const person = this.personAt(userId, userId)
    if (anonymousId !== undefined) this.link(anonymousId, person)
    // alias: previousId is the identity being merged into userId. https://segment.com/docs/connections/spec/alias/
    const previousId = text(message.previousId)
    if (message.type === 'alias' && previousId !== undefined) this.link(previousId, person)
    return person
  }

  private personAt(id: string, userId?: string): Person {
    let person = this.people.get(id)
    if (!person) {
      person = {
        id,
        userId,
        anonymousIds: new Set(),
        events: [],
        firstSeen: Infinity,
        lastSeen: 0,
        eventCount: 0,
        recommendations: []
      }
      this.people.set(id, person)
    }
    return person
  }

  /** Links an id to a user, moving the events filed under it so far into the user's. */
  private link(id: string, user: Person): void {
    if (id === user.id) return
    if (this.linked.get(id) !== user.id) {
      this.linked.set(id, user.id)
      user.anonymousIds.add(id)
    }
    const earlier = this.people.get(id)
    if (!earlier || earlier === user) return
    this.people.delete(id)
    for (const anonymousId of earlier.anonymousIds) {
      this.linked.set(anonymousId, user.id)
      user.anonymousIds.add(anonymousId)
    }
    user.eventCount += earlier.eventCount - earlier.events.length
    this.file(user, earlier.events, earlier.firstSeen)
    if (earlier.recommendations.length > 0) {
      user.recommendations.unshift(...earlier.recommendations)
      user.recommendations.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))
    }
  }

  private file(person: Person, events: RecentEvent[], firstSeen = Infinity): void {
    const times = events.map((event) => Date.parse(event.timestamp))
    person.firstSeen = Math.min(person.firstSeen, firstSeen, ...times)
    person.lastSeen = Math.max(person.lastSeen, ...times)
    person.eventCount += events.length
    const last = person.events.at(-1)
    person.events.push(...events)
    // Messages mostly come in time order; a replay of older days or a merge puts some out of it.
    if (last && events.some((event) => event.timestamp < last.timestamp))
      person.events.sort((a, b) => a.timestamp.localeCompare(b.timestamp))
    if (person.events.length > this.maxEvents) person.events.splice(0, person.events.length - this.maxEvents)
  }

  /** Later values win: the newest event's name, category, brand and price for the item. */
  private mergeItem(itemId: string, product: Record<string, unknown>, events: number): void {
    const item = this.items.get(itemId) ?? { itemId, events: 0 }
    item.events += events
    item.name = text(product.name) ?? item.name
    item.category = text(product.category) ?? item.category
    item.brand = text(product.brand) ?? item.brand
    const price = Number(product.price)
    if (product.price !== undefined && product.price !== '' && Number.isFinite(price)) item.price = price
    this.items.set(itemId, item)
  }
}

/** What a person is called: Segment's reserved name, first and last name traits, or email. */
function labelOf(traits: Record<string, unknown>): string | undefined {
  const parts = [traits.first_name ?? traits.firstName, traits.last_name ?? traits.lastName].flatMap(
    (part) => text(part) ?? []
  )
  return text(traits.name) ?? (parts.length > 0 ? parts.join(' ') : text(traits.email))
}

const nameOf = (item: ResolvedItem): string => `${item.itemId} ${item.name ?? ''}`
