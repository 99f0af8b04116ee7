import nock from 'nock'
import '../../__tests__/__helpers__/nockCleanup'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import destination from '../..'
import { awsError, recordPutEvents, settings, isolateNetwork } from '../../__tests__/__helpers__/personalizeNock'
import type { RecordedCall } from '../../__tests__/__helpers__/personalizeNock'

const testDestination = createTestIntegration(destination)

isolateNetwork(testDestination)

function track(overrides: Partial<SegmentEvent> = {}): SegmentEvent {
  return createTestEvent({
    type: 'track',
    event: 'Product Viewed',
    messageId: 'msg-1',
    userId: 'user-1',
    anonymousId: 'anon-1',
    timestamp: '2026-11-20T10:00:00.000Z',
    properties: { product_id: 'prod-1', sku: 'SKU-1', name: 'Trail Runner', price: 89 },
    ...overrides
  })
}

async function sendOne(event: SegmentEvent, mapping: JSONObject = {}): Promise<RecordedCall[]> {
  const calls = recordPutEvents()
  await testDestination.testAction('trackEvent', { event, settings, mapping, useDefaultMappings: true })
  return calls
}

async function sentEvent(event: SegmentEvent, mapping: JSONObject = {}) {
  const calls = await sendOne(event, mapping)
  expect(calls).toHaveLength(1)
  return { ...calls[0]!.body, event: calls[0]!.body.eventList[0]! }
}

describe('trackEvent default mappings', () => {
  test('userId is the Segment userId', async () => {
    expect((await sentEvent(track())).userId).toBe('user-1')
  })

  test('an anonymous event has no userId', async () => {
    expect((await sentEvent(track({ userId: null }))).userId).toBeUndefined()
  })

  test('sessionId is context.sessionId when there is one', async () => {
    const event = track()
    event.context = { ...event.context, sessionId: 'session-9' }
    expect((await sentEvent(event)).sessionId).toBe('session-9')
  })

  test('sessionId falls back to anonymousId', async () => {
    expect((await sentEvent(track())).sessionId).toBe('anon-1')
  })

  test('sessionId falls back to userId when there is no anonymousId', async () => {
    expect((await sentEvent(track({ anonymousId: null }))).sessionId).toBe('user-1')
  })

  test('eventId is the messageId', async () => {
    expect((await sentEvent(track())).event.eventId).toBe('msg-1')
  })

  test('eventType is the event name', async () => {
    expect((await sentEvent(track({ event: 'Product Clicked' }))).event.eventType).toBe('Product Clicked')
  })

  test.each([
    ['2026-11-20T10:00:00.000Z', 1795168800],
    ['2026-11-20T10:00:00Z', 1795168800],
    ['2026-11-20T11:00:00+01:00', 1795168800],
    ['2026-11-20T10:00:00.250Z', 1795168800.25]
  ])('sentAt is the timestamp %p in epoch seconds', async (timestamp, expected) => {
    expect((await sentEvent(track({ timestamp }))).event.sentAt).toBe(expected)
  })

  test('a timestamp in epoch milliseconds is sent in seconds, not 1000× off', async () => {
    const { event } = await sentEvent(track(), { sentAt: 1795168800123 })
    expect(event.sentAt).toBeCloseTo(1795168800.123, 3)
  })

  test('itemId is properties.product_id', async () => {
    expect((await sentEvent(track())).event.itemId).toBe('prod-1')
  })

  test('itemId falls back to properties.sku (the workshop shape)', async () => {
    expect((await sentEvent(track({ properties: { sku: 'SKU-7' } }))).event.itemId).toBe('SKU-7')
  })

  test('eventValue is properties.value', async () => {
    expect((await sentEvent(track({ properties: { product_id: 'p', value: 12.5 } }))).event.eventValue).toBe(12.5)
  })

  test('recommendationId is properties.recommendation_id', async () => {
    const { event } = await sentEvent(track({ properties: { product_id: 'p', recommendation_id: 'RID-1' } }))
    expect(event.recommendationId).toBe('RID-1')
  })

  test('impression is sent as a list of item ids', async () => {
    const { event } = await sentEvent(track({ properties: { product_id: 'p', shown: ['a', 'b'] } }), {
      impression: { '@path': '$.properties.shown' }
    })
    expect(event.impression).toEqual(['a', 'b'])
  })

  test('properties are sent as a JSON string without Personalize’s reserved keys', async () => {
    const { event } = await sentEvent(track(), {
      properties: {
        numberOfRatings: 3,
        userId: 'x',
        TimeStamp: 'y',
        impression: 'z',
        discount: { '@path': '$.properties.price' }
      }
    })
    expect(event.properties).toBe('{"numberOfRatings":3,"discount":89}')
  })

  test('no properties field is sent by default', async () => {
    expect((await sentEvent(track())).event).not.toHaveProperty('properties')
  })

  test('only Personalize fields are sent, with the tracking ID', async () => {
    const body = await sentEvent(track())
    expect(body).toMatchObject({ trackingId: 'tracking-123', sessionId: 'anon-1', userId: 'user-1' })
    expect(body.event).toEqual({ eventId: 'msg-1', eventType: 'Product Viewed', sentAt: 1795168800, itemId: 'prod-1' })
  })
})

