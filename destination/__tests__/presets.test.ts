import nock from 'nock'
import './__helpers__/nockCleanup'
import { Destination } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import definition from '..'
import { presets } from '../presets'
import { recordPutEvents, settings, isolateNetwork } from './__helpers__/personalizeNock'

const destination = new Destination(definition)

isolateNetwork()

const base = {
  type: 'track' as const,
  anonymousId: 'anon-1',
  userId: 'user-1',
  timestamp: '2026-11-20T10:00:00Z',
  messageId: 'm1'
}
const EVENTS: Record<string, SegmentEvent> = {
  'Product Viewed': { ...base, event: 'Product Viewed', properties: { product_id: 'p-viewed', sku: 'S' } },
  'Product Clicked': { ...base, event: 'Product Clicked', properties: { product_id: 'p-clicked' } },
  'Product Added': { ...base, event: 'Product Added', properties: { sku: 'SKU-added' } },
  'Order Completed': {
    ...base,
    event: 'Order Completed',
    properties: { products: [{ product_id: 'p-a' }, { sku: 'SKU-b' }] }
  },
  'Order Completed (workshop shape, sku only)': { ...base, event: 'Order Completed', properties: { sku: 'SKU-legacy' } }
}
const EXPECTED_ITEMS: Record<string, string[]> = {
  'Product Viewed': ['p-viewed'],
  'Product Clicked': ['p-clicked'],
  'Product Added': ['SKU-added'],
  'Order Completed': ['p-a', 'SKU-b'],
  'Order Completed (workshop shape, sku only)': ['SKU-legacy']
}

function subscriptionOf(name: string) {
  const preset = presets.find((p) => p.name === name)
  if (!preset || preset.type !== 'automatic') throw new TypeError(`no automatic preset ${name}`)
  return { subscribe: preset.subscribe, partnerAction: preset.partnerAction, mapping: preset.mapping as JSONObject }
}

test('there is a trackEvent preset for each e-commerce event', () => {
  expect(
    presets
      .filter((p) => p.type === 'automatic' && p.partnerAction === 'trackEvent')
      .map((p) => p.name)
      .sort()
  ).toEqual(Object.keys(EVENTS).sort())
})

describe.each(Object.keys(EVENTS))('preset %s', (name) => {
  test('sends its event’s items to PutEvents', async () => {
    const calls = recordPutEvents()
    await destination.onEvent(EVENTS[name]!, {
      ...settings,
      subscription: subscriptionOf(name)
    })
    expect(calls.flatMap((c) => c.body.eventList.map((e) => e.itemId))).toEqual(EXPECTED_ITEMS[name])
  })

  test('matches no other preset’s event', async () => {
    const calls = recordPutEvents()
    for (const [other, event] of Object.entries(EVENTS)) {
      if (other === name) continue
      const results = await destination.onEvent(event, {
        ...settings,
        subscription: subscriptionOf(name)
      })
      expect(results).toEqual([{ output: 'not subscribed' }])
    }
    expect(calls).toHaveLength(0)
  })

  test('works on the batch path', async () => {
    const calls = recordPutEvents()
    const results = await destination.onBatch([EVENTS[name]!], {
      ...settings,
      subscription: subscriptionOf(name)
    })
    expect(results[0]?.multistatus?.[0]).toMatchObject({ status: 200 })
    expect(calls).toHaveLength(1)
  })
})

describe('presets for the other actions', () => {
  const identify: SegmentEvent = { ...base, type: 'identify', traits: {} }
  const CASES: Array<[string, string, SegmentEvent, SegmentEvent]> = [
    ['Identify User', '/users', identify, EVENTS['Product Viewed']!],
    ['Recommendations on Identify', '/recommendations', identify, EVENTS['Product Viewed']!],
    [
      'Recommendations after Order Completed',
      '/recommendations',
      EVENTS['Order Completed']!,
      EVENTS['Product Viewed']!
    ],
    ['Recommendations after Product Added', '/recommendations', EVENTS['Product Added']!, EVENTS['Product Clicked']!],
    ['Product Catalog', '/items', EVENTS['Product Clicked']!, identify]
  ]
  const all = {
    ...settings,
    campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/c',
    segmentWriteKey: 'wk',
    usersDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/d/USERS',
    itemsDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/d/ITEMS'
  }

  test.each(CASES)('%s acts on its event (calling %s) and ignores others', async (name, path, matching, other) => {
    const paths: string[] = []
    for (const host of [
      'https://personalize-events.us-west-2.amazonaws.com',
      'https://personalize-runtime.us-west-2.amazonaws.com',
      'https://api.segment.io'
    ]) {
      nock(host)
        .persist()
        .post(/.*/)
        .reply(function (uri: string) {
          paths.push(uri)
          return [200, uri === '/recommendations' ? { itemList: [{ itemId: 'r1' }] } : '']
        })
    }
    const options = { ...all, subscription: subscriptionOf(name) } as unknown as JSONObject
    expect(await destination.onEvent(other, options)).toEqual([{ output: 'not subscribed' }])
    expect(paths).toEqual([])
    await destination.onEvent(matching, options)
    expect(paths).toContain(path)
  })
})

describe('with only the required settings (and credentials), no preset fails an event', () => {
  // Segment creates every automatic preset when the destination is added: Identify User, the recommendations and
  // Product Catalog must not fail the events they match before their settings are filled in.
  const required = {
    region: settings.region,
    trackingId: settings.trackingId,
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey
  }
  const samples: SegmentEvent[] = [...Object.values(EVENTS), { ...base, type: 'identify', traits: { plan: 'pro' } }]
  const automatic = presets.filter((p) => p.type === 'automatic')

  test.each(automatic.map((p): [string, string] => [String(p.name), String(p.partnerAction)]))(
    '%s (%s): every matching event succeeds, one at a time and in a batch',
    async (name, action) => {
      const calls = recordPutEvents()
      const options = { ...required, subscription: subscriptionOf(name) } as unknown as JSONObject
      const matched = []
      for (const event of samples) {
        const results = await destination.onEvent(event, options)
        if (results[0]?.output === 'not subscribed') continue
        matched.push(event)
        if (action !== 'trackEvent')
          expect(results[results.length - 1]).toMatchObject({
            output: 'Action Executed',
            data: { skipped: expect.stringMatching(/^Skipped: .* is not set/) }
          })
      }
      expect(matched.length).toBeGreaterThan(0)
      const batch = await destination.onBatch(matched, options)
      const statuses = batch.flatMap((result) => result.multistatus ?? [])
      expect(statuses).toHaveLength(matched.length)
      for (const status of statuses) expect(status).toMatchObject({ status: 200 })
      expect(calls.length > 0).toBe(action === 'trackEvent')
    }
  )
})
