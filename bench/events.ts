// A deterministic, realistic mix of Segment track events for the benchmarks: sessions of a few events from
// known and anonymous users, E-commerce v2 product events, orders with products[], and the workshop's sku-only shape.
import type { SegmentEvent } from '@segment/actions-core'
import { seeded } from '../emulators/personalize/random'

/** The same seeded PRNG as the emulator's fault injection, so every run benchmarks the same events. */
export const random = seeded

const CATEGORIES = ['footwear', 'outdoor', 'kitchen', 'books', 'electronics', 'toys']

export function makeEvents(count: number, seed = 1): SegmentEvent[] {
  const rand = random(seed)
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]!
  const product = () => {
    const n = Math.floor(rand() ** 2 * 500) // skewed popularity
    return {
      product_id: `prod-${n}`,
      sku: `SKU-${n}`,
      name: `Product ${n}`,
      category: pick(CATEGORIES),
      price: 5 + (n % 90)
    }
  }
  const events: SegmentEvent[] = []
  let t = Date.UTC(2026, 10, 1)
  while (events.length < count) {
    const user = Math.floor(rand() * 5000)
    const anonymousId = `anon-${user}-${Math.floor(rand() * 3)}`
    const userId = rand() < 0.7 ? `user-${user}` : undefined
    const sessionLength = 1 + Math.floor(rand() * 8)
    for (let i = 0; i < sessionLength && events.length < count; i++) {
      t += Math.floor(rand() * 2000)
      const roll = rand()
      const base = {
        type: 'track' as const,
        messageId: `msg-${events.length}`,
        anonymousId,
        userId,
        timestamp: new Date(t).toISOString()
      }
      if (roll < 0.45) events.push({ ...base, event: 'Product Viewed', properties: product() })
      else if (roll < 0.65) events.push({ ...base, event: 'Product Clicked', properties: product() })
      else if (roll < 0.85) events.push({ ...base, event: 'Product Added', properties: { ...product(), quantity: 1 } })
      else if (roll < 0.95) {
        const products = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => ({ ...product(), quantity: 1 }))
        events.push({
          ...base,
          event: 'Order Completed',
          properties: { order_id: `order-${events.length}`, revenue: 42, products }
        })
      } else events.push({ ...base, event: 'Order Completed', properties: { sku: product().sku } })
    }
  }
  return events
}
