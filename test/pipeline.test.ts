// The pipeline end to end, through real clients only: @segment/analytics-node sends a web source's identifies and
// product events to `segment-personalize local`; the stack delivers them through the Actions destination to its
// Personalize; the AWS SDK reads back what Personalize recorded (a dataset export job); the Profile API shows the
// recommended_products the round-trip wrote; GetRecommendations answers differently once the users' events are in.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ListDatasetsCommand, PersonalizeClient } from '@aws-sdk/client-personalize'
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { Analytics } from '@segment/analytics-node'
import { credentials, exportDataset, provisionWorkshopCampaign } from '../emulators/personalize/__tests__/fixtures'
import { PROFILE_TOKEN } from '../emulators/segment/profiles'
import { defaultSource } from '../generators/sources'
import { localSettings, startLocal, untilDeliveryIdle, type LocalProcess } from './localProcess'

const WEB = defaultSource('web')
// New shoppers (not in the imported history), so their recommendations before their events are the cold-start ones.
const SHOPPERS = ['shopper-1', 'shopper-2', 'shopper-3']
const T0 = Date.UTC(2026, 10, 1, 12)

interface ProductEvent {
  event: string
  properties: { product_id?: string; order_id?: string; products?: Array<{ product_id: string }> }
}

/** What each shopper does: two single-product events and an order of two products, all books. */
const journey = (n: number): ProductEvent[] => [
  { event: 'Product Viewed', properties: { product_id: `book-${n}` } },
  { event: 'Product Added', properties: { product_id: `book-${n + 1}` } },
  {
    event: 'Order Completed',
    properties: { order_id: `order-${n}`, products: [{ product_id: `book-${n + 2}` }, { product_id: `book-${n + 3}` }] }
  }
]

/** The interactions Personalize should have recorded for those events (one per product of an order). */
const expectedInteractions = () =>
  SHOPPERS.flatMap((userId, n) =>
    journey(n).flatMap(({ event, properties }, k) =>
      (properties.products ?? [properties]).map(({ product_id }) => ({
        USER_ID: userId,
        ITEM_ID: product_id!,
        EVENT_TYPE: event,
        TIMESTAMP: String((T0 + (n * 10 + k) * 60_000) / 1000)
      }))
    )
  )

const sorted = <T extends Record<string, string>>(rows: T[]) =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

let local: LocalProcess | undefined
afterEach(async () => {
  await local?.stop()
  local = undefined
})

test('analytics-node → local Segment → destination → local Personalize, read back with the AWS SDK and the Profile API', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pipeline-'))
  const settingsFile = path.join(dir, 'destination.json')
  local = await startLocal(path.join(dir, 'data'), '--delay-ms', '0', '--destination', settingsFile)
  const { url } = local
  const config = { region: 'us-west-2', endpoint: url, credentials, maxAttempts: 1 }
  const control = new PersonalizeClient(config)
  const runtime = new PersonalizeRuntimeClient(config)

  // Provisioned as the workshop does (history imported, trained, a campaign and a tracker), then the destination's
  // settings written where `local --destination` reads them.
  const { datasetGroupArn, campaignArn, trackingId } = await provisionWorkshopCampaign(control, dir)
  const { datasets } = await control.send(new ListDatasetsCommand({ datasetGroupArn }))
  writeFileSync(settingsFile, JSON.stringify(localSettings(url, trackingId, { campaignArn })))
  const recommended = async (userId: string) =>
    ((await runtime.send(new GetRecommendationsCommand({ campaignArn, userId, numResults: 25 }))).itemList ?? []).map(
      (item) => item.itemId!
    )
  const before = await Promise.all(SHOPPERS.map(recommended))

  const analytics = new Analytics({ writeKey: WEB.writeKey, host: url, flushAt: 100 })
  for (const [n, userId] of SHOPPERS.entries()) {
    analytics.identify({ userId, traits: { name: `Shopper ${n + 1}` }, timestamp: new Date(T0 + n * 600_000 - 1000) })
    for (const [k, { event, properties }] of journey(n).entries())
      analytics.track({ userId, event, properties, timestamp: new Date(T0 + (n * 10 + k) * 60_000) })
  }
  await analytics.closeAndFlush()
  const stats = await untilDeliveryIdle(url, SHOPPERS.length * 4)
  expect(stats.delivery).toMatchObject({ failed: 0 })

  // Personalize holds exactly the interactions sent: one per product event, one per product of an order.
  const exported = await exportDataset(control, datasets![0]!.datasetArn!, path.join(dir, 'export'))
  const interactions = exported.map(({ USER_ID, ITEM_ID, EVENT_TYPE, TIMESTAMP }) => ({
    USER_ID: USER_ID!,
    ITEM_ID: ITEM_ID!,
    EVENT_TYPE: EVENT_TYPE!,
    TIMESTAMP: TIMESTAMP!
  }))
  const withoutTime = (rows: Array<Record<string, string>>) => rows.map(({ TIMESTAMP: _, ...row }) => row)
  expect(sorted(withoutTime(interactions))).toEqual(sorted(withoutTime(expectedInteractions())))
  // Segment corrects each timestamp for the client's clock by the request's latency: the same second, or very near.
  const expectedTimes = new Map(expectedInteractions().map((row) => [`${row.USER_ID} ${row.ITEM_ID}`, row.TIMESTAMP]))
  for (const row of interactions)
    expect(Math.abs(Number(row.TIMESTAMP) - Number(expectedTimes.get(`${row.USER_ID} ${row.ITEM_ID}`)))).toBeLessThan(5)

  for (const [n, userId] of SHOPPERS.entries()) {
    const after = await recommended(userId)
    expect(after).not.toEqual(before[n])
    expect(after[0]).toMatch(/^book-/)
    // The Profile API, as a client reads it: the identify's trait and the round-trip's recommended_products.
    const response = await fetch(`${url}/v1/spaces/local/collections/users/profiles/user_id:${userId}/traits`, {
      headers: { authorization: `Basic ${Buffer.from(`${PROFILE_TOKEN}:`).toString('base64')}` }
    })
    expect(response.status).toBe(200)
    const { traits } = (await response.json()) as { traits: Record<string, unknown> }
    expect(traits).toMatchObject({ name: `Shopper ${n + 1}`, recommended_products: after })
  }
}, 60_000)
