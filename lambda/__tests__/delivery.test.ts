// `local --lambda`: the local stack delivers what its Tracking API stores to the Lambda build, invoked as Lambda does,
// as Segment's classic Amazon Personalize destination invokes a function per call type. Sent with analytics-node.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Analytics } from '@segment/analytics-node'
import { provisionedStack } from '../../emulators/__tests__/provisionedStack'
import { defaultSource } from '../../generators/sources'
import { buildLambda } from '../build'

let local: Awaited<ReturnType<typeof provisionedStack>>

beforeAll(async () => {
  const { zip } = await buildLambda(path.join(mkdtempSync(path.join(os.tmpdir(), 'lambda-')), 'personalize.zip'))
  local = await provisionedStack({ lambdaZip: zip })
  local.configure(true)
}, 120_000)
afterAll(() => local.stack.close())

class NeverHappened extends Error {
  override name = 'NeverHappened'
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (!check()) {
    if (Date.now() > deadline) throw new NeverHappened(`${what} (${JSON.stringify(local.stack.stats())})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

test('track and identify calls reach the local Personalize through the Lambda; the round-trip writes the profile', async () => {
  const analytics = new Analytics({ writeKey: defaultSource('web').writeKey, host: local.stack.url, flushAt: 50 })
  const users = ['classic-1', 'classic-2']
  for (const userId of users) {
    analytics.identify({ userId, traits: { plan: 'pro' } })
    analytics.track({ userId, event: 'Order Completed', properties: { sku: `book-${userId.length}` } })
    analytics.track({ userId, event: 'Product Viewed', properties: { product_id: 'shoe-1' } })
    // Not a call type the Lambda destination sends: the stack does not invoke the function for it.
    analytics.page({ userId, name: 'Home' })
  }
  await analytics.closeAndFlush()
  const interactions = () =>
    local.recorded().events.filter((event) => users.includes(String((event as { userId?: string }).userId)))
  await until(() => interactions().length === 4, 'four interactions')
  await until(
    () => users.every((user) => Array.isArray(local.stack.segment.profiles.traits(user)?.recommended_products)),
    'recommended_products on both profiles'
  )
  await local.stack.delivery.drain()
  expect(local.stack.stats().delivery).toMatchObject({ failed: 0 })
})
