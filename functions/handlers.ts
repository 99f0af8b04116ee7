// The function's work: each event goes through the destination's presets, as the Actions destination's subscriptions
// would send it (Segment's own subscription language, evaluated by @segment/destination-subscriptions), made into the
// action's payload as the framework would (mapping.ts) and sent by the action's own code. An action runs only when
// its settings are filled in: Identify User with a Users Dataset ARN, Sync Items with an Items Dataset ARN,
// recommendations with a campaign or recommender ARN.
import { parseFql, validate } from '@segment/destination-subscriptions'
import type { Subscription } from '@segment/destination-subscriptions'
import type { Settings } from '../destination/generated-types'
import type { HttpClient } from '../destination/http'
import { fields as identifyUserFields } from '../destination/identifyUser/fields'
import { putUsers } from '../destination/identifyUser/users'
import { invalidEvent } from '../destination/personalize/errors'
import type { EventResult, Failure } from '../destination/personalize/errors'
import { ACTION_CAN_ACT, presets } from '../destination/presets'
import type { ActionName } from '../destination/presets'
import { fields as syncItemsFields } from '../destination/syncItems/fields'
import { putItems } from '../destination/syncItems/items'
import { ROUND_TRIP_PATH } from '../destination/syncRecommendations/fields'
import { fields as syncRecommendationsFields } from '../destination/syncRecommendations/fields'
import { syncRecommendations } from '../destination/syncRecommendations/recommend'
import { fields as trackEventFields } from '../destination/trackEvent/fields'
import { putEvents } from '../destination/trackEvent/putEvents'
import { attachDeadline, withinDeadline } from './deadline'
import type { Deadline } from './deadline'
import { fetchClient } from './http'
import { atPath, payloadOf, schemaOf } from './mapping'
import type { JsonValue, Schema } from './mapping'

type Send = (request: HttpClient, settings: Settings, payloads: never[]) => Promise<EventResult[]>

interface Action {
  send: Send
  schema: Schema
  /**
   * Actions of phase 1 run before those of phase 2. Recommendations are phase 2: the GetRecommendations of an Order
   * Completed or a Product Added then follows that event's PutEvents, so what is written back to the profile
   * already reflects the event (Personalize updates a user's recommendations as their events arrive).
   */
  phase: 1 | 2
}

