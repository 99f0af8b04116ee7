// Shared by the destination's tests: settings, and a nock scope that answers PutEvents and records each call. Kept
// inside destination/ so the folder moves into segmentio/action-destinations as it is, where it must run with that
// repository's jest 27 and nock 13 as well as with our jest 29 and nock 14.
import nock from 'nock'
import './nockCleanup'
import type { Settings } from '../../generated-types'
import { clearCredentialCache } from '../../personalize/credentials'

export const EVENTS_HOST = 'https://personalize-events.us-west-2.amazonaws.com'

export const settings: Settings = {
  region: 'us-west-2',
  trackingId: 'tracking-123',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
}

export interface PutEventsBody {
  trackingId: string
  sessionId: string
  userId?: string
  eventList: Array<Record<string, unknown>>
}

export interface RecordedCall {
  body: PutEventsBody
  headers: Record<string, string>
}

/**
 * A request's headers with one string per name. nock 13 (Segment's) hands some header values over as arrays, nock 14
 * (ours) as strings; repeated values are joined as HTTP joins them.
 */
export function headersOf(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return result
}

/** The parameters of a form-encoded body (STS), as a plain object; es2020's lib has no iterable URLSearchParams. */
export function formParams(body: string): Record<string, string> {
  const params = new URLSearchParams(body)
  const result: Record<string, string> = {}
  params.forEach((value, key) => {
    result[key] = value
  })
  return result
}

/**
 * Answers every PutEvents call with `reply(body, index)` (200 by default) and records it. Calls are recorded in the
 * order they arrive.
 */
export function recordPutEvents(
  reply: (body: PutEventsBody, index: number) => [number, string | object, Record<string, string>?] = () => [200, '']
): RecordedCall[] {
  const calls: RecordedCall[] = []
  nock(EVENTS_HOST)
    .persist()
    .post('/events')
    .reply(function (_uri, body) {
      const parsed = body as PutEventsBody
      calls.push({ body: parsed, headers: headersOf(this.req.headers) })
      return reply(parsed, calls.length - 1)
    })
  return calls
}

/** An AWS JSON error answer as Personalize sends it. */
export function awsError(status: number, type: string, message: string): [number, object, Record<string, string>] {
  return [
    status,
    { message },
    {
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.personalize/`,
      'content-type': 'application/x-amz-json-1.1'
    }
  ]
}

/**
 * Every test of the file starts with no nock interceptors, no cached AWS credentials and no recorded responses, and
 * nothing leaves the machine: a request nock does not answer fails instead of reaching AWS.
 */
export function isolateNetwork(testDestination?: { responses: unknown[] }): void {
  beforeAll(() => nock.disableNetConnect())
  afterAll(() => nock.enableNetConnect())
  beforeEach(() => {
    nock.cleanAll()
    clearCredentialCache()
    if (testDestination) testDestination.responses = []
  })
}
