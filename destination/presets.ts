// The presets import the actions' fields, not the actions, so that the Functions build can act on the same presets
// without loading the framework.
import type { InputField, JSONObject, Preset } from '@segment/actions-core'
import type { Settings } from './generated-types'
import { fields as identifyUser } from './identifyUser/fields'
import { defaultValues } from './mapping'
import { fields as syncItems } from './syncItems/fields'
import { fields as syncRecommendations } from './syncRecommendations/fields'
import { fields as trackEvent } from './trackEvent/fields'

export type ActionName = 'trackEvent' | 'syncRecommendations' | 'identifyUser' | 'syncItems'

const ACTIONS: Record<ActionName, Record<string, InputField>> = {
  trackEvent,
  syncRecommendations,
  identifyUser,
  syncItems
}

function preset(name: string, partnerAction: ActionName, subscribe: string, overrides: JSONObject = {}): Preset {
  return {
    name,
    subscribe,
    partnerAction,
    mapping: { ...defaultValues(ACTIONS[partnerAction]), ...overrides },
    type: 'automatic'
  }
}

const trackPreset = (name: string, subscribe: string, overrides?: JSONObject) =>
  preset(name, 'trackEvent', subscribe, overrides)

// Identifies that the round-trip itself sends carry this marker; no preset acts on them.
const NOT_ROUND_TRIP = 'context.personalize.roundTrip = null'

// trackEvent: the E-commerce v2 events a Segment user already sends (https://segment.com/docs/connections/spec/ecommerce/v2/).
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
  ),
  preset('Identify User', 'identifyUser', `type = "identify" and ${NOT_ROUND_TRIP}`),
  preset('Recommendations on Identify', 'syncRecommendations', `type = "identify" and ${NOT_ROUND_TRIP}`),
  preset(
    'Recommendations after Order Completed',
    'syncRecommendations',
    'type = "track" and event = "Order Completed"'
  ),
  preset('Recommendations after Product Added', 'syncRecommendations', 'type = "track" and event = "Product Added"'),
  preset(
    'Product Catalog',
    'syncItems',
    'type = "track" and (event = "Product Viewed" or event = "Product Clicked" or event = "Product Added" or event = "Order Completed")'
  )
]

/**
 * Whether an action's presets can act with these settings: trackEvent always; the others only once their resource is
 * set (a Users or Items dataset, a campaign or recommender). The Functions build and the local stack run the presets
 * whose action can act, as a user subscribes only to what they configured.
 */
export const ACTION_CAN_ACT: Record<ActionName, (settings: Settings) => boolean> = {
  trackEvent: () => true,
  identifyUser: (s) => Boolean(s.usersDatasetArn),
  syncItems: (s) => Boolean(s.itemsDatasetArn),
  syncRecommendations: (s) => Boolean(s.campaignArn || s.recommenderArn)
}
