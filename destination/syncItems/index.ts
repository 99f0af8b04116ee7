import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { performers } from '../results'
import type { Payload } from './generated-types'
import { fields } from './fields'
import { putItems } from './items'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Sync Items',
  description:
    "Keep Personalize's Items dataset current (PutItems) from the products your events describe: the product of Product Viewed or Product Added, and each element of products[].",
  defaultSubscription:
    'type = "track" and (event = "Product Viewed" or event = "Product Clicked" or event = "Product Added" or event = "Order Completed")',
  fields,
  ...performers('syncItems', putItems)
}

export default action
