import type { JSONLikeObject } from '@segment/actions-core'
import type { HttpClient } from '../http'
import { removeUndefined } from '../mapping'
import type { Settings } from '../generated-types'
import { deliver, forEachConcurrently } from '../personalize/batch'
import type { Part } from '../personalize/batch'
import { callPersonalize } from '../personalize/client'
import type { Operation } from '../personalize/client'
import { forgetCredentials, resolveCredentials } from '../personalize/credentials'
import { invalidEvent, missingSetting } from '../personalize/errors'
import type { EventResult, Failure } from '../personalize/errors'
import { ID_MAX_LENGTH } from '../personalize/limits'
import { batchesOf, MAX_MESSAGE_BYTES, messageBytes, sendBatch } from '../segment/trackingApi'
import type { Payload } from './generated-types'

// GetRecommendations' limits, from personalize-runtime's service model (botocore personalize-runtime/2018-05-22):
// numResults ≤ 500; context ≤ 150 entries, keys [A-Za-z\d_]+ ≤ 150, values ≤ 1000; filterValues ≤ 25 entries,
// keys [A-Za-z0-9_]+ ≤ 50, values ≤ 1000.
export const MAP_LIMITS = {
  context: { maxEntries: 150, keyPattern: /^[A-Za-z\d_]{1,150}$/, valueMax: 1000 },
  filterValues: { maxEntries: 25, keyPattern: /^[A-Za-z0-9_]{1,50}$/, valueMax: 1000 }
}
const NUM_RESULTS_MAX = 500
// A promotion's limits, from the same model: name 1..63, percentPromotedItems 1..100, at most one promotion.
const PROMOTION_NAME_MAX = 63
const CONCURRENT_CALLS = 8

/** The GetRecommendations request one event asks for; events asking the same thing share one call. */
interface Ask {
  /** Personalize's user: the Segment userId, or the session ID for an anonymous visitor. */
  userId: string
  itemId?: string
  numResults: number
  filterArn?: string
  filterValues?: Record<string, string>
  context?: Record<string, string>
  promotions?: Promotion[]
}

interface Promotion {
  name: string
  percentPromotedItems: number
  filterArn: string
  filterValues?: Record<string, string>
}

interface Recommendations {
  itemIds: string[]
  recommendationId?: string
  /** The promotion name of each promoted item, by item ID. */
  promoted: Record<string, string>
}

/**
 * The round-trip for a batch: one GetRecommendations per distinct request (in practice, per user), then one identify
 * per user with the recommendations as a trait, sent to Segment in as few /v1/batch calls as its limits allow (one,
 * normally). Events marked as coming from a round-trip are skipped. Each event gets its own result.
 */
export async function syncRecommendations(
  request: HttpClient,
  settings: Settings,
  payloads: Payload[]
): Promise<EventResult[]> {
  const config = configurationProblem(settings)
  if (config) return payloads.map(() => ({ ok: false, failure: config }))
  const failures: Array<Failure | undefined> = []
  // One ask per Segment identity (its userId and anonymousId): its latest event in the batch asks, so the profile gets
  // the answer that reflects all of them, and two events of one visitor (another session ID, another item) never ask
  // twice to keep only one answer.
  const asks = new Map<string, Part<Ask> & { askedBy: number }>()
  payloads.forEach((payload, i) => {
    if (payload.roundTrip === true) return
    const ask = askOf(payload)
    if (typeof ask === 'string') return void (failures[i] = invalidEvent(ask))
    const key = JSON.stringify([payload.userId ?? null, payload.anonymousId ?? null])
    const part = asks.get(key)
    if (part) Object.assign(part, { value: ask, askedBy: i }).origins.push(i)
    else asks.set(key, { origins: [i], value: ask, askedBy: i })
  })

  const answers = new Map<Part<Ask> & { askedBy: number }, Recommendations>()
  if (asks.size > 0) {
    const resolved = await resolveCredentials(request, settings)
    await forEachConcurrently([...asks.values()], CONCURRENT_CALLS, async (part) => {
      const answer = resolved.ok ? await getRecommendations(request, settings, resolved, part.value) : resolved
      if ('itemIds' in answer) answers.set(part, answer)
      else for (const origin of part.origins) failures[origin] = answer.failure
    })
  }

  // One identify per identity. An empty answer writes nothing: the profile keeps the recommendations it has.
  const identities: Array<Part<JSONLikeObject> & { bytes: number }> = []
  const unanswered = new Set<number>()
  for (const [ask, recommendations] of answers) {
    if (recommendations.itemIds.length === 0) {
      ask.origins.forEach((origin) => unanswered.add(origin))
      continue
    }
    const identify = identifyOf(payloads[ask.askedBy]!, ask.value, recommendations)
    const bytes = messageBytes(identify)
    if (bytes > MAX_MESSAGE_BYTES) {
      const failure = invalidEvent(
        `the identify would be ${bytes} bytes, over Segment's 32 KB per event: lower Number of Results (${ask.value.numResults})`
      )
      for (const origin of ask.origins) failures[origin] = failure
    } else identities.push({ origins: ask.origins, value: identify, bytes })
  }
  const send = (parts: Array<Part<JSONLikeObject>>) =>
    sendBatch(
      request,
      settings,
      parts.map((part) => part.value)
    )
  await deliver(batchesOf(identities), send, 2, failures)

  const sentFor = new Map<number, JSONLikeObject>()
  for (const part of identities) for (const origin of part.origins) sentFor.set(origin, part.value)
  return payloads.map((payload, i): EventResult => {
    const failure = failures[i]
    if (failure) return { ok: false, failure, sent: sentFor.get(i) }
    if (payload.roundTrip === true) return { ok: true, sent: { skipped: 'this identify came from a round-trip' } }
    if (unanswered.has(i))
      return { ok: true, sent: { skipped: 'Personalize recommended nothing: the profile keeps its recommendations' } }
    return { ok: true, sent: sentFor.get(i)! }
  })
}

