import type { DestinationDefinition } from '@segment/actions-core'
import type { Settings } from './generated-types'
import { useIntermediaryRole } from './personalize/credentials'
import { intermediaryRole } from './personalize/intermediaryRole'
import { testCredentials } from './personalize/testCredentials'
import { presets } from './presets'
import { settingsFields } from './settings'
import syncRecommendations from './syncRecommendations'
import identifyUser from './identifyUser'
import syncItems from './syncItems'
import trackEvent from './trackEvent'

// Inside Segment, the IAM role in the settings is assumed through Segment's intermediary role.
useIntermediaryRole(intermediaryRole)

const destination: DestinationDefinition<Settings> = {
  name: 'Amazon Personalize (Actions)',
  slug: 'actions-amazon-personalize',
  mode: 'cloud',
  description:
    "Send Segment events to Amazon Personalize as real-time interactions, keep its users and items current, and write its recommendations back to each user's Segment profile as a recommended_products trait.",
  authentication: {
    scheme: 'custom',
    fields: settingsFields,
    testAuthentication: (request, { settings }) => testCredentials(request, settings)
  },
  presets,
  actions: {
    trackEvent,
    syncRecommendations,
    identifyUser,
    syncItems
  }
}

export default destination
