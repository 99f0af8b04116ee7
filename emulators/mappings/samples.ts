// The tester's sample events: `npm start`'s visit (cli/example/sampleEvents.ts) and an identify, which starts the
// recommendations round-trip and writes a user.
import type { SegmentEvent } from '@segment/actions-core'
import { DELIBERATELY_BAD, sampleEvents } from '../../cli/example/sampleEvents'

export interface SampleEvent {
  label: string
  event: SegmentEvent
}

function labelOf(event: SegmentEvent): string {
  if (event.messageId === DELIBERATELY_BAD) return `${event.event ?? event.type} without a product id (refused)`
  const properties = event.properties ?? {}
  if (Array.isArray(properties.products)) return `${event.event ?? event.type} with products[]`
  if (properties.sku !== undefined && properties.product_id === undefined)
    return `${event.event ?? event.type} (workshop shape, sku only)`
  return event.event ?? event.type
}

export function samples(): SampleEvent[] {
  const visit = sampleEvents()
  const identify: SegmentEvent = {
    type: 'identify',
    userId: visit[0]!.userId,
    anonymousId: visit[0]!.anonymousId,
    messageId: 'msg-identify',
    timestamp: '2026-11-20T10:07:00Z',
    traits: { email: 'ada@example.com', plan: 'gold', first_name: 'Ada' }
  }
  return [...visit.map((event) => ({ label: labelOf(event), event })), { label: 'Identify', event: identify }]
}
