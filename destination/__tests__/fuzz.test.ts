// Seeded fuzzing of every action through the framework, as Segment runs them: batches of events whose fields are
// null, empty, wrong-typed, huge or hostile, through every preset at once (Destination.onBatch), against answers that
// check each request against Personalize's and Segment's limits. Every event must get an outcome from every
// subscription that matched it; nothing may throw; no request may break a limit. A failure prints the seed.
import nock from 'nock'
import './__helpers__/nockCleanup'
import { Destination } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import definition from '..'
import { presets } from '../presets'
import { toEpochSeconds } from '../time'
import { isolateNetwork, settings as base } from './__helpers__/personalizeNock'

const destination = new Destination(definition)
isolateNetwork()

const EVENTS_HOST = 'https://personalize-events.us-west-2.amazonaws.com'
const RUNTIME_HOST = 'https://personalize-runtime.us-west-2.amazonaws.com'
const SEGMENT_HOST = 'https://api.segment.io'
const settings = {
  ...base,
  campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/c',
  usersDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/d/USERS',
  itemsDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/d/ITEMS',
  segmentWriteKey: 'write-key'
}
const subscriptions = presets.flatMap((preset) =>
  preset.type === 'automatic'
    ? [{ subscribe: preset.subscribe, partnerAction: preset.partnerAction, mapping: preset.mapping as JSONObject }]
    : []
)

/** sfc32: a small seeded generator, the same numbers on every machine. */
function random(seed: number): () => number {
  let [a, b, c, d] = [0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0]
  return () => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    const t = (a + b + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t / 4294967296
  }
}

// The values a field may take: ordinary, then every kind of bad one.
const HOSTILE: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'null',
  'undefined',
  0,
  -1,
  1.5,
  true,
  {},
  [],
  ['a', null, {}],
  { nested: { deeper: [1, 2] } },
  'x'.repeat(300),
  'ü'.repeat(200),
  'a\u0000b',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor'
]
const TIMESTAMPS: unknown[] = [
  '2026-11-20T10:00:00Z',
  '2026-11-20T10:00:00',
  '20240925',
  '2019-02-26T24:30:00Z',
  '0099-01-01',
  'infinity',
  1e20,
  -5,
  1763632800,
  1763632800000,
  null,
  {},
  ''
]

function pick<T>(next: () => number, values: T[]): T {
  return values[Math.floor(next() * values.length)]!
}

function fuzzEvent(next: () => number, n: number): SegmentEvent {
  const sometimes = (ordinary: unknown) => (next() < 0.6 ? ordinary : pick(next, HOSTILE))
  const product = () => ({
    product_id: sometimes(`p-${n % 7}`),
    sku: sometimes(`SKU-${n % 5}`),
    name: sometimes('Trail Runner'),
    price: sometimes(89),
    category: sometimes(['shoes', 'outdoor'])
  })
  const type = pick(next, ['track', 'track', 'track', 'identify', 'page', 'screen'])
  const event = {
    type,
    event: type === 'track' ? sometimes(pick(next, ['Product Viewed', 'Product Added', 'Order Completed'])) : undefined,
    messageId: sometimes(`fuzz-${n}`),
    userId: sometimes(`user-${n % 11}`),
    anonymousId: sometimes(`anon-${n % 13}`),
    timestamp: next() < 0.5 ? '2026-11-20T10:00:00Z' : pick(next, TIMESTAMPS),
    properties:
      next() < 0.9
        ? {
            ...product(),
            products: next() < 0.4 ? [product(), sometimes(product())] : sometimes(undefined),
            recommendation_id: sometimes(undefined),
            value: sometimes(3)
          }
        : sometimes({}),
    traits: sometimes({ plan: sometimes('pro'), email: sometimes('a@example.com') }),
    context: { sessionId: sometimes(undefined), ip: '127.0.0.1' }
  }
  return JSON.parse(JSON.stringify(event)) as SegmentEvent
}

// What Personalize and Segment accept, checked on every request the fuzzed batches make.
const violations: string[] = []
const calls: Record<string, number> = {}
const count = (what: string) => (calls[what] = (calls[what] ?? 0) + 1)
function checkString(where: string, value: unknown, max: number, required = false): void {
  if (value === undefined && !required) return
  if (typeof value !== 'string' || value.length < 1 || value.length > max)
    violations.push(`${where}: ${JSON.stringify(value)?.slice(0, 60)}`)
}

