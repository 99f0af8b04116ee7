// The Lambda's settings come from its environment variables: the destination's settings under our names, and the
// names the workshop's Lambda and Segment's Personalize boilerplate used, accepted as they are
// (https://segment.com/docs/connections/destinations/catalog/amazon-personalize/). Credentials are the function's
// execution role, which Lambda hands every invocation as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime):
// no keys are ever configured.
import type { Settings } from '../destination/generated-types'
import { endpointProblem } from '../destination/personalize/endpoints'
import type { AwsCredentials } from '../destination/personalize/wire'

type Environment = Record<string, string | undefined>

interface Variable {
  setting: Exclude<keyof Settings, 'iamRoleArn' | 'iamExternalId' | 'accessKeyId' | 'secretAccessKey'>
  /** Ours first; the others are the workshop's and the boilerplate's names. */
  names: string[]
  required?: boolean
  description: string
}

export const VARIABLES: Variable[] = [
  {
    setting: 'region',
    names: ['PERSONALIZE_REGION', 'region_name', 'AWS_REGION'],
    description: "Personalize's region; Lambda sets AWS_REGION to the function's own"
  },
  {
    setting: 'trackingId',
    names: ['PERSONALIZE_TRACKING_ID', 'personalize_tracking_id'],
    required: true,
    description: "the event tracker's tracking ID (PutEvents)"
  },
  {
    setting: 'campaignArn',
    names: ['PERSONALIZE_CAMPAIGN_ARN', 'personalize_campaign_arn'],
    description: 'the campaign the round-trip asks (GetRecommendations)'
  },
  {
    setting: 'recommenderArn',
    names: ['PERSONALIZE_RECOMMENDER_ARN'],
    description: 'a recommender to ask instead of a campaign'
  },
  {
    setting: 'usersDatasetArn',
    names: ['PERSONALIZE_USERS_DATASET_ARN'],
    description: 'the Users dataset identify traits go to (PutUsers)'
  },
  {
    setting: 'itemsDatasetArn',
    names: ['PERSONALIZE_ITEMS_DATASET_ARN'],
    description: 'the Items dataset product properties go to (PutItems)'
  },
  {
    setting: 'segmentWriteKey',
    names: ['SEGMENT_WRITE_KEY', 'connections_source_api_key', 'connections_source_write_key'],
    description: 'the write key of the source that receives the recommendations'
  },
  { setting: 'segmentRegion', names: ['SEGMENT_REGION'], description: 'us or eu' },
  { setting: 'segmentEndpoint', names: ['SEGMENT_ENDPOINT'], description: 'a Tracking API base URL' },
  {
    setting: 'personalizeEventsEndpoint',
    names: ['PERSONALIZE_EVENTS_ENDPOINT'],
    description: 'replaces https://personalize-events.<region>.amazonaws.com'
  },
  {
    setting: 'personalizeRuntimeEndpoint',
    names: ['PERSONALIZE_RUNTIME_ENDPOINT', 'endpoint_url'],
    description: 'replaces https://personalize-runtime.<region>.amazonaws.com'
  }
]

/** A setting the function cannot start without; thrown at cold start, so every invocation reports it. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError'
}

/** The destination settings from the environment; throws ConfigurationError naming the variable that is missing. */
export function settingsFrom(env: Environment): Settings {
  const settings: Record<string, string> = {}
  for (const variable of VARIABLES) {
    const name = variable.names.find((candidate) => (env[candidate] ?? '').trim() !== '')
    if (name) settings[variable.setting] = env[name]!.trim()
    else if (variable.required)
      throw new ConfigurationError(
        `Set the environment variable ${variable.names[0]} (or ${variable.names.slice(1).join(', ')}): ${variable.description}.`
      )
  }
  settings.region ??= 'us-west-2'
  const refused = endpointProblem(settings as unknown as Settings)
  if (refused) throw new ConfigurationError(refused)
  return settings as unknown as Settings
}

/** The execution role's credentials, as Lambda puts them in the environment. */
export function executionRole(env: Environment): () => Promise<AwsCredentials> {
  return () => {
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = env
    if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY)
      return Promise.reject(
        Object.assign(new Error('The function has no execution role credentials (AWS_ACCESS_KEY_ID is not set).'), {
          name: 'CredentialsProviderError'
        })
      )
    return Promise.resolve({
      accessKeyId: AWS_ACCESS_KEY_ID,
      secretAccessKey: AWS_SECRET_ACCESS_KEY,
      sessionToken: AWS_SESSION_TOKEN
    })
  }
}

/** The variables that give a function these settings (our names), as `lambda deploy` sets them. */
export function environmentFor(settings: Settings): Record<string, string> {
  const environment: Record<string, string> = {}
  for (const variable of VARIABLES) {
    const value = settings[variable.setting]
    // AWS_REGION is Lambda's own and reserved; PERSONALIZE_REGION carries Personalize's region.
    if (typeof value === 'string' && value !== '') environment[variable.names[0]!] = value
  }
  return environment
}
