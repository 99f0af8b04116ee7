// The event tester against a local stack with a provisioned Personalize: the requests an event would produce, through
// the real destination and framework, with the answers given in their place, and nothing recorded anywhere. Live
// delivery, running at the same time in the same process, is not affected.
import { Analytics } from '@segment/analytics-node'
import { sampleEvents } from '../../../cli/example/sampleEvents'
import { defaultSource } from '../../../generators/sources'
import { defaultSubscriptions } from '../../segment/delivery'
import { samples } from '../samples'
import { createTester, InvalidTestEvent, redactHeader, type SubscriptionTest } from '../tester'
import { provisionedStack } from '../../__tests__/provisionedStack'

type Local = Awaited<ReturnType<typeof provisionedStack>>
let local: Local

beforeAll(async () => {
  local = await provisionedStack()
}, 60_000)
afterAll(() => local.stack.close())

const [, , ORDER_WITH_PRODUCTS, , WITHOUT_PRODUCT_ID] = sampleEvents()
const named = (report: { subscriptions: SubscriptionTest[] }, name: string) =>
  report.subscriptions.find((subscription) => subscription.name === name)!

test('Order Completed with products[]: one signed PutEvents with an interaction per product, and nothing recorded', async () => {
  local.configure()
  const report = await local.stack.tester.test(ORDER_WITH_PRODUCTS)
  expect(report.settings).toBe('destination')
  expect(report.subscriptions.filter((s) => s.matched).map((s) => s.name)).toEqual([
    'Order Completed',
    'Recommendations after Order Completed',
    'Product Catalog'
  ])
  const order = named(report, 'Order Completed')
  expect(order.result).toMatchObject({ ok: true, status: 200 })
  expect(order.payload).toMatchObject({
    eventType: 'Order Completed',
    products: [{ itemId: 'prod-81' }, { itemId: 'prod-12' }]
  })
  expect(order.requests).toHaveLength(1)
  const [putEvents] = order.requests
  expect(putEvents).toMatchObject({
    operation: 'PutEvents',
    method: 'POST',
    url: `${local.stack.url}/events`,
    body: {
      trackingId: expect.any(String),
      sessionId: 'anon-7f3c',
      userId: 'user-1042',
      eventList: [
        { eventId: 'msg-3-0', eventType: 'Order Completed', itemId: 'prod-81' },
        { eventId: 'msg-3-1', eventType: 'Order Completed', itemId: 'prod-12' }
      ]
    },
    response: { status: 200, answeredBy: 'tester' }
  })
  // Signed with SigV4 for Personalize, with the key ID and signature hidden.
  expect(putEvents!.headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=\(redacted\)\/\d{8}\/us-west-2\/personalize\/aws4_request, SignedHeaders=[a-z;-]*host[a-z;-]*, Signature=\(redacted\)$/
  )
  expect(JSON.stringify(putEvents)).not.toContain('AKIDLOCAL')
  // The actions that cannot act with these settings (no campaign, no Items dataset) are said not to run.
  expect(named(report, 'Product Catalog')).toMatchObject({
    matched: true,
    skipped: expect.stringMatching(/Items Dataset ARN/)
  })
  expect(local.recorded()).toEqual({ events: [], metadata: [] })
})

test('an identified event with the round-trip: GetRecommendations from the local Personalize, then the identify', async () => {
  local.configure(true)
  const identify = samples().find((sample) => sample.label === 'Identify')!.event
  const report = await local.stack.tester.test({ ...identify, userId: 'user-3' })
  const roundTrip = named(report, 'Recommendations on Identify')
  expect(roundTrip.result).toMatchObject({ ok: true, status: 200 })
  expect(roundTrip.requests.map((request) => request.operation)).toEqual(['GetRecommendations', 'Segment batch'])
  const [recommendations, batch] = roundTrip.requests
  expect(recommendations).toMatchObject({
    url: `${local.stack.url}/recommendations`,
    body: { userId: 'user-3', numResults: 25 },
    response: { status: 200, answeredBy: 'local Personalize' }
  })
  const itemIds = (recommendations!.response.body as { itemList: Array<{ itemId: string }> }).itemList.map(
    (item) => item.itemId
  )
  // user-3 is one of the workshop's shoe buyers: the local Personalize recommends shoes.
  expect(itemIds.filter((id) => id.startsWith('shoe-')).length).toBeGreaterThan(0)
  expect(batch).toMatchObject({
    url: `${local.stack.url}/v1/batch`,
    headers: { authorization: 'Basic (redacted)' },
    body: {
      batch: [
        {
          type: 'identify',
          userId: 'user-3',
          traits: { recommended_products: itemIds },
          context: { personalize: { roundTrip: true } }
        }
      ]
    },
    response: { status: 200, body: { success: true }, answeredBy: 'tester' }
  })
  // Nothing reached the local Segment or was recorded by the local Personalize.
  expect(local.stack.stats().segment.stored).toBe(0)
  expect(local.recorded()).toEqual({ events: [], metadata: [] })
})

