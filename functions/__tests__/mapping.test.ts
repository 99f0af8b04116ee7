// The Functions build maps events with its own small evaluator (mapping.ts); it must give what Segment's mapping-kit
// gives for every preset's mapping.
import { transform } from '@segment/actions-core/mapping-kit'
import { presets } from '../../destination/presets'
import { resolve, type JsonValue } from '../mapping'

const events = [
  {
    type: 'track',
    event: 'Product Viewed',
    messageId: 'm-1',
    anonymousId: 'a-1',
    userId: 'u-1',
    timestamp: '2026-03-01T10:00:00.000Z',
    properties: { product_id: 'p-1', sku: 'sku-1', name: 'Shoe', category: 'Shoes', price: 50, value: 50 },
    context: { sessionId: 's-1' }
  },
  {
    type: 'track',
    event: 'Order Completed',
    messageId: 'm-2',
    anonymousId: 'a-2',
    timestamp: '2026-03-01T10:00:00Z',
    properties: {
      order_id: 'o-1',
      products: [{ product_id: 'p-1', price: 10, quantity: 2 }, { sku: 'sku-2', price: 5 }, { name: 'no id' }]
    }
  },
  { type: 'track', event: 'Order Completed', messageId: 'm-3', userId: 'u-3', properties: { sku: 'sku-3' } },
  {
    type: 'identify',
    messageId: 'm-4',
    userId: 'u-4',
    anonymousId: 'a-4',
    traits: { email: 'x@example.com', plan: 'pro' },
    context: { personalize: { roundTrip: true } }
  },
  { type: 'track', event: 'Product Added', messageId: 'm-5', properties: {} }
]

const mappings = presets.flatMap((preset) => ('subscribe' in preset ? [[preset.name, preset.mapping] as const] : []))

test.each(mappings)('%s: the same payloads as mapping-kit', (_, mapping) => {
  expect(mappings.length).toBeGreaterThan(5)
  for (const event of events) expect(resolve(mapping as JsonValue, event)).toEqual(transform(mapping!, event))
})
