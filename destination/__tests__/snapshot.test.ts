// The requests each action sends for a fixed event with its default mapping, as Segment's destinations snapshot theirs
// (segmentio/action-destinations, e.g. attio/*/__tests__/snapshot.test.ts). Segment's seeded generateTestData lives
// outside its destinations' folders, and random field values would only be refused by Personalize's limits, so the
// events here are written out. The snapshot file is shared with Segment's jest 27 (our jest config prints snapshots
// its way); every value in it is fixed: the signature's date and the identify's timestamp are replaced.
import nock from 'nock'
import './__helpers__/nockCleanup'
import { createTestIntegration } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import destination from '..'
import type { Settings } from '../generated-types'
import { headersOf, isolateNetwork, settings as base } from './__helpers__/personalizeNock'

const settings: Settings = {
  ...base,
  campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/segment-workshop-campaign',
  usersDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/segment-workshop/USERS',
  itemsDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/segment-workshop/ITEMS',
  segmentWriteKey: 'write-key-123'
}

const testDestination = createTestIntegration(destination)
isolateNetwork(testDestination)

// Every property the default mappings read is given, and the whole context, so that the test event's defaults
// (which differ between actions-core versions) cannot leak into the requests.
const common = {
  messageId: 'msg-snapshot-1',
  userId: 'user-1',
  anonymousId: 'anon-1',
  timestamp: '2026-11-20T10:00:00.000Z',
  receivedAt: '2026-11-20T10:00:01.000Z',
  sentAt: '2026-11-20T10:00:00.500Z',
  context: { sessionId: 'session-1', ip: '203.0.113.7' }
}

const orderCompleted: SegmentEvent = {
  ...common,
  type: 'track',
  event: 'Order Completed',
  properties: {
    order_id: 'order-1',
    value: 120,
    recommendation_id: 'RID-1',
    products: [
      { product_id: 'prod-1', sku: 'SKU-1', name: 'Trail Runner', category: 'Shoes', price: 89, brand: 'Peak' },
      { sku: 'SKU-2', name: 'Trail Socks', category: 'Socks', price: 31 }
    ]
  }
}

const identify: SegmentEvent = {
  ...common,
  type: 'identify',
  traits: { name: 'Ada', email: 'ada@example.com', plan: 'gold' }
}

const EVENTS: Record<string, SegmentEvent> = {
  trackEvent: orderCompleted,
  syncItems: orderCompleted,
  identifyUser: identify,
  syncRecommendations: identify
}

/** What a request says, without the values that change from run to run. */
async function describeRequest(request: Request): Promise<Record<string, unknown>> {
  const headers = headersOf(headerRecord(request.headers))
  delete headers['user-agent'] // the framework's, not the destination's
  if (headers['x-amz-date']) headers['x-amz-date'] = '<date>'
  if (headers.authorization) {
    headers.authorization = headers.authorization
      .replace(/\/\d{8}\//, '/<date>/')
      .replace(/Signature=[0-9a-f]{64}$/, 'Signature=<signature>')
  }
  const text = await request.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON: the text itself is the snapshot.
  }
  return { method: request.method, url: request.url, headers, body: withoutNow(body) }
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = value
  })
  return record
}

/** The round-trip identify's timestamp is the time it is sent; it is checked to be one and then fixed. */
function withoutNow(body: unknown): unknown {
  if (!body || typeof body !== 'object' || !('batch' in body) || !Array.isArray(body.batch)) return body
  return {
    ...body,
    batch: body.batch.map((message: Record<string, unknown>) => {
      expect(message.timestamp).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/))
      return { ...message, timestamp: '<now>' }
    })
  }
}

describe.each(Object.keys(destination.actions))('%s', (actionSlug) => {
  test('sends these requests for a fixed event with its default mapping', async () => {
    nock(/.*/)
      .persist()
      .post('/recommendations')
      .reply(200, { itemList: [{ itemId: 'prod-7' }, { itemId: 'prod-3' }], recommendationId: 'RID-snapshot' })
    nock(/.*/).persist().post(/.*/).reply(200, {})

    const event = EVENTS[actionSlug]
    expect(event).toBeDefined()
    const responses = await testDestination.testAction(actionSlug, {
      event,
      settings,
      useDefaultMappings: true
    })
    expect(responses.length).toBeGreaterThan(0)
    const requests = await Promise.all(responses.map((response) => describeRequest(response.request)))
    expect(requests).toMatchSnapshot()
  })
})
