// personalize-events (restJson1): PutEvents records interactions into the tracker's dataset group; PutUsers and
// PutItems write users and items into their dataset.
import { ERRORS, type AwsError } from './protocol'
import type { SHAPES } from './shapes'
import type { RecordedEvent, Store } from './store'

type Input = Record<string, unknown>
export type DataOperation = Extract<keyof typeof SHAPES, 'PutEvents' | 'PutUsers' | 'PutItems'>

// Keys that have fields of their own and must not appear in an event's properties (case-insensitive).
// https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_Event.html
const RESERVED = ['userid', 'sessionid', 'eventtype', 'timestamp', 'recommendationid', 'impression']

/** The properties JSON of a record, or the error Personalize gives ("Error parsing properties json", aws-sdk-js#2773). */
function checkProperties(properties: unknown, where: string, reserved: string[] = []): AwsError | undefined {
  if (properties === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(properties as string)
  } catch {
    return ERRORS.invalidInput(`Error parsing properties json at ${where}`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    return ERRORS.invalidInput(`Error parsing properties json at ${where}: not an object`)
  const bad = Object.keys(parsed).filter((key) => reserved.includes(key.toLowerCase()))
  return bad.length > 0
    ? ERRORS.invalidInput(`${where} must not contain the reserved key(s) ${bad.join(', ')}`)
    : undefined
}

// PutEvents models only InvalidInputException; for an unknown tracker the emulator answers ResourceNotFoundException
// (our choice: it names the problem, and the destination reports it against the Tracking ID setting).
function putEvents(store: Store, input: Input): Record<string, unknown> | AwsError {
  const tracker = store.trackerByTrackingId(input.trackingId as string)
  if (!tracker) return ERRORS.notFound(`Could not find an event tracker with tracking ID ${String(input.trackingId)}`)
  const status = store.status(tracker)
  if (status !== 'ACTIVE')
    return ERRORS.invalidInput(`The event tracker ${tracker.arn} is ${status}; it takes events once ACTIVE.`)
  const events = input.eventList as Array<Omit<RecordedEvent, 'trackingId' | 'sessionId' | 'userId'>>
  for (const [i, event] of events.entries()) {
    const problem = checkProperties(event.properties, `eventList.${i + 1}.member.properties`, RESERVED)
    if (problem) return problem
  }
  const { trackingId, sessionId, userId } = input as { trackingId: string; sessionId: string; userId?: string }
  store.record(
    tracker.fields.datasetGroupArn as string,
    events.map((event) => ({ ...event, trackingId, sessionId, userId }))
  )
  return {}
}

function putMetadata(store: Store, input: Input, type: 'USERS' | 'ITEMS'): Record<string, unknown> | AwsError {
  const dataset = store.get('dataset', input.datasetArn)
  if (!dataset || dataset.fields.datasetType !== type)
    return ERRORS.notFound(`Could not find resource with ARN ${String(input.datasetArn)}`)
  const status = store.status(dataset)
  if (status !== 'ACTIVE') return ERRORS.inUse(`The dataset ${dataset.arn} is ${status}.`)
  const [listKey, idKey] = type === 'USERS' ? ['users', 'userId'] : ['items', 'itemId']
  const records = input[listKey] as Array<Record<string, string | undefined>>
  for (const [i, record] of records.entries()) {
    const problem = checkProperties(record.properties, `${listKey}.${i + 1}.member.properties`)
    if (problem) return problem
  }
  // A record written again replaces the earlier one (https://docs.aws.amazon.com/personalize/latest/dg/importing-users.html).
  store.putMetadata(
    dataset.arn,
    records.map((record) => [record[idKey]!, record.properties])
  )
  return {}
}

export const DATA_OPERATIONS: Record<
  DataOperation,
  (store: Store, input: Input) => Record<string, unknown> | AwsError
> = {
  PutEvents: putEvents,
  PutUsers: (store, input) => putMetadata(store, input, 'USERS'),
  PutItems: (store, input) => putMetadata(store, input, 'ITEMS')
}