describe('trackEvent products fan-out', () => {
  const order = (products: JSONObject[]) =>
    track({ event: 'Order Completed', messageId: 'order-msg', properties: { order_id: 'o-1', revenue: 30, products } })

  test('an event with products[] becomes one interaction per product with a stable eventId', async () => {
    const body = await sentEvent(order([{ product_id: 'a' }, { sku: 'SKU-B' }, { product_id: 'c', sku: 'SKU-C' }]))
    expect(body.eventList).toEqual([
      { eventId: 'order-msg-0', eventType: 'Order Completed', sentAt: 1795168800, itemId: 'a' },
      { eventId: 'order-msg-1', eventType: 'Order Completed', sentAt: 1795168800, itemId: 'SKU-B' },
      { eventId: 'order-msg-2', eventType: 'Order Completed', sentAt: 1795168800, itemId: 'c' }
    ])
  })

  test('the same order sent twice gets the same eventIds', async () => {
    const first = await sentEvent(order([{ product_id: 'a' }, { product_id: 'b' }]))
    nock.cleanAll()
    const second = await sentEvent(order([{ product_id: 'a' }, { product_id: 'b' }]))
    expect(second.eventList.map((e) => e.eventId)).toEqual(first.eventList.map((e) => e.eventId))
  })

  test('a product eventValue can be mapped, e.g. to its price', async () => {
    const body = await sentEvent(order([{ product_id: 'a', price: 3 }]), {
      products: {
        '@arrayPath': [
          '$.properties.products',
          { itemId: { '@path': '$.product_id' }, eventValue: { '@path': '$.price' } }
        ]
      }
    })
    expect(body.event).toMatchObject({ itemId: 'a', eventValue: 3 })
  })

  test('200 products go as twenty calls of ten, all under the same session and user', async () => {
    const products = Array.from({ length: 200 }, (_, i) => ({ product_id: `p${i}` }))
    const calls = await sendOne(order(products))
    expect(calls).toHaveLength(20)
    expect(calls.every((c) => c.body.eventList.length === 10 && c.body.sessionId === 'anon-1')).toBe(true)
    expect(calls.flatMap((c) => c.body.eventList.map((e) => e.itemId)).sort()).toEqual(
      products.map((p) => p.product_id).sort()
    )
  })

  test('a product without an id fails the event, says which, and the other products are still sent', async () => {
    const calls = recordPutEvents()
    await expect(
      testDestination.testAction('trackEvent', {
        event: order([{ product_id: 'a' }, { name: 'no id' }]),
        settings,
        useDefaultMappings: true
      })
    ).rejects.toThrow(
      'products[1]: itemId is missing: the event has no product_id or sku. Its other 1 interaction(s) are sent anyway.'
    )
    expect(calls.flatMap((c) => c.body.eventList.map((e) => e.itemId))).toEqual(['a'])
  })
})

