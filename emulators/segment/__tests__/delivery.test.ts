// Delivery through the destination: analytics-node → the local Segment → the destination's presets (the framework's
// Destination.onBatch) → the local Personalize, checked with the real AWS SDK.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { Analytics } from '@segment/analytics-node'
import type { Settings } from '../../../destination/generated-types'
import { credentials, provisionWorkshopCampaign } from '../../personalize/__tests__/fixtures'
import { createPersonalizeEmulator } from '../../personalize/server'
import { localSettings } from '../../../test/localProcess'
import { createDelivery } from '../delivery'
import { createSegmentEmulator, ROUND_TRIP_SOURCE } from '../server'

const WEB = { name: 'web', writeKey: 'webWriteKey0123456789', sourceId: 'WEBSOURCE1' }

async function stack() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'delivery-'))
  const personalize = createPersonalizeEmulator({ delayMs: 0 })
  const endpoint = await personalize.listen()
  const config = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
  const control = new PersonalizeClient(config)
  const { campaignArn, trackingId } = await provisionWorkshopCampaign(control, dir)
  const segment = createSegmentEmulator({
    sources: [WEB, ROUND_TRIP_SOURCE],
    onStored: (messages) => delivery.enqueue(messages)
  })
  const segmentUrl = await segment.listen()
  const settings = localSettings(endpoint, trackingId, { campaignArn, segmentEndpoint: `${segmentUrl}/v1` })
  const delivery = createDelivery({ settings: () => settings, backoffMs: 20, lingerMs: 20 })
  const runtime = new PersonalizeRuntimeClient(config)
  const recommended = async (userId: string) =>
    ((await runtime.send(new GetRecommendationsCommand({ campaignArn, userId, numResults: 5 }))).itemList ?? []).map(
      (item) => item.itemId!
    )
  return {
    delivery,
    segment,
    segmentUrl,
    recommended,
    close: async () => {
      await segment.close()
      await personalize.close()
    }
  }
}

test('events sent with analytics-node reach Personalize through the destination’s presets, and change recommendations', async () => {
  const local = await stack()
  try {
    const before = await local.recommended('anon-42')
    const analytics = new Analytics({ writeKey: WEB.writeKey, host: local.segmentUrl, flushAt: 10 })
    for (const [n, product_id] of ['book-1', 'book-2', 'book-3'].entries())
      analytics.track({
        anonymousId: 'anon-42',
        event: 'Product Viewed',
        messageId: `m-${n}`,
        properties: { product_id }
      })
    // Not a product event: no preset sends it, so it is neither delivered nor a failure.
    analytics.track({ anonymousId: 'anon-42', event: 'Signed Up' })
    // A product event without an id: the destination refuses it, and the failure is kept.
    analytics.track({ anonymousId: 'anon-42', event: 'Product Viewed', messageId: 'no-id', properties: {} })
    await analytics.closeAndFlush()
    await local.delivery.drain()
    expect(local.delivery.stats).toMatchObject({ delivered: 3, failed: 1, retried: 0, pending: 0 })
    expect(local.delivery.stats.failures[0]).toMatchObject({
      messageId: 'no-id',
      status: 400,
      preset: 'Product Viewed'
    })
    const after = await local.recommended('anon-42')
    expect(after).not.toEqual(before)
    expect(after.every((item) => item.startsWith('book'))).toBe(true)
  } finally {
    await local.close()
  }
}, 30_000)

test('without destination settings, nothing is delivered and the stats say so', async () => {
  const delivery = createDelivery({ settings: () => undefined, lingerMs: 5 })
  delivery.enqueue([
    { projectId: 'p', receivedAt: new Date().toISOString(), messageId: 'm', type: 'track', event: 'Product Viewed' }
  ])
  expect(delivery.stats.pending).toBe(1)
  await delivery.drain()
  expect(delivery.stats).toMatchObject({ delivered: 0, notConfigured: 1, pending: 0 })
})

test('a batch whose delivery throws is retried, then kept as failures, not dropped', async () => {
  const settings = { region: 'us-west-2', trackingId: 't' } as Settings
  const delivery = createDelivery({
    settings: () => settings,
    subscriptions: () => {
      throw new TypeError('a broken subscription')
    },
    attempts: 2,
    backoffMs: 1,
    lingerMs: 1
  })
  delivery.enqueue([
    { projectId: 'p', receivedAt: new Date().toISOString(), messageId: 'm-1', type: 'track', event: 'Product Viewed' }
  ])
  await delivery.drain()
  expect(delivery.stats).toMatchObject({ delivered: 0, retried: 1, failed: 1, pending: 0 })
  expect(delivery.stats.failures[0]).toMatchObject({
    messageId: 'm-1',
    status: 500,
    message: expect.stringContaining('a broken subscription')
  })
})

test('the round-trip: an identified Order Completed gives the user recommended_products on their profile', async () => {
  const local = await stack()
  try {
    const analytics = new Analytics({ writeKey: WEB.writeKey, host: local.segmentUrl, flushAt: 5 })
    analytics.track({
      userId: 'user-3',
      event: 'Order Completed',
      properties: { products: [{ product_id: 'shoe-1' }] }
    })
    await analytics.closeAndFlush()
    await local.delivery.drain()
    // The identify the round-trip sent is stored, delivered (to nothing: the presets skip it) and merged.
    await local.delivery.drain()
    const traits = local.segment.profiles.traits('user-3')
    expect(traits?.recommended_products).toEqual(expect.arrayContaining([expect.stringMatching(/^shoe-/)]))
    expect(local.delivery.stats.failed).toBe(0)
  } finally {
    await local.close()
  }
}, 30_000)
