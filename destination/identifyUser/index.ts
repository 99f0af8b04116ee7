import type { ActionDefinition } from '@segment/actions-core'
import type { Settings } from '../generated-types'
import { performers } from '../results'
import type { Payload } from './generated-types'
import { fields } from './fields'
import { putUsers } from './users'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Identify User',
  description:
    "Keep the user's metadata in Personalize's Users dataset current (PutUsers) from identify traits. Only the traits you map are sent.",
  defaultSubscription: 'type = "identify" and context.personalize.roundTrip = null',
  fields,
  ...performers('identifyUser', putUsers)
}

export default action
