import type { DestinationDefinition } from '@segment/actions-core'
import type { Settings } from './generated-types'
import { PERSONALIZE_REGIONS } from './personalize/endpoints'
import { testCredentials } from './personalize/testCredentials'
import { presets } from './presets'
import trackEvent from './trackEvent'

const destination: DestinationDefinition<Settings> = {
  name: 'Amazon Personalize (Actions)',
  slug: 'actions-amazon-personalize',
  mode: 'cloud',
  description:
    'Send Segment events to Amazon Personalize as real-time interactions through an event tracker, so recommendations follow what each user does.',
  authentication: {
    scheme: 'custom',
    fields: {
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
    },
    testAuthentication: (request, { settings }) => testCredentials(request, settings)
  },
  presets,
  actions: {
    trackEvent
  }
}

export default destination
