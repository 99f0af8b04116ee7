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
 * The setting each action needs beyond the required ones, and whether it is set: Identify User a Users dataset, Sync
 * Items an Items dataset, Sync Recommendations a campaign or recommender. Segment creates every automatic preset when
 * the destination is added, so with only the required settings these actions skip the events their presets match
 * (a success that sends nothing and names the setting) instead of failing them; the Functions build and the local
 * stack do not run them at all.
 */
export const ACTION_NEEDS: Record<ActionName, { setting: string; isSet: (settings: Settings) => boolean } | undefined> =
  {
    trackEvent: undefined,
    identifyUser: { setting: 'Users Dataset ARN', isSet: (s) => Boolean(s.usersDatasetArn) },
    syncItems: { setting: 'Items Dataset ARN', isSet: (s) => Boolean(s.itemsDatasetArn) },
    syncRecommendations: {
      setting: 'Campaign ARN or Recommender ARN',
      isSet: (s) => Boolean(s.campaignArn || s.recommenderArn)
    }
  }

/** Whether an action can act with these settings (see ACTION_NEEDS). */
export const ACTION_CAN_ACT = Object.fromEntries(
  Object.entries(ACTION_NEEDS).map(([action, needs]) => [
    action,
    (settings: Settings) => needs?.isSet(settings) ?? true
  ])
) as Record<ActionName, (settings: Settings) => boolean>

/** Why an action sends nothing with these settings; undefined when it can act. */
export function skippedBecause(action: ActionName, settings: Settings): string | undefined {
  const needs = ACTION_NEEDS[action]
  if (!needs || needs.isSet(settings)) return undefined
  return `Skipped: ${needs.setting} is not set, so this action sends nothing. Set it in the destination's settings to use this action.`
}
