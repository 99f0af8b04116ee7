import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { performers } from '../results'
import type { Payload } from './generated-types'
import { fields } from './fields'
import { syncRecommendations } from './recommend'

// The marker the round-trip puts on the identifies it sends, so that they never start another round-trip.

const action: ActionDefinition<Settings, Payload> = {
  title: 'Sync Recommendations',
  description:
    "Ask Personalize for the user's recommendations (GetRecommendations) and write them to the user's Segment profile with an identify call carrying a recommended_products trait.",
  defaultSubscription: 'type = "identify" and context.personalize.roundTrip = null',
  fields,
  ...performers('syncRecommendations', syncRecommendations)
}

export default action
