import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { putRecords, USERS } from '../personalize/putRecords'
import { batchingFields } from '../batching'
import { performers } from '../results'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Identify User',
  description:
    "Keep the user's metadata in Personalize's Users dataset current (PutUsers) from identify traits. Only the traits you map are sent.",
  defaultSubscription: 'type = "identify" and context.personalize.roundTrip = null',
  fields: {
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
  },
  ...performers((request, settings, payloads: Payload[]) =>
    putRecords(
      request,
      settings,
      USERS,
      payloads.map((p) => [{ id: p.userId, properties: p.properties }])
    )
  )
}

export default action
