// identifyUser's fields, apart from the action so that the Functions build can map events with them without loading the
// framework (functions/mapping.ts).
import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { batchingFields } from '../batching'
import type { Payload } from './generated-types'

export const fields: ActionDefinition<Settings, Payload>['fields'] = {
  userId: {
    label: 'User ID',
    description: 'The Personalize USER_ID: the Segment userId.',
    type: 'string',
    required: true,
    default: { '@path': '$.userId' }
  },
  properties: {
    label: 'User Properties',
    description:
      'Values for the columns of your Users schema, keyed by camelCase column name (MEMBERSHIP_LEVEL → membershipLevel), e.g. membershipLevel → $.traits.plan. Nothing is mapped by default, so no trait (and no personal data) reaches Personalize unless you choose it. Lists are sent joined by "|". At most 24,000 characters as JSON.',
    type: 'object',
    additionalProperties: true,
    defaultObjectUI: 'keyvalue'
  },
  ...batchingFields('ten users per PutUsers call', 100)
}