function configurationProblem(settings: Settings): Failure | undefined {
  if (!settings.campaignArn && !settings.recommenderArn) {
    return missingSetting('Campaign ARN or Recommender ARN', 'Sync Recommendations asks that campaign or recommender')
  }
  if (!settings.segmentWriteKey) {
    return missingSetting('Segment Write Key', 'Sync Recommendations sends the recommendations to that Segment source')
  }
  return undefined
}

/** The GetRecommendations request of one event, or why it cannot be asked. */
export function askOf(payload: Payload): Ask | string {
  const userId = payload.userId || payload.sessionId
  if (!userId) return 'the event has no userId and no session ID to ask recommendations for'
  if (userId.length > ID_MAX_LENGTH)
    return `userId is ${userId.length} characters; Personalize accepts at most ${ID_MAX_LENGTH}`
  if (payload.itemId && payload.itemId.length > ID_MAX_LENGTH) {
    return `itemId is ${payload.itemId.length} characters; Personalize accepts at most ${ID_MAX_LENGTH}`
  }
  const numResults = payload.numResults ?? 25
  if (numResults < 1 || numResults > NUM_RESULTS_MAX)
    return `numResults is ${numResults}; Personalize accepts 1 to ${NUM_RESULTS_MAX}`
  const filterValues = stringMap('filterValues', payload.filterValues)
  const context = stringMap('context', payload.context)
  if (typeof filterValues === 'string') return filterValues
  if (typeof context === 'string') return context
  const promotion = promotionOf(payload.promotions)
  if (typeof promotion === 'string') return promotion
  return removeUndefined({
    userId,
    itemId: payload.itemId,
    numResults,
    filterArn: payload.filterArn,
    filterValues,
    context,
    promotions: promotion ? [promotion] : undefined
  })
}

/** The promotion to ask for (none when the field is empty), or why it cannot be asked. */
function promotionOf(given: Payload['promotions']): Promotion | undefined | string {
  if (!given || Object.values(given).every((value) => value === undefined || value === null || value === ''))
    return undefined
  const { name, percentPromotedItems, filterArn } = given
  if (typeof name !== 'string' || name.length < 1 || name.length > PROMOTION_NAME_MAX)
    return `the promotion needs a name of 1 to ${PROMOTION_NAME_MAX} characters`
  if (typeof percentPromotedItems !== 'number' || !Number.isInteger(percentPromotedItems))
    return 'the promotion needs a whole Percent Promoted Items'
  if (percentPromotedItems < 1 || percentPromotedItems > 100)
    return `the promotion's Percent Promoted Items is ${percentPromotedItems}; Personalize accepts 1 to 100`
  if (typeof filterArn !== 'string' || filterArn === '') return 'the promotion needs a Filter ARN'
  const filterValues = stringMap('filterValues', given.filterValues)
  if (typeof filterValues === 'string') return `the promotion's ${filterValues}`
  return removeUndefined({ name, percentPromotedItems, filterArn, filterValues })
}

