import type { JSONLikeObject } from '@segment/actions-core'
import type { HttpClient } from '../http'
import type { Settings } from '../generated-types'
import { chunk, deliver } from '../personalize/batch'
import type { Part } from '../personalize/batch'
import { callPersonalize } from '../personalize/client'
import type { Operation } from '../personalize/client'
import { forgetCredentials, resolveCredentials } from '../personalize/credentials'
import { invalidEvent, missingSetting } from '../personalize/errors'
import type { EventResult, Failure } from '../personalize/errors'
import { PUT_EVENTS_MAX_EVENTS } from '../personalize/limits'
import type { Payload } from './generated-types'
import { toInteractions } from './interactions'
import type { Interactions, PersonalizeEvent } from './interactions'

// PutEvents calls in flight at once for one batch. Personalize allows 1000 PutEvents requests/s per dataset group
// (https://docs.aws.amazon.com/personalize/latest/dg/limits.html); Segment runs many batches side by side.
const CONCURRENT_CALLS = 8

const putEventsOperation = (settings: Settings): Operation => ({
  name: 'PutEvents',
  service: 'personalize-events',
  path: '/events',
  resource: { setting: 'Tracking ID', value: settings.trackingId },
  permission: 'personalize:PutEvents'
})

/** An interaction with the session and user it is recorded under: all parts of one call share them. */
interface Interaction {
  sessionId: string
  userId?: string
  event: PersonalizeEvent
}

/**
 * Sends a batch of trackEvent payloads to PutEvents and returns one result per payload, in order. Personalize takes
 * 1–10 events per call and one session and user per call: interactions are grouped by (session, user), chunked by
 * ten, and an event fails if any of its interactions failed. Nothing that fails validation is sent.
 */
export async function putEvents(request: HttpClient, settings: Settings, payloads: Payload[]): Promise<EventResult[]> {
  // Required in Segment's settings form, but a settings object can still lack it (an API-made destination, a test).
  if (!settings.trackingId?.trim()) {
    const failure = missingSetting('Tracking ID', 'PutEvents records interactions through that event tracker')
    return payloads.map(() => ({ ok: false, failure }))
  }
  const built = payloads.map(toInteractions)
  const failures: Array<Failure | undefined> = built.map((b) =>
    b.problems.length === 0 ? undefined : invalidEvent(describeProblems(b.problems, b.events.length))
  )
  const sessions = groupBySession(built)
  if (sessions.length > 0) {
    const resolved = await resolveCredentials(request, settings)
    const send = async (parts: Array<Part<Interaction>>) => {
      if (!resolved.ok) return resolved
      const { sessionId, userId } = parts[0]!.value
      const outcome = await callPersonalize(request, settings, resolved.credentials, putEventsOperation(settings), {
        trackingId: settings.trackingId,
        sessionId,
        userId,
        eventList: parts.map((part) => part.value.event)
      })
      if (!outcome.ok && outcome.failure.kind === 'authentication') forgetCredentials(settings)
      return outcome
    }
    const calls = sessions.flatMap((parts) => chunk(parts, PUT_EVENTS_MAX_EVENTS))
    await deliver(calls, send, CONCURRENT_CALLS, failures)
  }
  return built.map((b, i) => {
    const sent = b.events.length > 0 ? sentShape(b.sessionId, b.userId, b.events) : undefined
    const failure = failures[i]
    return failure ? { ok: false, failure, sent } : { ok: true, sent: sent! }
  })
}

function describeProblems(problems: string[], sentCount: number): string {
  const list = problems.length > 5 ? [...problems.slice(0, 5), `and ${problems.length - 5} more`] : problems
  const sent = sentCount > 0 ? ` Its other ${sentCount} interaction(s) are sent anyway.` : ''
  return `${list.join('; ')}.${sent}`
}

/** The batch's interactions grouped by (session, user), in event order. */
function groupBySession(built: Interactions[]): Array<Array<Part<Interaction>>> {
  const groups = new Map<string, Array<Part<Interaction>>>()
  built.forEach(({ sessionId, userId, events }, origin) => {
    if (events.length === 0) return
    // A key no two different (session, user) pairs share, whatever characters their ids hold.
    const key = JSON.stringify([sessionId, userId ?? null])
    let group = groups.get(key)
    if (!group) groups.set(key, (group = []))
    for (const event of events) group.push({ origins: [origin], value: { sessionId, userId, event } })
  })
  return [...groups.values()]
}

function sentShape(sessionId: string, userId: string | undefined, events: PersonalizeEvent[]): JSONLikeObject {
  const shape: JSONLikeObject = { sessionId, eventList: events }
  if (userId !== undefined) shape.userId = userId
  return shape
}
