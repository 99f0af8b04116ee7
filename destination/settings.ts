// The destination's settings, apart from its definition so that the Functions build can offer the same settings
// (functions/settings.ts) without loading the framework.
import type { DestinationDefinition } from '@segment/actions-core'
import type { Settings } from './generated-types'
import { PERSONALIZE_REGIONS } from './personalize/endpoints'
import { SEGMENT_REGIONS } from './segment/trackingApi'

export const settingsFields: NonNullable<DestinationDefinition<Settings>['authentication']>['fields'] = {
  region: {
    label: 'AWS Region',
    description: 'The AWS region of your Personalize dataset group and event tracker.',
    type: 'string',
    required: true,
    choices: PERSONALIZE_REGIONS,
    default: 'us-west-2'
  },
  iamRoleArn: {
    label: 'IAM Role ARN',
    description:
      'The ARN of an IAM role that Segment assumes to call Personalize (arn:aws:iam::<account id>:role/<name>). The role needs personalize:PutEvents and a trust policy with the External ID below. Leave empty to use an access key pair instead.',
    type: 'string'
  },
  iamExternalId: {
    label: 'External ID',
    description:
      "The external ID in the IAM role's trust policy, required with IAM Role ARN. Generate a long random string and treat it like a password.",
    type: 'password'
  },
  accessKeyId: {
    label: 'Access Key ID',
    description:
      'The access key ID of an IAM user allowed to call personalize:PutEvents. Used when IAM Role ARN is empty; with IAM Role ARN set, it signs the AssumeRole call instead.',
    type: 'password'
  },
  secretAccessKey: {
    label: 'Secret Access Key',
    description: 'The secret access key that belongs to the Access Key ID.',
    type: 'password'
  },
  trackingId: {
    label: 'Tracking ID',
    description:
      'The tracking ID of your Personalize event tracker (Personalize console → dataset group → Event trackers, or the `trackingId` that CreateEventTracker returned).',
    type: 'string',
    required: true
  },
  campaignArn: {
    label: 'Campaign ARN',
    description:
      'The Personalize campaign that Sync Recommendations asks (GetRecommendations), e.g. arn:aws:personalize:us-west-2:123456789012:campaign/segment-workshop-campaign. Set this or Recommender ARN.',
    type: 'string'
  },
  recommenderArn: {
    label: 'Recommender ARN',
    description:
      'A Personalize domain recommender to ask instead of a campaign (arn:aws:personalize:<region>:<account>:recommender/<name>). Used when Campaign ARN is empty.',
    type: 'string'
  },
  usersDatasetArn: {
    label: 'Users Dataset ARN',
    description:
      'The Users dataset that Identify User writes to (PutUsers), ending in /USERS, e.g. arn:aws:personalize:us-west-2:123456789012:dataset/segment-workshop/USERS.',
    type: 'string'
  },
  itemsDatasetArn: {
    label: 'Items Dataset ARN',
    description:
      'The Items dataset that Sync Items writes to (PutItems), ending in /ITEMS, e.g. arn:aws:personalize:us-west-2:123456789012:dataset/segment-workshop/ITEMS.',
    type: 'string'
  },
  segmentWriteKey: {
    label: 'Segment Write Key',
    description:
      'The write key of the Segment source that receives the identify calls carrying recommendations (Sync Recommendations). Use a source whose identifies reach your Profiles (Unify) space.',
    type: 'password'
  },
  segmentRegion: {
    label: 'Segment Region',
    description:
      'Where that source lives: US (api.segment.io) or EU (events.eu1.segmentapis.com). Segment rejects data sent to the wrong region.',
    type: 'string',
    choices: SEGMENT_REGIONS,
    default: 'us'
  },
  segmentEndpoint: {
    label: 'Segment Endpoint',
    description:
      "Optional. A Tracking API base URL that replaces the region's (e.g. http://127.0.0.1:4567/v1 for the local stack).",
    type: 'string',
    format: 'uri'
  },
  personalizeEventsEndpoint: {
    label: 'Personalize Events Endpoint',
    description:
      'Optional. A URL that replaces https://personalize-events.<region>.amazonaws.com, for a VPC endpoint or the local emulator (`segment-personalize local`).',
    type: 'string',
    format: 'uri'
  },
  personalizeRuntimeEndpoint: {
    label: 'Personalize Runtime Endpoint',
    description:
      'Optional. A URL that replaces https://personalize-runtime.<region>.amazonaws.com, for a VPC endpoint or the local emulator.',
    type: 'string',
    format: 'uri'
  },
  stsEndpoint: {
    label: 'STS Endpoint',
    description:
      'Optional. A URL that replaces https://sts.<region>.amazonaws.com for assuming the IAM role, for a VPC endpoint or the local emulator.',
    type: 'string',
    format: 'uri'
  }
}
