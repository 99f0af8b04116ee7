// The function's work: each event goes through the destination's presets, as the Actions destination's subscriptions
// would send it (Segment's own subscription language, evaluated by @segment/destination-subscriptions), mapped with
// the preset's mapping and sent by the action's own code. An action runs only when its settings are filled in:
// Identify User with a Users Dataset ARN, Sync Items with an Items Dataset ARN, recommendations with a campaign or
// recommender ARN.
import { parseFql, validate, type Subscription } from '@segment/destination-subscriptions'
import type { Settings } from '../destination/generated-types'
import type { HttpClient } from '../destination/http'
import { putUsers } from '../destination/identifyUser/users'
import type { EventResult, Failure } from '../destination/personalize/errors'
import { invalidEvent } from '../destination/personalize/errors'
import { ACTION_CAN_ACT, presets, type ActionName } from '../destination/presets'
import { putItems } from '../destination/syncItems/items'
import { syncRecommendations } from '../destination/syncRecommendations/recommend'
import { ROUND_TRIP_PATH } from '../destination/syncRecommendations/fields'
import { putEvents } from '../destination/trackEvent/putEvents'
import { atPath, resolve, type JsonValue } from './mapping'

type Send = (request: HttpClient, settings: Settings, payloads: never[]) => Promise<EventResult[]>

// Each action's code that sends a batch of its payloads.
const SENDERS: Record<ActionName, Send> = {
  trackEvent: putEvents,
  identifyUser: putUsers,
  syncItems: putItems,
  syncRecommendations
}

const SUBSCRIPTIONS: Array<{ action: ActionName; subscription: Subscription; mapping: JsonValue }> = presets.flatMap(
  (preset) =>
    'subscribe' in preset
      ? [
          {
            action: preset.partnerAction as ActionName,
            subscription: parseFql(preset.subscribe),
            mapping: preset.mapping as JsonValue
          }
        ]
      : []
)

/** What became of one event: sent, failed, nothing to do (`ignored`), or not something this function handles. */
export type Outcome =
  { kind: 'ok' } | { kind: 'failed'; failure: Failure } | { kind: 'ignored' | 'unsupported'; reason: string }

/** A malformed event: not an object, without a type, or a track without an event name. */
function malformed(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return 'The event is not a JSON object.'
  const { type, event: name } = event as Record<string, unknown>
  if (typeof type !== 'string' || type === '') return 'The event has no type.'
  if (type === 'track' && (typeof name !== 'string' || name === '')) return 'The track event has no event name.'
  return undefined
}

/** Runs a batch of events through the presets; one outcome per event, in order. */
export async function handle(request: HttpClient, events: unknown[], settings: Settings): Promise<Outcome[]> {
  const outcomes: Outcome[] = events.map((event) => {
    const problem = malformed(event)
    return problem ? { kind: 'failed', failure: invalidEvent(problem) } : { kind: 'ok' }
  })
  const matched = new Array<boolean>(events.length).fill(false)
  const work = SUBSCRIPTIONS.map(async ({ action, subscription, mapping }) => {
    const indexes = events.flatMap((event, i) =>
      outcomes[i]!.kind === 'ok' && validate(subscription, event) ? [i] : []
    )
    if (indexes.length === 0 || !ACTION_CAN_ACT[action](settings)) return
    indexes.forEach((i) => (matched[i] = true))
    const payloads = indexes.map((i) => resolve(mapping, events[i]) as never)
    const results = await SENDERS[action](request, settings, payloads)
    results.forEach((result, n) => {
      const i = indexes[n]!
      // An event that several presets act on fails if any of them failed; the retryable failure wins, so Segment
      // retries it.
      if (result.ok) return
      const current = outcomes[i]!
      if (current.kind !== 'failed' || result.failure.kind === 'retryable')
        outcomes[i] = { kind: 'failed', failure: result.failure }
    })
  })
  await Promise.all(work)
  return outcomes.map((outcome, i) => (outcome.kind === 'ok' && !matched[i] ? unhandled(events[i], settings) : outcome))
}

function unhandled(event: unknown, settings: Settings): Outcome {
  if (atPath(event, ROUND_TRIP_PATH) !== undefined)
    return { kind: 'ignored', reason: 'An identify the recommendations round-trip sent: nothing to do.' }
  const { type, event: name } = event as { type: string; event?: string }
  const what = type === 'track' ? `Track "${name}"` : `A ${type} call`
  const hint =
    type === 'identify' && !settings.usersDatasetArn && !(settings.campaignArn || settings.recommenderArn)
      ? ' Set Users Dataset ARN (PutUsers) or Campaign ARN (recommendations) to act on identify calls.'
      : ''
  return { kind: 'unsupported', reason: `${what} is not one of the events this function sends to Personalize.${hint}` }
}
