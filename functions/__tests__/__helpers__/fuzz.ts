// Events with one field at a time replaced by null, empty, a wrong type or an overlong value, from sample events of
// each kind the presets act on: bad input the function must answer with a runtime error class, never a bare error.
/** A signed-in shopper's Product Viewed, as analytics.js sends it (the built Function's tests start from it too). */
export const PRODUCT_VIEWED = {
  type: 'track',
  event: 'Product Viewed',
  messageId: 'msg-1',
  anonymousId: 'anon-1',
  userId: 'user-1',
  timestamp: '2026-03-01T10:00:00.000Z',
  properties: { product_id: 'p-1', name: 'Shoe', price: 50 }
}

const samples: Array<Record<string, unknown>> = [
  { ...PRODUCT_VIEWED, context: { sessionId: 's-1' } },
  {
    type: 'track',
    event: 'Order Completed',
    messageId: 'msg-2',
    anonymousId: 'anon-2',
    timestamp: '2026-03-01T10:00:00Z',
    properties: { order_id: 'o-1', products: [{ product_id: 'p-1', price: 3, quantity: 2 }, { sku: 's-2' }] }
  },
  { type: 'track', event: 'Order Completed', messageId: 'msg-3', userId: 'u-3', properties: { sku: 'sku-3' } },
  {
    type: 'track',
    event: 'Product Added',
    messageId: 'msg-4',
    anonymousId: 'anon-4',
    timestamp: 1772359200,
    properties: { product_id: 'p-4' }
  },
  { type: 'identify', messageId: 'msg-5', userId: 'user-5', anonymousId: 'anon-5', traits: { plan: 'pro' } }
]

const WRONG: unknown[] = [null, '', 0, 7, true, [], ['x'], [{ a: 1 }], {}, { a: 1 }, 'x'.repeat(300)]

const PATHS = [
  ['userId'],
  ['anonymousId'],
  ['messageId'],
  ['timestamp'],
  ['event'],
  ['properties'],
  ['properties', 'product_id'],
  ['properties', 'sku'],
  ['properties', 'value'],
  ['properties', 'products'],
  ['properties', 'products', '0'],
  ['properties', 'products', '0', 'product_id'],
  ['traits'],
  ['context'],
  ['context', 'sessionId'],
  ['context', 'personalize']
]

export function fuzzedEvents(): unknown[] {
  const events: unknown[] = [null, 'a string', [], {}, { type: null }, { type: 'track', event: null }]
  for (const sample of samples)
    for (const at of PATHS)
      for (const value of WRONG) {
        const event = JSON.parse(JSON.stringify(sample)) as Record<string, unknown>
        let target = event
        for (const key of at.slice(0, -1)) {
          if (target[key] === null || typeof target[key] !== 'object') target[key] = {}
          target = target[key] as Record<string, unknown>
        }
        target[at[at.length - 1]!] = value
        events.push(event)
      }
  return events
}

export const SAMPLE_EVENTS = samples
