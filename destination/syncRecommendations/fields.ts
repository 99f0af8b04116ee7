// syncRecommendations's fields, apart from the action so that the Functions build can map events with them without loading the
// framework (functions/mapping.ts).
import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { firstOf } from '../mapping'
import { batchingFields } from '../batching'
import type { Payload } from './generated-types'

// Where the round-trip marks the identify calls it sends, so that they are not acted on again.
export const ROUND_TRIP_PATH = '$.context.personalize.roundTrip'

export const fields: ActionDefinition<Settings, Payload>['fields'] = {
  userId: {
    label: 'User ID',
    description: "The Segment userId, used for GetRecommendations and as the identify's userId.",
    type: 'string',
    default: { '@path': '$.userId' }
  },
  anonymousId: {
    label: 'Anonymous ID',
    description: 'The Segment anonymousId, sent on the identify so the trait lands on the anonymous profile too.',
    type: 'string',
    default: { '@path': '$.anonymousId' }
  },
  sessionId: {
    label: 'Session ID',
    description:
      "For anonymous visitors, the Personalize user ID is the session ID, as Personalize advises. Keep it the same as Track Event's Session ID so the visitor's recorded events count. Defaults to context.sessionId, else anonymousId.",
    type: 'string',
    default: firstOf('$.context.sessionId', '$.anonymousId')
  },
  itemId: {
    label: 'Item ID',
    description: 'For related-items campaigns (e.g. SIMS): the item to find related items for. Not mapped by default.',
    type: 'string'
  },
  numResults: {
    label: 'Number of Results',
    description: "How many items to ask for: 1 to 500 (Personalize's default is 25).",
    type: 'integer',
    default: 25,
    minimum: 1,
    maximum: 500
  },
  filterArn: {
    label: 'Filter ARN',
    description: 'A Personalize filter to apply, e.g. one that excludes items the user already bought.',
    type: 'string'
  },
  filterValues: {
    label: 'Filter Values',
    description:
      'Values for the filter\'s $parameters (at most 25), keyed by parameter name. Personalize expects string values in quotes ("\\"shoes\\"") and several values comma-separated.',
    type: 'object',
    additionalProperties: true,
    defaultObjectUI: 'keyvalue'
  },
  context: {
    label: 'Context',
    description:
      'Contextual metadata for the recommendation (at most 150 entries), such as DEVICE, keyed by the Interactions schema column.',
    type: 'object',
    additionalProperties: true,
    defaultObjectUI: 'keyvalue'
  },
  promotions: {
    label: 'Promotion',
    description:
      "Optional. A share of the recommendations filled with items a filter selects, such as items on sale (Personalize's promotions: at most one). Each promoted item's promotion name is written to the <Trait Name>_promotions trait, keyed by item ID.",
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { label: 'Name', description: 'The promotion name (1 to 63 characters).', type: 'string' },
      percentPromotedItems: {
        label: 'Percent Promoted Items',
        description: 'The share of the recommendations to promote, 1 to 100.',
        type: 'integer'
      },
      filterArn: { label: 'Filter ARN', description: 'The filter that selects the promoted items.', type: 'string' },
      filterValues: {
        label: 'Filter Values',
        description: "Values for the promotion filter's $parameters, as for Filter Values.",
        type: 'object'
      }
    }
  },
  traitName: {
    label: 'Trait Name',
    description: 'The profile trait that receives the recommended item IDs.',
    type: 'string',
    required: true,
    default: 'recommended_products'
  },
  recommendationIdTrait: {
    label: 'Recommendation ID Trait',
    description:
      "Optional. A trait that receives the recommendationId, so later events can carry it back as Track Event's Recommendation ID (e.g. recommendation_id).",
    type: 'string'
  },
  integrations: {
    label: 'Integrations',
    description:
      "The identify's integrations object. The default { All: false } keeps Segment from forwarding it to other destinations; profiles still receive it. Name a destination with true to forward it there.",
    type: 'object',
    additionalProperties: true,
    defaultObjectUI: 'keyvalue',
    default: { All: false }
  },
  messageId: {
    label: 'Message ID',
    description:
      "The triggering event's messageId. The identify's messageId is derived from it, so a repeat of the same event is deduplicated by Segment instead of writing the trait twice.",
    type: 'string',
    unsafe_hidden: true,
    default: { '@path': '$.messageId' }
  },
  roundTrip: {
    label: 'Round-trip Marker',
    description:
      'Set on the identifies this action sends (context.personalize.roundTrip); events that carry it are skipped, so a round-trip never starts another.',
    type: 'boolean',
    unsafe_hidden: true,
    default: { '@path': ROUND_TRIP_PATH }
  },
  ...batchingFields('one GetRecommendations per distinct user and one Segment call per batch', 500)
}
