// trackEvent's fields, apart from the action so that the Functions build can map events with them without loading the
// framework (functions/mapping.ts).
import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { firstOf } from '../mapping'
import { batchingFields } from '../batching'
import type { Payload } from './generated-types'

export const fields: ActionDefinition<Settings, Payload>['fields'] = {
  userId: {
    label: 'User ID',
    description:
      'The Personalize USER_ID. Leave it empty for anonymous visitors: their events are recorded under the session ID and joined to the user once an event carries both.',
    type: 'string',
    default: { '@path': '$.userId' }
  },
  sessionId: {
    label: 'Session ID',
    description:
      'Required by Personalize. Defaults to context.sessionId, else anonymousId, else userId. Keep it stable across a visit: Personalize links anonymous activity to the user through it.',
    type: 'string',
    required: true,
    default: firstOf('$.context.sessionId', '$.anonymousId', '$.userId')
  },
  eventId: {
    label: 'Event ID',
    description:
      'A unique ID for the interaction; Personalize ignores later events that reuse it when training, so replays do not count twice. Defaults to the Segment messageId; product interactions get `<eventId>-<index>`.',
    type: 'string',
    default: { '@path': '$.messageId' }
  },
  eventType: {
    label: 'Event Type',
    description: 'The Personalize EVENT_TYPE, such as "Product Viewed". Defaults to the Segment event name.',
    type: 'string',
    required: true,
    default: { '@path': '$.event' }
  },
  sentAt: {
    label: 'Timestamp',
    description:
      'When the interaction happened: any ISO-8601 date-time (a missing offset means UTC) or epoch seconds or milliseconds. Sent to Personalize as epoch seconds.',
    type: 'datetime',
    required: true,
    default: { '@path': '$.timestamp' }
  },
  itemId: {
    label: 'Item ID',
    description:
      "The Personalize ITEM_ID of a single-product event. Defaults to properties.product_id, else properties.sku (the workshop's events carry only sku). Ignored when Products has entries.",
    type: 'string',
    default: firstOf('$.properties.product_id', '$.properties.sku')
  },
  eventValue: {
    label: 'Event Value',
    description:
      'The EVENT_VALUE of a single-product event, such as a rating or a price. Defaults to properties.value.',
    type: 'number',
    default: { '@path': '$.properties.value' }
  },
  impression: {
    label: 'Impression',
    description:
      'The item IDs the user was shown along with this item (at most 25), so Personalize learns what was skipped.',
    type: 'string',
    multiple: true
  },
  recommendationId: {
    label: 'Recommendation ID',
    description:
      'The recommendationId of the recommendations the user acted on (at most 40 characters), for impressions and metric attribution. Defaults to properties.recommendation_id.',
    type: 'string',
    default: { '@path': '$.properties.recommendation_id' }
  },
  properties: {
    label: 'Interaction Properties',
    description:
      "Values for the extra columns of your Interactions schema, keyed by the camelCase column name (NUMBER_OF_RATINGS → numberOfRatings). Sent as a JSON string of at most 1024 characters; Personalize's reserved keys (userId, sessionId, eventType, timestamp, recommendationId, impression) are left out. Empty by default, because Personalize rejects keys that are not columns of your schema.",
    type: 'object',
    additionalProperties: true,
    defaultObjectUI: 'keyvalue'
  },
  products: {
    label: 'Products',
    description:
      "For events with a products array (Order Completed, Checkout Started, Cart Viewed): one interaction per product, each with the product's item ID and an event ID of `<eventId>-<index>`. Defaults to properties.products, with item ID product_id else sku.",
    type: 'object',
    multiple: true,
    additionalProperties: false,
    properties: {
      itemId: {
        label: 'Item ID',
        description: "The product's ITEM_ID.",
        type: 'string'
      },
      eventValue: {
        label: 'Event Value',
        description: "The product's EVENT_VALUE, such as its price. Not mapped by default.",
        type: 'number'
      }
    },
    default: {
      '@arrayPath': ['$.properties.products', { itemId: firstOf('$.product_id', '$.sku') }]
    }
  },
  ...batchingFields('each batch is grouped by session and user and sent ten interactions per PutEvents call', 500)
}
