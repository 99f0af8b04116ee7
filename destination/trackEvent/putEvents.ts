import type { JSONLikeObject, RequestClient } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { forgetCredentials, resolveCredentials } from '../personalize/credentials'
import { endpointFor } from '../personalize/endpoints'
import { invalidEvent, type Failure } from '../personalize/errors'
import { PUT_EVENTS_MAX_EVENTS } from '../personalize/limits'
import { sendSigned, type AwsCredentials, type CallOutcome } from '../personalize/wire'
import type { Payload } from './generated-types'
import { toInteractions, type PersonalizeEvent } from './interactions'

/** What happened to one Segment event. `sent` is what reached Personalize for it, PutEvents' shape. */
export type EventResult = { ok: true; sent: JSONLikeObject } | { ok: false; failure: Failure; sent?: JSONLikeObject }

// PutEvents calls in flight at once for one batch. Personalize allows 1000 PutEvents requests/s per dataset group
// (https://docs.aws.amazon.com/personalize/latest/dg/limits.html); Segment runs many batches side by side.
const CONCURRENT_CALLS = 8

interface Part {
  origin: number
  event: PersonalizeEvent
}

interface Call {
  sessionId: string
  userId?: string
  parts: Part[]
}

/**
 * Sends a batch of trackEvent payloads to PutEvents and returns one result per payload, in order. Personalize takes
 * 1–10 events per call and one session and user per call: interactions are grouped by (session, user), chunked by
 * ten, and an event fails if any of its interactions failed. Nothing that fails validation is sent.
 */
export async function putEvents(
  request: RequestClient,
  settings: Settings,
  payloads: Payload[]
): Promise<EventResult[]> {
  const built = payloads.map(toInteractions)
  const failures: Array<Failure | undefined> = built.map((b) =>
    b.problems.length === 0 ? undefined : invalidEvent(describeProblems(b.problems, b.events.length))
  )
  const calls = groupIntoCalls(built.map((b, origin) => ({ ...b, origin })))
  if (calls.length > 0) {
    const resolved = await resolveCredentials(request, settings)
    const send = resolved.ok
      ? (call: Call) => sendCall(request, settings, resolved.credentials, call)
      : () => Promise.resolve<CallOutcome>(resolved)
    await forEachConcurrently(calls, CONCURRENT_CALLS, async (call) => {
      for (const [parts, outcome] of await sendIsolatingBadInput(send, call)) {
        if (outcome.ok) continue
        if (outcome.failure.kind === 'authentication') forgetCredentials(settings)
        for (const part of parts) failures[part.origin] ??= outcome.failure
      }
    })
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

function groupIntoCalls(
  built: Array<{ origin: number; sessionId: string; userId?: string; events: PersonalizeEvent[] }>
): Call[] {
  const groups = new Map<string, Call>()
  for (const { origin, sessionId, userId, events } of built) {
    if (events.length === 0) continue
    const key = `${sessionId}\u0000${userId ?? ''}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { sessionId, userId, parts: [] }))
    for (const event of events) group.parts.push({ origin, event })
  }
  const calls: Call[] = []
  for (const group of groups.values()) {
    for (let i = 0; i < group.parts.length; i += PUT_EVENTS_MAX_EVENTS) {
      calls.push({ ...group, parts: group.parts.slice(i, i + PUT_EVENTS_MAX_EVENTS) })
    }
  }
  return calls
}

// Personalize rejects a whole call for one invalid event. Our own checks make that rare; when it happens, each
// event of the call is sent alone so that only the bad one fails.
async function sendIsolatingBadInput(
  send: (call: Call) => Promise<CallOutcome>,
  call: Call
): Promise<Array<[Part[], CallOutcome]>> {
  const outcome = await send(call)
  if (outcome.ok || outcome.failure.kind !== 'invalidInput' || call.parts.length === 1) return [[call.parts, outcome]]
  return Promise.all(
    call.parts.map(async (part) => [[part], await send({ ...call, parts: [part] })] as [Part[], CallOutcome])
  )
}

async function sendCall(
  request: RequestClient,
  settings: Settings,
  credentials: AwsCredentials,
  call: Call
): Promise<CallOutcome> {
  const body = JSON.stringify({
    trackingId: settings.trackingId,
    sessionId: call.sessionId,
    userId: call.userId,
    eventList: call.parts.map((part) => part.event)
  })
  const outcome = await sendSigned(request, {
    operation: 'PutEvents',
    url: `${endpointFor('personalize-events', settings)}/events`,
    region: settings.region,
    service: 'personalize',
    credentials,
    body,
    contentType: 'application/json'
  })
  return outcome.ok ? outcome : { ok: false, failure: explainForPutEvents(outcome.failure, settings) }
}

function explainForPutEvents(failure: Failure, settings: Settings): Failure {
  const prefix = `PutEvents failed: ${failure.type}: ${failure.message}`
  switch (failure.kind) {
    case 'notFound':
      return {
        ...failure,
        message: `${prefix}. Check the Tracking ID setting ("${settings.trackingId}") and the AWS Region (${settings.region}): the event tracker must exist there and be ACTIVE.`
      }
    case 'authentication':
      return {
        ...failure,
        message: `${prefix}. Check the AWS credentials settings and that they allow personalize:PutEvents.`
      }
    case 'invalidInput':
      return { ...failure, message: `Personalize rejected the event: ${failure.type}: ${failure.message}` }
    default:
      return { ...failure, message: prefix }
  }
}

function sentShape(sessionId: string, userId: string | undefined, events: PersonalizeEvent[]): JSONLikeObject {
  const shape: JSONLikeObject = { sessionId, eventList: events }
  if (userId !== undefined) shape.userId = userId
  return shape
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function forEachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
