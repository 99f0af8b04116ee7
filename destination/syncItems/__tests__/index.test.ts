import nock from 'nock'
import '../../__tests__/__helpers__/nockCleanup'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import type { JSONObject } from '@segment/actions-core'
import destination from '../..'
import type { Settings } from '../../generated-types'
import { EVENTS_HOST, isolateNetwork, settings as base } from '../../__tests__/__helpers__/personalizeNock'

const DATASET = 'arn:aws:personalize:us-west-2:123456789012:dataset/segment-workshop/ITEMS'
const settings: Settings = { ...base, itemsDatasetArn: DATASET }
const testDestination = createTestIntegration(destination)
isolateNetwork(testDestination)

interface PutItemsBody {
  datasetArn: string
  items: Array<{ itemId: string; properties?: string }>
}

function recordPutItems() {
  const calls: PutItemsBody[] = []
  nock(EVENTS_HOST)
    .persist()
    .post('/items')
    .reply((_uri, body) => {
      calls.push(body as PutItemsBody)
      return [200, '']
    })
  return calls
}

const track = (event: string, properties: JSONObject) => createTestEvent({ type: 'track', event, properties })
const shoe = {
  product_id: 'prod-81',
  sku: 'SKU-81',
  name: 'Trail Runner',
  category: 'footwear',
  price: 89,
  brand: 'Northpeak',
  url: 'https://x'
}

test('a product event sends its item with name, category, price and brand', async () => {
  const calls = recordPutItems()
  await testDestination.testAction('syncItems', {
    event: track('Product Viewed', shoe),
    settings,
    useDefaultMappings: true
  })
  expect(calls).toEqual([
    {
      datasetArn: DATASET,
      items: [
        {
          itemId: 'prod-81',
          properties: '{"name":"Trail Runner","category":"footwear","price":89,"brand":"Northpeak"}'
        }
      ]
    }
  ])
})

test('the workshop’s sku-only events give the sku as item ID', async () => {
  const calls = recordPutItems()
  await testDestination.testAction('syncItems', {
    event: track('Product Added', { sku: 'SKU-7' }),
    settings,
    useDefaultMappings: true
  })
  expect(calls[0]!.items).toEqual([{ itemId: 'SKU-7' }])
})

test('each element of products[] is an item', async () => {
  const calls = recordPutItems()
  const order = track('Order Completed', { products: [shoe, { sku: 'SKU-12', name: 'Wool Socks', price: 12 }] })
  await testDestination.testAction('syncItems', { event: order, settings, useDefaultMappings: true })
  expect(calls[0]!.items).toEqual([
    { itemId: 'prod-81', properties: '{"name":"Trail Runner","category":"footwear","price":89,"brand":"Northpeak"}' },
    { itemId: 'SKU-12', properties: '{"name":"Wool Socks","price":12}' }
  ])
})

test('duplicates within a batch collapse to one item, every event succeeds', async () => {
  const calls = recordPutItems()
  const events = [
    track('Product Viewed', shoe),
    track('Product Added', shoe),
    track('Order Completed', { products: [shoe, { product_id: 'p2' }] })
  ]
  await testDestination.testBatchAction('syncItems', { events, settings, useDefaultMappings: true })
  expect(calls.flatMap((c) => c.items.map((i) => i.itemId)).sort()).toEqual(['p2', 'prod-81'])
  expect(testDestination.results.at(-1)!.multistatus!.map((s) => s.status)).toEqual([200, 200, 200])
})

test('a product without an id fails its event and names the element; the rest is sent', async () => {
  const calls = recordPutItems()
  await expect(
    testDestination.testAction('syncItems', {
      event: track('Order Completed', { products: [shoe, { name: 'no id' }] }),
      settings,
      useDefaultMappings: true
    })
  ).rejects.toThrow('items[1]: itemId is missing')
  expect(calls.flatMap((c) => c.items.map((i) => i.itemId))).toEqual(['prod-81'])
})

test('more than ten distinct items go in several calls', async () => {
  const calls = recordPutItems()
  const events = Array.from({ length: 23 }, (_, i) => track('Product Viewed', { product_id: `p${i}` }))
  await testDestination.testBatchAction('syncItems', { events, settings, useDefaultMappings: true })
  expect(calls.map((c) => c.items.length).sort((a, b) => a - b)).toEqual([3, 10, 10])
})

test('without an Items Dataset ARN the event is skipped, not failed, and the setting is named', async () => {
  const responses = await testDestination.testAction('syncItems', {
    event: track('Product Viewed', shoe),
    settings: base,
    useDefaultMappings: true
  })
  expect(responses).toHaveLength(0)
  expect(testDestination.results[testDestination.results.length - 1]).toMatchObject({
    data: { skipped: expect.stringContaining('Items Dataset ARN is not set') }
  })
})