test('an event the destination refuses: the 400 and its message, and no request', async () => {
  local.configure()
  const report = await local.stack.tester.test(WITHOUT_PRODUCT_ID)
  expect(named(report, 'Product Viewed')).toMatchObject({
    matched: true,
    requests: [],
    result: {
      ok: false,
      status: 400,
      errortype: 'PAYLOAD_VALIDATION_FAILED',
      message: expect.stringMatching(/itemId is missing/)
    }
  })
})

test('a disabled subscription is shown as matching but not run', async () => {
  local.configure()
  const subscriptions = defaultSubscriptions().map((s) => (s.name === 'Product Viewed' ? { ...s, enabled: false } : s))
  const tester = createTester({ settings: () => undefined, subscriptions: () => subscriptions })
  try {
    const report = await tester.test(sampleEvents()[0])
    expect(named(report, 'Product Viewed')).toMatchObject({
      matched: true,
      skipped: expect.stringMatching(/disabled/),
      requests: []
    })
    expect(named(report, 'Product Viewed').result).toBeUndefined()
  } finally {
    await tester.close()
  }
})

test('without settings, placeholder settings are used and the report says so', async () => {
  local.unconfigure()
  const report = await local.stack.tester.test(sampleEvents()[0])
  expect(report).toMatchObject({ settings: 'placeholder', note: expect.stringMatching(/not configured/) })
  expect(named(report, 'Product Viewed').requests).toMatchObject([
    { operation: 'PutEvents', url: 'https://personalize-events.us-west-2.amazonaws.com/events' }
  ])
  expect(named(report, 'Product Viewed').result).toMatchObject({ ok: true })
})

test('an assumed role: the AssumeRole call is shown on every test, its stand-in credentials never reused', async () => {
  const role = {
    ...local.configure(),
    iamRoleArn: 'arn:aws:iam::123456789012:role/segment-personalize',
    iamExternalId: 'external-id',
    stsEndpoint: 'http://127.0.0.1:9/'
  }
  const tester = createTester({ settings: () => role, subscriptions: defaultSubscriptions })
  try {
    const first = await tester.test(sampleEvents()[0])
    const second = await tester.test(sampleEvents()[0])
    for (const report of [first, second])
      expect(named(report, 'Product Viewed').requests.map((request) => [request.operation, request.url])).toEqual([
        ['STS AssumeRole', 'http://127.0.0.1:9/'],
        ['PutEvents', `${local.stack.url}/events`]
      ])
  } finally {
    await tester.close()
  }
})

test.each([
  ['not an object', [1, 2], /must be a JSON object/],
  ['without a user', { type: 'track', event: 'Product Viewed' }, /no_user_anon_id/],
  ['without a type', { event: 'Product Viewed', userId: 'u' }, /no valid type/]
])('an event %s is refused', async (_what, event, message) => {
  await expect(local.stack.tester.test(event)).rejects.toThrow(InvalidTestEvent)
  await expect(local.stack.tester.test(event)).rejects.toThrow(message)
})

test('an event is completed as Segment would: messageId, timestamps, receivedAt', async () => {
  local.configure()
  const { event } = await local.stack.tester.test({ type: 'track', event: 'Signed Up', userId: 'u-1' })
  expect(event).toMatchObject({
    messageId: expect.stringMatching(/^api-/),
    timestamp: expect.any(String),
    receivedAt: expect.any(String),
    originalTimestamp: expect.any(String)
  })
})

test('redaction hides credentials and keeps the rest of a header', () => {
  expect(redactHeader('authorization', 'Basic d3JpdGU6')).toBe('Basic (redacted)')
  expect(redactHeader('x-amz-security-token', 'token')).toBe('(redacted)')
  expect(redactHeader('content-type', 'application/json')).toBe('application/json')
})

test('live delivery in the same process is unaffected by tests running at the same time', async () => {
  local.configure()
  const web = defaultSource('web')
  const analytics = new Analytics({ writeKey: web.writeKey, host: local.stack.url, flushAt: 5 })
  const tests = Array.from({ length: 5 }, () => local.stack.tester.test(ORDER_WITH_PRODUCTS))
  for (const n of [1, 2, 3, 4, 5])
    analytics.track({
      userId: `live-${n}`,
      event: 'Product Viewed',
      messageId: `live-${n}`,
      properties: { product_id: `book-${n}` }
    })
  await analytics.closeAndFlush()
  const reports = await Promise.all(tests)
  await local.stack.delivery.drain()
  expect(local.stack.delivery.stats).toMatchObject({ delivered: 5, failed: 0 })
  // Exactly the live events were recorded; none of the tester's five orders.
  expect(
    local
      .recorded()
      .events.map((event) => event.eventId)
      .sort()
  ).toEqual(['live-1', 'live-2', 'live-3', 'live-4', 'live-5'])
  for (const report of reports) expect(named(report, 'Order Completed').requests).toHaveLength(1)
}, 30_000)