function answerPersonalizeEvents(): void {
  nock(EVENTS_HOST)
    .persist()
    .post(/\/(events|users|items)$/)
    .reply((uri, body) => {
      const request = body as Record<string, unknown>
      count(uri)
      if (uri === '/events') {
        checkString('sessionId', request.sessionId, 256, true)
        checkString('userId', request.userId, 256)
        const list = request.eventList as Array<Record<string, unknown>>
        if (!Array.isArray(list) || list.length < 1 || list.length > 10) violations.push('eventList size')
        for (const event of list ?? []) {
          checkString('eventType', event.eventType, 256, true)
          checkString('eventId', event.eventId, 256)
          checkString('itemId', event.itemId, 256)
          checkString('recommendationId', event.recommendationId, 40)
          checkString('properties', event.properties, 1024)
          if (typeof event.sentAt !== 'number' || toEpochSeconds(event.sentAt) === undefined)
            violations.push(`sentAt ${String(event.sentAt)}`)
        }
      } else {
        const records = (request.users ?? request.items) as Array<Record<string, unknown>>
        if (!Array.isArray(records) || records.length < 1 || records.length > 10) violations.push(`${uri} size`)
        for (const record of records ?? []) {
          checkString(`${uri} id`, record.userId ?? record.itemId, 256, true)
          checkString(`${uri} properties`, record.properties, 24_000)
          if (typeof record.properties === 'string' && /\[object Object\]/.test(record.properties))
            violations.push(`${uri} properties: ${record.properties}`)
        }
      }
      return [200, '']
    })
}

function answerRuntimeAndSegment(): void {
  nock(RUNTIME_HOST)
    .persist()
    .post('/recommendations')
    .reply((_uri, body) => {
      count('/recommendations')
      checkString('GetRecommendations userId', (body as Record<string, unknown>).userId, 256, true)
      return [200, { itemList: [{ itemId: 'r1' }, { itemId: 'r2' }], recommendationId: 'RID-1' }]
    })
  nock(SEGMENT_HOST)
    .persist()
    .post('/v1/batch')
    .reply((_uri, body) => {
      count('/v1/batch')
      for (const message of (body as { batch: Array<Record<string, unknown>> }).batch) {
        if (Buffer.byteLength(JSON.stringify(message)) > 32 * 1024) violations.push('identify over 32 KB')
        if (!message.userId && !message.anonymousId) violations.push('identify without an identity')
      }
      return [200, { success: true }]
    })
}

test.each([1, 2, 3, 4, 5])('seed %i: 200 hostile events through every preset, each with an outcome', async (seed) => {
  violations.length = 0
  for (const key of Object.keys(calls)) delete calls[key]
  answerPersonalizeEvents()
  answerRuntimeAndSegment()
  const next = random(seed)
  const events = Array.from({ length: 200 }, (_, n) => fuzzEvent(next, n))
  for (let at = 0; at < events.length; at += 50) {
    const batch = events.slice(at, at + 50)
    const results = await destination.onBatch(batch, { ...settings, subscriptions })
    expect(results).toHaveLength(subscriptions.length)
    for (const result of results) {
      // Every subscription answers for every event (matched or not, sent or failed with a reason), or for the whole
      // batch when none of it matched.
      if (!result.multistatus) expect(result).toEqual({ output: 'not subscribed' })
      else expect(result.multistatus).toHaveLength(batch.length)
      for (const status of result.multistatus ?? []) {
        if (status.status >= 300) {
          expect(status).toHaveProperty('errormessage', expect.any(String))
          // A bare error in our code would come back as the framework's 500 of an unexpected throw.
          expect(status.status).not.toBe(500)
        }
      }
    }
  }
  expect({ seed, violations }).toEqual({ seed, violations: [] })
  // The ordinary events among the hostile ones reached every service: the checks above saw real requests.
  expect(
    Math.min(...['/events', '/users', '/items', '/recommendations', '/v1/batch'].map((p) => calls[p] ?? 0))
  ).toBeGreaterThan(0)
})
