import type { Settings } from '../generated-types'

// https://docs.aws.amazon.com/general/latest/gr/personalize.html: the regions Amazon Personalize runs in.
export const PERSONALIZE_REGIONS = [
  { label: 'US East (N. Virginia) us-east-1', value: 'us-east-1' },
  { label: 'US East (Ohio) us-east-2', value: 'us-east-2' },
  { label: 'US West (Oregon) us-west-2', value: 'us-west-2' },
  { label: 'Canada (Central) ca-central-1', value: 'ca-central-1' },
  { label: 'Europe (Ireland) eu-west-1', value: 'eu-west-1' },
  { label: 'Europe (Frankfurt) eu-central-1', value: 'eu-central-1' },
  { label: 'Asia Pacific (Tokyo) ap-northeast-1', value: 'ap-northeast-1' },
  { label: 'Asia Pacific (Seoul) ap-northeast-2', value: 'ap-northeast-2' },
  { label: 'Asia Pacific (Mumbai) ap-south-1', value: 'ap-south-1' },
  { label: 'Asia Pacific (Singapore) ap-southeast-1', value: 'ap-southeast-1' },
  { label: 'Asia Pacific (Sydney) ap-southeast-2', value: 'ap-southeast-2' },
  { label: 'China (Beijing) cn-north-1', value: 'cn-north-1' }
]

type Service = 'personalize-events' | 'personalize-runtime' | 'sts'

const OVERRIDES: Record<Service, keyof Settings> = {
  'personalize-events': 'personalizeEventsEndpoint',
  'personalize-runtime': 'personalizeRuntimeEndpoint',
  sts: 'stsEndpoint'
}

/** The base URL of a service: the setting's override if there is one, else AWS's regional endpoint. */
export function endpointFor(service: Service, settings: Settings): string {
  const override = settings[OVERRIDES[service]]
  if (typeof override === 'string' && override.trim() !== '') return override.trim().replace(/\/+$/, '')
  const suffix = settings.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
  return `https://${service}.${settings.region}.${suffix}`
}