const ACTIONS: Record<ActionName, Action> = {
  trackEvent: { send: putEvents, schema: schemaOf(trackEventFields), phase: 1 },
  identifyUser: { send: putUsers, schema: schemaOf(identifyUserFields), phase: 1 },
  syncItems: { send: putItems, schema: schemaOf(syncItemsFields), phase: 1 },
  syncRecommendations: { send: syncRecommendations, schema: schemaOf(syncRecommendationsFields), phase: 2 }
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

/**
 * Runs a batch of events through the presets; one outcome per event, in order. The actions of phase 1 (PutEvents,
 * PutUsers, PutItems) run side by side, then recommendations, skipping events already failed as retryable: Segment
 * sends them again, and the recommendations are asked for then.
 */
export async function handle(request: HttpClient, events: unknown[], settings: Settings): Promise<Outcome[]> {
  const outcomes: Outcome[] = events.map((event) => {
    const problem = malformed(event)
    return problem ? { kind: 'failed', failure: invalidEvent(problem) } : { kind: 'ok' }
  })
  const wellFormed = outcomes.map((outcome) => outcome.kind === 'ok')
  const matched = new Array<boolean>(events.length).fill(false)
  const fail = (i: number, failure: Failure) => {
    // An event that several presets act on fails if any of them failed; the retryable failure wins, so Segment
    // retries it.
    const current = outcomes[i]!
    if (current.kind !== 'failed' || failure.kind === 'retryable') outcomes[i] = { kind: 'failed', failure }
  }
  // Phase 2 skips an event that phase 1 failed as retryable (it comes back); one that phase 1 rejected for good (a
  // Product Added without a product id, say) still gets its recommendations, as with the Actions destination.
  const open = (i: number, phase: 1 | 2) => {
    const outcome = outcomes[i]!
    return wellFormed[i] && (outcome.kind !== 'failed' || (phase === 2 && outcome.failure.kind !== 'retryable'))
  }
  const runPhase = (phase: 1 | 2) =>
    Promise.all(
      SUBSCRIPTIONS.filter(({ action }) => ACTIONS[action].phase === phase).map(
        async ({ action, subscription, mapping }) => {
          const { send, schema } = ACTIONS[action]
          const indexes = events.flatMap((event, i) => (open(i, phase) && validate(subscription, event) ? [i] : []))
          if (indexes.length === 0 || !ACTION_CAN_ACT[action](settings)) return
          const payloads: unknown[] = []
          const sentIndexes: number[] = []
          for (const i of indexes) {
            matched[i] = true
            const made = payloadOf(mapping, events[i], schema)
            if ('problem' in made) fail(i, invalidEvent(made.problem))
            else {
              payloads.push(made.payload)
              sentIndexes.push(i)
            }
          }
          if (payloads.length === 0) return
          let results: EventResult[]
          try {
            results = await send(request, settings, payloads as never[])
          } catch (error) {
            // The actions' code answers every event with a result; a throw is a case it did not foresee. Say so for
            // these events rather than let one throw end the whole invocation with a bare error.
            const message = `${action} could not handle this event: ${error instanceof Error ? error.message : String(error)}`
            for (const i of sentIndexes) fail(i, invalidEvent(message))
            return
          }
          results.forEach((result, n) => {
            if (!result.ok) fail(sentIndexes[n]!, result.failure)
          })
        }
      )
    )
  await runPhase(1)
  await runPhase(2)
  return outcomes.map((outcome, i) => (outcome.kind === 'ok' && !matched[i] ? unhandled(events[i], settings) : outcome))
}

function unhandled(event: unknown, settings: Settings): Outcome {
  if (atPath(event, ROUND_TRIP_PATH) !== undefined && atPath(event, ROUND_TRIP_PATH) !== null)
    return { kind: 'ignored', reason: 'An identify the recommendations round-trip sent: nothing to do.' }
  const { type, event: name } = event as { type: string; event?: string }
  const what = type === 'track' ? `Track "${name}"` : `A ${type} call`
  const hint =
    type === 'identify' && !settings.usersDatasetArn && !(settings.campaignArn || settings.recommenderArn)
      ? ' Set Users Dataset ARN (PutUsers) or Campaign ARN (recommendations) to act on identify calls.'
      : ''
  return { kind: 'unsupported', reason: `${what} is not one of the events this function sends to Personalize.${hint}` }
}

// A margin past the deadline for the actions to turn their timed-out requests into results; past it, the events still
// waiting fail as retryable all the same (a step that ignored the deadline), before the runtime's limit.
const SETTLE_MS = 250

/**
 * Every event through the presets within one invocation's deadline (deadline.ts), over the runtime's fetch (or the
 * given client); one
 * outcome per event and never a throw. The Destination Function (entry.ts) and the Lambda build (lambda/handler.ts)
 * both run their events through this.
 */
export async function handleWithin(
  events: unknown[],
  settings: Settings,
  deadline: Deadline,
  clientFor: (deadline: Deadline) => HttpClient = fetchClient
): Promise<Outcome[]> {
  const work = handle(clientFor(deadline), events, attachDeadline(settings, deadline))
  const budget: Deadline = { budgetMs: deadline.budgetMs, remaining: () => deadline.remaining() + SETTLE_MS }
  try {
    return await withinDeadline(work, budget, 'the invocation')
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) }
    // Anything else is a case the code did not foresee: the events fail with what happened, not with a bare error.
    const failure: Failure =
      name === 'TimeoutError'
        ? { kind: 'retryable', status: 408, type: 'RequestTimeout', message }
        : invalidEvent(`The function could not handle the event: ${name}: ${message}`)
    return events.map(() => ({ kind: 'failed', failure }))
  }
}
