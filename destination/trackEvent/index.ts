import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { performers } from '../results'
import type { Payload } from './generated-types'
import { fields } from './fields'
import { putEvents } from './putEvents'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Track Event',
  description:
    "Record a Segment event as an interaction in Amazon Personalize (PutEvents), so the user's next recommendations reflect it. An event with a `products` array becomes one interaction per product.",
  defaultSubscription: 'type = "track"',
  fields,
  ...performers('trackEvent', putEvents)
}

export default action