test('without a Tracking ID every event fails as an IntegrationError naming the setting, and nothing is sent', async () => {
  const calls = recordPutEvents()
  await expect(
    testDestination.testAction('trackEvent', {
      event: track(),
      settings: { ...settings, trackingId: '' },
      useDefaultMappings: true
    })
  ).rejects.toMatchObject({
    name: 'IntegrationError',
    message: 'Set Tracking ID: PutEvents records interactions through that event tracker.'
  })
  expect(calls).toHaveLength(0)
})

describe('trackEvent request', () => {
  test('is signed with SigV4 for the personalize signing name and the region', async () => {
    const [call] = await sendOne(track())
    expect(call!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/personalize\/aws4_request, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/
    )
  })

  test('goes to the Personalize Events Endpoint override when it is set', async () => {
    const scope = nock('http://127.0.0.1:4566').post('/events').reply(200, '')
    await testDestination.testAction('trackEvent', {
      event: track(),
      settings: { ...settings, personalizeEventsEndpoint: 'http://127.0.0.1:4566/' },
      useDefaultMappings: true
    })
    expect(scope.isDone()).toBe(true)
  })

  test('goes to the China partition’s host in cn-north-1', async () => {
    const scope = nock('https://personalize-events.cn-north-1.amazonaws.com.cn').post('/events').reply(200, '')
    await testDestination.testAction('trackEvent', {
      event: track(),
      settings: { ...settings, region: 'cn-north-1' },
      useDefaultMappings: true
    })
    expect(scope.isDone()).toBe(true)
  })
})

