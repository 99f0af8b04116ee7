import type { Settings } from '../generated-types'
import type { HttpClient } from '../http'
import type { EventResult } from '../personalize/errors'
import { ITEMS, putRecords } from '../personalize/putRecords'
import type { MetadataRecord } from '../personalize/putRecords'
import type { Payload } from './generated-types'

/** The items an event describes: each element of products[], or the event's own product. */
export function itemsOf(payload: Payload): MetadataRecord[] {
  if (payload.products?.length) {
    return payload.products.map(({ itemId, ...properties }) => ({ id: itemId, properties }))
  }
  return [{ id: payload.itemId, properties: payload.properties }]
}

/** PutItems for a batch of syncItems payloads. */
export function putItems(request: HttpClient, settings: Settings, payloads: Payload[]): Promise<EventResult[]> {
  return putRecords(request, settings, ITEMS, payloads.map(itemsOf))
}
