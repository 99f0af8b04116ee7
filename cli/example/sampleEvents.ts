import type { SegmentEvent } from '@segment/actions-core'

/** The sample event that is refused on purpose, to show a per-event failure. */
export const DELIBERATELY_BAD = 'msg-5'

/** A short visit: a product viewed and added, an order (spec shape), the workshop's sku-only order, and a bad event. */
export function sampleEvents(): SegmentEvent[] {
  const base = {
    type: 'track' as const,
    anonymousId: 'anon-7f3c',
    userId: 'user-1042',
    context: { library: { name: 'analytics.js', version: '5.2.0' } }
  }
  const shoe = {
    product_id: 'prod-81',
    sku: 'SKU-81',
    name: 'Trail Runner',
    category: 'footwear',
    brand: 'Northpeak',
    price: 89
  }
  return [
    {
      ...base,
      event: 'Product Viewed',
      messageId: 'msg-1',
      timestamp: '2026-11-20T10:00:00.000Z',
      properties: { ...shoe, value: 89 }
    },
    {
      ...base,
      event: 'Product Added',
      messageId: 'msg-2',
      timestamp: '2026-11-20T10:01:30Z',
      properties: { ...shoe, quantity: 1 }
    },
    {
      ...base,
      event: 'Order Completed',
      messageId: 'msg-3',
      timestamp: '2026-11-20T11:02:00+01:00',
      properties: {
        order_id: 'order-5531',
        revenue: 113,
        products: [
          { ...shoe, quantity: 1 },
          { product_id: 'prod-12', sku: 'SKU-12', name: 'Wool Socks', category: 'footwear', price: 12, quantity: 2 }
        ]
      }
    },
    // The workshop generator's shape: Order Completed with a single sku and no products array.
    {
      ...base,
      event: 'Order Completed',
      messageId: 'msg-4',
      timestamp: '2026-11-20T10:05:00Z',
      properties: { sku: 'SKU-33' }
    },
    // No product_id or sku: rejected with a clear message, and nothing else in the batch is lost.
    {
      ...base,
      event: 'Product Viewed',
      messageId: DELIBERATELY_BAD,
      timestamp: '2026-11-20T10:06:00Z',
      properties: { name: 'Mystery item' }
    }
  ]
}
