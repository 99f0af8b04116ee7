import type { JSONLikeObject } from '@segment/actions-core'
import type { HttpClient } from '../http'
import type { Settings } from '../generated-types'
import { classify } from '../personalize/errors'
import type { Failure } from '../personalize/errors'
import type { CallOutcome } from '../personalize/wire'

// Segment's Tracking API regions: https://segment.com/docs/guides/regional-segment/
export const SEGMENT_REGIONS = [
  { label: 'US (Oregon) api.segment.io', value: 'us' },
  { label: 'EU (Dublin) events.eu1.segmentapis.com', value: 'eu' }
]
const REGION_BASES: Record<string, string> = {
  us: 'https://api.segment.io/v1',
  eu: 'https://events.eu1.segmentapis.com/v1'
}

// Segment answers 400 to a call or an event over 32 KB and to a batch over 500 KB, and rejects batches of more
// than 2500 events: https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size
export const MAX_MESSAGE_BYTES = 32 * 1024
const MAX_BATCH_BYTES = 500 * 1024 - 1024 // room for the {"batch":[…]} wrapper
const MAX_BATCH_MESSAGES = 2500

/** The Tracking API base URL: the override if set, else the chosen region's. */
export function trackingApiBase(settings: Settings): string {
  const override = settings.segmentEndpoint?.trim()
  if (override) return override.replace(/\/+$/, '')
  return REGION_BASES[settings.segmentRegion ?? 'us'] ?? REGION_BASES.us!
}

export function messageBytes(message: JSONLikeObject): number {
  return Buffer.byteLength(JSON.stringify(message))
}

/** Messages in the fewest `/v1/batch` calls Segment accepts: at most 2500 messages and 500 KB each. */
export function batchesOf<T extends { bytes: number }>(messages: T[]): T[][] {
  const batches: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const message of messages) {
    if (current.length > 0 && (current.length === MAX_BATCH_MESSAGES || bytes + message.bytes + 1 > MAX_BATCH_BYTES)) {
      batches.push(current)
      current = []
      bytes = 0
    }
    current.push(message)
    bytes += message.bytes + 1
  }
  if (current.length > 0) batches.push(current)
  return batches
}

/** POSTs messages to `/v1/batch` with the write key as basic auth. */
export async function sendBatch(
  request: HttpClient,
  settings: Settings,
  batch: JSONLikeObject[]
): Promise<CallOutcome> {
  const url = `${trackingApiBase(settings)}/batch`
  let response
  try {
    response = await request(url, {
      method: 'POST',
      username: settings.segmentWriteKey,
      password: '',
      json: { batch },
      throwHttpErrors: false,
      skipResponseCloning: true
    })
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    return {
      ok: false,
      failure: {
        kind: 'retryable',
        status: 503,
        type: 'NetworkError',
        message: `Segment could not be reached at ${url}: ${detail}`
      }
    }
  }
  if (response.status >= 200 && response.status < 300)
    return { ok: true, status: response.status, text: response.content }
  return { ok: false, failure: segmentFailure(response.status, response.content) }
}

function segmentFailure(status: number, text: string): Failure {
  const classification = classify('', status)
  return {
    ...classification,
    type: `Segment HTTP ${status}`,
    message: `Segment's Tracking API answered ${status}: ${text.slice(0, 300) || 'no body'}`
  }
}
