import { defaultValues, type JSONObject, type Preset } from '@segment/actions-core'
import trackEvent from './trackEvent'

const trackEventMapping = defaultValues(trackEvent.fields)

function trackPreset(name: string, subscribe: string, overrides: JSONObject = {}): Preset {
  return {
    name,
    subscribe,
    partnerAction: 'trackEvent',
    mapping: { ...trackEventMapping, ...overrides },
    type: 'automatic'
  }
}

// The E-commerce v2 events a Segment user already sends (https://segment.com/docs/connections/spec/ecommerce/v2/).
// Order Completed is split on whether it carries products[], so no event matches two presets.
export const presets: Preset[] = [
  trackPreset('Product Viewed', 'type = "track" and event = "Product Viewed"'),
  trackPreset('Product Clicked', 'type = "track" and event = "Product Clicked"'),
  trackPreset('Product Added', 'type = "track" and event = "Product Added"'),
  trackPreset('Order Completed', 'type = "track" and event = "Order Completed" and properties.products != null'),
  // The workshop's generator sends Order Completed with a single properties.sku and no products array.
  trackPreset(
    'Order Completed (workshop shape, sku only)',
    'type = "track" and event = "Order Completed" and properties.products = null',
    { itemId: { '@path': '$.properties.sku' } }
  )
]
