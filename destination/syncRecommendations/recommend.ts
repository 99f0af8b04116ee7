import type { JSONLikeObject } from '@segment/actions-core'
import type { HttpClient } from '../http'
import { removeUndefined } from '../mapping'
import type { Settings } from '../generated-types'
import { deliver, forEachConcurrently, type Part } from '../personalize/batch'
import { callPersonalize, type Operation } from '../personalize/client'
import { forgetCredentials, resolveCredentials } from '../personalize/credentials'
import { invalidEvent, missingSetting, type EventResult, type Failure } from '../personalize/errors'
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
}

interface Recommendations {
  itemIds: string[]
  recommendationId?: string
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
  const asks = new Map<string, Part<Ask>>()
  payloads.forEach((payload, i) => {
    if (payload.roundTrip === true) return
    const ask = askOf(payload)
    if (typeof ask === 'string') failures[i] = invalidEvent(ask)
    else addOrigin(asks, JSON.stringify(ask), ask, i)
  })

  const answers = new Map<Part<Ask>, Recommendations>()
  if (asks.size > 0) {
    const resolved = await resolveCredentials(request, settings)
    await forEachConcurrently([...asks.values()], CONCURRENT_CALLS, async (part) => {
      const answer = resolved.ok ? await getRecommendations(request, settings, resolved, part.value) : resolved
      if ('itemIds' in answer) answers.set(part, answer)
      else for (const origin of part.origins) failures[origin] = answer.failure
    })
  }

  // One identify per Segment identity, however many of the batch's events asked for it.
  const identities = new Map<string, Part<JSONLikeObject> & { bytes: number }>()
  for (const [ask, recommendations] of answers) {
    for (const origin of ask.origins) {
      const payload = payloads[origin]!
      const key = `${payload.userId ?? ''}\u0000${payload.anonymousId ?? ''}`
      const known = identities.get(key)
      if (known) {
        known.origins.push(origin)
        continue
      }
      const identify = identifyOf(payload, ask.value, recommendations)
      const bytes = messageBytes(identify)
      if (bytes > MAX_MESSAGE_BYTES) {
        failures[origin] = invalidEvent(
          `the identify would be ${bytes} bytes, over Segment's 32 KB per event: lower Number of Results (${ask.value.numResults})`
        )
      } else identities.set(key, { origins: [origin], value: identify, bytes })
    }
  }
  const send = (parts: Array<Part<JSONLikeObject>>) =>
    sendBatch(
      request,
      settings,
      parts.map((part) => part.value)
    )
  await deliver(batchesOf([...identities.values()]), send, 2, failures)

  const sentFor = new Map<number, JSONLikeObject>()
  for (const part of identities.values()) for (const origin of part.origins) sentFor.set(origin, part.value)
  return payloads.map((payload, i): EventResult => {
    const failure = failures[i]
    if (failure) return { ok: false, failure, sent: sentFor.get(i) }
    if (payload.roundTrip === true) return { ok: true, sent: { skipped: 'this identify came from a round-trip' } }
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

function addOrigin<T>(parts: Map<string, Part<T>>, key: string, value: T, origin: number): void {
  const part = parts.get(key)
  if (part) part.origins.push(origin)
  else parts.set(key, { origins: [origin], value })
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
  return removeUndefined({
    userId,
    itemId: payload.itemId,
    numResults,
    filterArn: payload.filterArn,
    filterValues,
    context
  })
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
    const body = JSON.parse(outcome.text) as { itemList?: Array<{ itemId?: string }>; recommendationId?: string }
    const itemIds = (body.itemList ?? [])
      .map((item) => item.itemId)
      .filter((id): id is string => typeof id === 'string')
    return { itemIds, recommendationId: body.recommendationId }
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
    messageId: `personalize-${crypto.randomUUID()}`,
    timestamp: new Date().toISOString()
  })
}
