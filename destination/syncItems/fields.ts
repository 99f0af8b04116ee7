// syncItems's fields, apart from the action so that the Functions build can map events with them without loading the
// framework (functions/mapping.ts).
import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { firstOf } from '../mapping'
import { batchingFields } from '../batching'
import type { Payload } from './generated-types'

const PRODUCT_FIELDS = ['name', 'category', 'price', 'brand'] as const

export const fields: ActionDefinition<Settings, Payload>['fields'] = {
  itemId: {
    label: 'Item ID',
    description: 'The ITEM_ID of a single-product event. Defaults to properties.product_id, else properties.sku.',
    type: 'string',
    default: firstOf('$.properties.product_id', '$.properties.sku')
  },
  properties: {
    label: 'Item Properties',
    description:
      'Values for the columns of your Items schema, keyed by camelCase column name (CATEGORY_L1 → categoryL1). Defaults to name, category, price and brand: remove the ones your schema does not have, since Personalize rejects unknown columns. Lists are sent joined by "|". At most 32,000 characters as JSON.',
    type: 'object',
    additionalProperties: true,
    defaultObjectUI: 'keyvalue',
    default: Object.fromEntries(PRODUCT_FIELDS.map((key) => [key, { '@path': `$.properties.${key}` }]))
  },
  products: {
    label: 'Products',
    description:
      'For events with a products array: one item per element, with its name, category, price and brand. Defaults to properties.products, with item ID product_id else sku.',
    type: 'object',
    multiple: true,
    additionalProperties: false,
    properties: {
      itemId: { label: 'Item ID', description: "The product's ITEM_ID.", type: 'string' },
      name: { label: 'Name', description: "The product's name.", type: 'string' },
      category: { label: 'Category', description: "The product's category.", type: 'string' },
      price: { label: 'Price', description: "The product's price.", type: 'number' },
      brand: { label: 'Brand', description: "The product's brand.", type: 'string' }
    },
    default: {
      '@arrayPath': [
        '$.properties.products',
        {
          itemId: firstOf('$.product_id', '$.sku'),
          ...Object.fromEntries(PRODUCT_FIELDS.map((key) => [key, { '@path': `$.${key}` }]))
        }
      ]
    }
  },
  ...batchingFields('ten items per PutItems call, each item once per batch', 500)
}