/** A map of strings within Personalize's limits (non-strings are sent as JSON), or why not. */
function stringMap(
  name: keyof typeof MAP_LIMITS,
  map: Record<string, unknown> | undefined
): Record<string, string> | undefined | string {
  if (!map) return undefined
  const limits = MAP_LIMITS[name]
  const entries = Object.entries(map).filter(([, value]) => value !== undefined && value !== null)
  if (entries.length === 0) return undefined
  if (entries.length > limits.maxEntries)
    return `${name} has ${entries.length} entries; Personalize accepts at most ${limits.maxEntries}`
  const result: Record<string, string> = {}
  for (const [key, value] of entries) {
    if (!limits.keyPattern.test(key))
      return `${name} key "${key}" does not match Personalize's pattern ${limits.keyPattern.source}`
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    if (text.length > limits.valueMax)
      return `${name}.${key} is ${text.length} characters; Personalize accepts at most ${limits.valueMax}`
    result[key] = text
  }
  return result
}

const operationFor = (settings: Settings): Operation => ({
  name: 'GetRecommendations',
  service: 'personalize-runtime',
  path: '/recommendations',
  resource: settings.campaignArn
    ? { setting: 'Campaign ARN', value: settings.campaignArn }
    : { setting: 'Recommender ARN', value: settings.recommenderArn ?? '' },
  permission: 'personalize:GetRecommendations'
})

async function getRecommendations(
  request: HttpClient,
  settings: Settings,
  resolved: { credentials: Parameters<typeof callPersonalize>[2] },
  ask: Ask
): Promise<Recommendations | { failure: Failure }> {
  const target = settings.campaignArn
    ? { campaignArn: settings.campaignArn }
    : { recommenderArn: settings.recommenderArn }
  const outcome = await callPersonalize(request, settings, resolved.credentials, operationFor(settings), {
    ...target,
    ...ask
  })
  if (!outcome.ok) {
    if (outcome.failure.kind === 'authentication') forgetCredentials(settings)
    return { failure: outcome.failure }
  }
  try {
    const body = JSON.parse(outcome.text) as {
      itemList?: Array<{ itemId?: string; promotionName?: string }>
      recommendationId?: string
    }
    const items = (body.itemList ?? []).filter((item) => typeof item.itemId === 'string')
    const promoted: Record<string, string> = {}
    for (const item of items) if (typeof item.promotionName === 'string') promoted[item.itemId!] = item.promotionName
    return { itemIds: items.map((item) => item.itemId!), recommendationId: body.recommendationId, promoted }
  } catch {
    return {
      failure: {
        kind: 'retryable',
        status: 502,
        type: 'InvalidResponse',
        message: 'GetRecommendations answered with something that is not JSON'
      }
    }
  }
}

/** The identify that writes the recommendations to the profile, marked so it never starts another round-trip. */
function identifyOf(payload: Payload, ask: Ask, recommendations: Recommendations): JSONLikeObject {
  const traits: JSONLikeObject = { [payload.traitName]: recommendations.itemIds }
  if (Object.keys(recommendations.promoted).length > 0)
    traits[`${payload.traitName}_promotions`] = recommendations.promoted
  if (payload.recommendationIdTrait && recommendations.recommendationId) {
    traits[payload.recommendationIdTrait] = recommendations.recommendationId
  }
  const personalize: JSONLikeObject = { roundTrip: true, userId: ask.userId }
  if (recommendations.recommendationId) personalize.recommendationId = recommendations.recommendationId
  return removeUndefined({
    type: 'identify',
    userId: payload.userId || undefined,
    anonymousId: payload.anonymousId || (payload.userId ? undefined : ask.userId),
    traits,
    context: { personalize },
    integrations: (payload.integrations ?? { All: false }) as JSONLikeObject,
    messageId: identifyMessageId(payload, ask, recommendations),
    timestamp: new Date().toISOString()
  })
}

/**
 * The identify's messageId, derived from the triggering event's so that a repeat of that event (a retry, a replay)
 * sends the same messageId and Segment deduplicates it. Without one, it is derived from what the identify says, which
 * is as stable. No random id: Segment's jest environment has no global `crypto`, and a random id defeats deduplication.
 */
function identifyMessageId(payload: Payload, ask: Ask, recommendations: Recommendations): string {
  if (payload.messageId) return `personalize-syncRecommendations-${payload.messageId}`
  const what = JSON.stringify([
    payload.userId,
    payload.anonymousId,
    ask,
    recommendations.itemIds,
    recommendations.recommendationId
  ])
  return `personalize-syncRecommendations-${fnv1a(what, 0x811c9dc5)}${fnv1a(what, 0x050c5d1f)}`
}

/** 32-bit FNV-1a of the string's UTF-16 code units, as 8 hex digits; two seeds give 64 bits against collisions. */
function fnv1a(text: string, seed: number): string {
  let hash = seed
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(16).padStart(8, '0')
}