describe('trackEvent batches', () => {
  const settingsWithBatching = settings

  async function batch(events: SegmentEvent[], reply?: Parameters<typeof recordPutEvents>[0]) {
    const calls = recordPutEvents(reply)
    await testDestination.testBatchAction('trackEvent', {
      events,
      settings: settingsWithBatching,
      useDefaultMappings: true
    })
    const multistatus = testDestination.results.at(-1)?.multistatus ?? []
    return { calls, multistatus }
  }

  test('are grouped by session and user, ten interactions per call', async () => {
    const events = [
      ...Array.from({ length: 23 }, (_, i) => track({ messageId: `a${i}`, anonymousId: 'anon-A', userId: 'user-A' })),
      ...Array.from({ length: 4 }, (_, i) => track({ messageId: `b${i}`, anonymousId: 'anon-B', userId: null })),
      track({ messageId: 'c0', anonymousId: 'anon-A', userId: null })
    ]
    const { calls, multistatus } = await batch(events)
    const shape = calls.map((c) => `${c.body.sessionId}/${c.body.userId ?? '-'}:${c.body.eventList.length}`).sort()
    expect(shape).toEqual(['anon-A/-:1', 'anon-A/user-A:10', 'anon-A/user-A:10', 'anon-A/user-A:3', 'anon-B/-:4'])
    expect(multistatus).toHaveLength(28)
    expect(multistatus.every((s) => s.status === 200)).toBe(true)
  })

  test('ids holding any character never land under another (session, user)', async () => {
    // A key joined with NUL made ("a\u0000b", none) and ("a", "b\u0000") one group: "a\u0000b\u0000".
    const events = [
      track({ messageId: 'x1', anonymousId: 'a\u0000b', userId: null }),
      track({ messageId: 'x2', anonymousId: 'a', userId: 'b\u0000' })
    ]
    const { calls } = await batch(events)
    expect(calls.map((c) => [c.body.sessionId, c.body.userId ?? null, c.body.eventList.length]).sort()).toEqual([
      ['a\u0000b', null, 1],
      ['a', 'b\u0000', 1]
    ])
  })

  test('keep event order within a session', async () => {
    const events = Array.from({ length: 12 }, (_, i) => track({ messageId: `m${i}` }))
    const { calls } = await batch(events)
    expect(calls.flatMap((c) => c.body.eventList.map((e) => e.eventId)).sort()).toEqual(
      events.map((e) => e.messageId).sort()
    )
    expect(calls.find((c) => c.body.eventList.length === 10)!.body.eventList.map((e) => e.eventId)).toEqual(
      events.slice(0, 10).map((e) => e.messageId)
    )
  })

  test('report each event’s own result: a bad event fails alone and nothing else is lost', async () => {
    const events = [
      track({ messageId: 'good-1' }),
      track({ messageId: 'no-item', properties: { name: 'nothing to identify' } }),
      track({ messageId: 'good-2' }),
      track({ messageId: 'bad-time', timestamp: 'yesterday-ish' }),
      track({ messageId: 'long-rec', properties: { product_id: 'p', recommendation_id: 'r'.repeat(41) } })
    ]
    const { calls, multistatus } = await batch(events)
    expect(multistatus.map((s) => s.status)).toEqual([200, 400, 200, 400, 400])
    expect(multistatus[1]).toMatchObject({
      errortype: 'PAYLOAD_VALIDATION_FAILED',
      errormessage: expect.stringContaining('itemId is missing')
    })
    expect(multistatus[3]).toMatchObject({ errormessage: 'Timestamp must be a valid date-like string but it was not.' })
    expect(multistatus[4]).toMatchObject({
      errormessage: 'recommendationId is 41 characters; Personalize accepts at most 40.'
    })
    expect(calls.flatMap((c) => c.body.eventList.map((e) => e.eventId))).toEqual(['good-1', 'good-2'])
  })

  test('a failed call fails only the events in it', async () => {
    const events = [track({ messageId: 'x', anonymousId: 'throttled' }), track({ messageId: 'y', anonymousId: 'fine' })]
    const { multistatus } = await batch(events, (body) =>
      body.sessionId === 'throttled' ? awsError(400, 'ThrottlingException', 'Rate exceeded') : [200, '']
    )
    expect(multistatus[0]).toMatchObject({
      status: 429,
      errortype: 'RETRYABLE_ERROR',
      errormessage: 'PutEvents failed: ThrottlingException: Rate exceeded'
    })
    expect(multistatus[1]).toMatchObject({ status: 200 })
  })

  test('an event fanned out into several calls fails if any of its parts fails', async () => {
    const products = Array.from({ length: 15 }, (_, i) => ({ product_id: `p${i}` }))
    const events = [
      track({ messageId: 'order', event: 'Order Completed', properties: { products } }),
      track({ messageId: 'other', anonymousId: 'other' })
    ]
    const { calls, multistatus } = await batch(events, (body) =>
      body.eventList.some((e) => e.itemId === 'p12') ? awsError(503, 'ServiceUnavailable', 'try later') : [200, '']
    )
    expect(calls).toHaveLength(3)
    expect(multistatus[0]).toMatchObject({ status: 503, errortype: 'RETRYABLE_ERROR' })
    expect(multistatus[1]).toMatchObject({ status: 200 })
  })

  test('when Personalize rejects a call for one event, that event fails alone', async () => {
    const events = ['ok-1', 'poison', 'ok-2'].map((id) => track({ messageId: id }))
    const { calls, multistatus } = await batch(events, (body) =>
      body.eventList.some((e) => e.eventId === 'poison')
        ? awsError(
            400,
            'InvalidInputException',
            "1 validation error detected: Value at 'eventList.1.member.properties' failed to satisfy constraint"
          )
        : [200, '']
    )
    expect(calls.map((c) => c.body.eventList.length)).toEqual([3, 1, 1, 1])
    expect(multistatus.map((s) => s.status)).toEqual([200, 400, 200])
    expect(multistatus[1]).toMatchObject({
      errormessage: expect.stringContaining('Personalize rejected the PutEvents call: InvalidInputException')
    })
  })

  test('a success carries what was sent for the event', async () => {
    const { multistatus } = await batch([track()])
    expect(multistatus[0]).toMatchObject({
      status: 200,
      sent: { sessionId: 'anon-1', userId: 'user-1', eventList: [{ eventId: 'msg-1', itemId: 'prod-1' }] }
    })
  })
})

