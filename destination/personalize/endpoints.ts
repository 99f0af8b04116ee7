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

// Where an endpoint override may send signed calls, the external ID and the Segment write key: the service's own
// domains over https (AWS's, for a VPC endpoint: https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html;
// Segment's Tracking API hosts), or this machine over http or https (a local emulator). A mistyped or hostile value
// is refused with the setting's name, before anything is sent.
const AWS_DOMAINS = /(^|\.)amazonaws\.com(\.cn)?$/
const SEGMENT_DOMAINS = /(^|\.)(segment\.io|segmentapis\.com)$/
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/

export const ENDPOINT_RULES: Array<{ setting: keyof Settings; label: string; domains: RegExp; owner: string }> = [
  { setting: 'personalizeEventsEndpoint', label: 'Personalize Events Endpoint', domains: AWS_DOMAINS, owner: 'AWS' },
  { setting: 'personalizeRuntimeEndpoint', label: 'Personalize Runtime Endpoint', domains: AWS_DOMAINS, owner: 'AWS' },
  { setting: 'stsEndpoint', label: 'STS Endpoint', domains: AWS_DOMAINS, owner: 'AWS' },
  { setting: 'segmentEndpoint', label: 'Segment Endpoint', domains: SEGMENT_DOMAINS, owner: "Segment's" }
]

/** Why an endpoint override may not be used, naming the setting; undefined when every override is allowed. */
export function endpointProblem(settings: Settings): string | undefined {
  for (const rule of ENDPOINT_RULES) {
    const value = settings[rule.setting]
    if (typeof value !== 'string' || value.trim() === '') continue
    let url: URL
    try {
      url = new URL(value.trim())
    } catch {
      return `${rule.label} (${rule.setting}) "${value}" is not a URL.`
    }
    const host = url.hostname.toLowerCase()
    const local = LOOPBACK.test(host) && (url.protocol === 'http:' || url.protocol === 'https:')
    const service = url.protocol === 'https:' && rule.domains.test(host)
    if (!local && !service)
      return `${rule.label} (${rule.setting}) "${url.origin}" is not allowed: use https on one of ${rule.owner} own domains, or http on this machine (localhost, 127.0.0.1, [::1]) for a local emulator.`
    if (url.username || url.password) return `${rule.label} (${rule.setting}) must not carry a user name or password.`
  }
  return undefined
}