describe('trackEvent bad input', () => {
  async function outcome(event: SegmentEvent, mapping: JSONObject = {}) {
    const calls = recordPutEvents()
    await testDestination.testBatchAction('trackEvent', {
      events: [event],
      settings,
      mapping,
      useDefaultMappings: true
    })
    return { calls, status: testDestination.results.at(-1)!.multistatus![0]! }
  }

  test('no session id at all is rejected with the reason', async () => {
    const { calls, status } = await outcome(track({ anonymousId: null, userId: null }))
    expect(status).toMatchObject({ status: 400, errormessage: expect.stringContaining('sessionId') })
    expect(calls).toHaveLength(0)
  })

  test('the string "null" as a session id is rejected (Personalize would accept and ignore it)', async () => {
    const { status } = await outcome(track({ anonymousId: 'null' }))
    expect(status).toMatchObject({ status: 400, errormessage: expect.stringContaining('ignores the event') })
  })

  test('no event name is rejected', async () => {
    const { status } = await outcome(track({ event: undefined }))
    expect(status).toMatchObject({ status: 400, errormessage: expect.stringContaining('eventType') })
  })

  test('a timestamp that is not a date is rejected by the framework’s date check', async () => {
    const { status } = await outcome(track({ timestamp: 'the day after tomorrow' }))
    expect(status).toMatchObject({
      status: 400,
      errormessage: 'Timestamp must be a valid date-like string but it was not.'
    })
  })

  test('a date the framework accepts but ISO-8601 does not is rejected, not read in local time', async () => {
    const { calls, status } = await outcome(track({ timestamp: 'Feb 26 2019 10:00' }))
    expect(status).toMatchObject({
      status: 400,
      errormessage: 'sentAt "Feb 26 2019 10:00" is not an ISO-8601 date-time or an epoch time.'
    })
    expect(calls).toHaveLength(0)
  })

  test('numeric ids are sent as strings', async () => {
    const { calls, status } = await outcome(
      track({ userId: 12345 as unknown as string, properties: { product_id: 987 } })
    )
    expect(status.status).toBe(200)
    expect(calls[0]!.body).toMatchObject({ userId: '12345', eventList: [{ itemId: '987' }] })
  })

  test('unicode ids and names are sent intact', async () => {
    const { calls, status } = await outcome(
      track({ userId: 'ユーザー🚀', event: 'Produkt angesehen ✓', properties: { product_id: 'café-😀' } })
    )
    expect(status.status).toBe(200)
    expect(calls[0]!.body).toMatchObject({
      userId: 'ユーザー🚀',
      eventList: [{ eventType: 'Produkt angesehen ✓', itemId: 'café-😀' }]
    })
  })

  test('ids over 256 characters are rejected', async () => {
    const { status } = await outcome(track({ properties: { product_id: 'x'.repeat(257) } }))
    expect(status).toMatchObject({
      status: 400,
      errormessage: 'itemId is 257 characters; Personalize accepts at most 256.'
    })
  })

  test('1 MB of properties is rejected, not truncated', async () => {
    const { calls, status } = await outcome(track({ properties: { product_id: 'p', blob: 'x'.repeat(1 << 20) } }), {
      properties: { blob: { '@path': '$.properties.blob' } }
    })
    expect(status).toMatchObject({
      status: 400,
      errormessage: expect.stringMatching(
        /^properties is 10485\d\d characters as JSON; Personalize accepts at most 1024/
      )
    })
    expect(calls).toHaveLength(0)
  })

  test('more than 25 impressions are rejected', async () => {
    const shown = Array.from({ length: 26 }, (_, i) => `i${i}`)
    const { status } = await outcome(track({ properties: { product_id: 'p', shown } }), {
      impression: { '@path': '$.properties.shown' }
    })
    expect(status).toMatchObject({
      status: 400,
      errormessage: 'impression has 26 items; Personalize accepts at most 25.'
    })
  })
})
