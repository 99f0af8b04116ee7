// The IAM role (settings iamRoleArn and iamExternalId) assumed the way Segment's guide does it inside a Function
// (https://segment.com/docs/connections/functions/aws-apis/): `new AWS.STS().assumeRole({RoleArn, ExternalId,
// RoleSessionName}).promise()` with aws-sdk 2.488.0, which the runtime provides as `AWS`, signed with the runtime's own
// AWS credentials (or the settings' access key pair, if set), and the result kept with the runtime's
// `cache.load(key, ttl, fn)` until five minutes before it expires. (The guide's example builds the options with the
// role's credentials and then forgets to pass them to the client; here they sign every Personalize call.)
// entry.ts hands this to the destination's credentials module (useRoleAssumer), which checks the two settings first.
import type { Settings } from '../destination/generated-types'
import { endpointFor } from '../destination/personalize/endpoints'
import type { Resolved, RoleAssumer } from '../destination/personalize/credentials'
import { classify, type Failure } from '../destination/personalize/errors'
import type { AwsCredentials } from '../destination/personalize/wire'
import { deadlineOf, withinDeadline } from './deadline'
import type { AwsSdk2, RuntimeCache } from './runtime'

const ROLE_SESSION_SECONDS = 3600
// Reused until this long before they expire, as the AWS SDKs' providers do.
const REFRESH_MARGIN_MS = 5 * 60_000

/** The role's credentials as kept in the cache: JSON-safe, the expiry as ISO-8601 (what credentials.ts reads). */
type RoleCredentials = AwsCredentials & { sessionToken: string; expiration: string }

function cacheKey(settings: Settings): string {
  return [
    'segment-personalize:role',
    settings.iamRoleArn,
    settings.iamExternalId,
    settings.region,
    endpointFor('sts', settings),
    settings.accessKeyId ?? ''
  ].join('\n')
}

// Keys this evaluation of the script has already handed out. credentials.ts keeps what it was given until shortly
// before expiry and drops it when AWS refuses it; so being asked again for one of these means "get new ones", while a
// key not in here (a fresh evaluation of the script, if the runtime evaluates it again) may use the cache's.
const handedOut = new Set<string>()

/** A RoleAssumer on the runtime's `AWS` and `cache` (either may be a global or a wrapper parameter). */
export function runtimeRoleAssumer(aws: AwsSdk2, store: RuntimeCache | undefined): RoleAssumer {
  return async (settings: Settings): Promise<Resolved> => {
    const key = cacheKey(settings)
    const assume = () => assumeRole(aws, settings)
    try {
      let credentials: RoleCredentials
      if (!store) credentials = await assume()
      else {
        if (handedOut.has(key)) await store.delete(key)
        credentials = await store.load(key, ROLE_SESSION_SECONDS * 1000 - REFRESH_MARGIN_MS, assume)
        // A cache entry from an earlier evaluation may be closer to its expiry than the cache's own ttl says.
        if (Date.parse(credentials.expiration) - Date.now() < REFRESH_MARGIN_MS) {
          await store.delete(key)
          credentials = await store.load(key, ROLE_SESSION_SECONDS * 1000 - REFRESH_MARGIN_MS, assume)
        }
      }
      handedOut.add(key)
      return { ok: true, credentials }
    } catch (error) {
      return { ok: false, failure: stsFailure(settings, error) }
    }
  }
}

async function assumeRole(aws: AwsSdk2, settings: Settings): Promise<RoleCredentials> {
  const deadline = deadlineOf(settings)
  const ms = deadline.remaining()
  const sts = new aws.STS({
    region: settings.region,
    endpoint: endpointFor('sts', settings),
    // Without these, the SDK signs with the runtime's own credentials (its environment's).
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
    // Segment retries the event; within one invocation there is no time for the SDK's backoff.
    maxRetries: 0,
    httpOptions: { timeout: ms, connectTimeout: ms }
  })
  const request = sts
    .assumeRole({
      RoleArn: settings.iamRoleArn ?? '',
      ExternalId: settings.iamExternalId ?? '',
      RoleSessionName: `segment-personalize-${Date.now()}`,
      DurationSeconds: ROLE_SESSION_SECONDS
    })
    .promise()
  const { Credentials: c } = await withinDeadline(request, deadline, 'STS AssumeRole')
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw Object.assign(new TypeError('STS AssumeRole answered without credentials.'), { code: 'InvalidResponse' })
  }
  const expiration = c.Expiration instanceof Date ? c.Expiration : new Date(c.Expiration)
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: Number.isNaN(expiration.getTime())
      ? new Date(Date.now() + ROLE_SESSION_SECONDS * 1000).toISOString()
      : expiration.toISOString()
  }
}

/** An aws-sdk v2 error (`code`, `statusCode`, `message`) or our timeout, through the destination's error table. */
function stsFailure(settings: Settings, error: unknown): Failure {
  const { code, name, statusCode, message } = (error ?? {}) as {
    code?: unknown
    name?: unknown
    statusCode?: unknown
    message?: unknown
  }
  const type = typeof code === 'string' && code !== '' ? code : typeof name === 'string' ? name : 'Error'
  const detail = typeof message === 'string' ? message : String(error)
  if (type === 'TimeoutError' || type === 'RequestTimeout')
    return { kind: 'retryable', status: 408, type: 'RequestTimeout', message: `AssumeRole timed out: ${detail}` }
  const status = typeof statusCode === 'number' ? statusCode : 0
  // No HTTP answer at all (DNS, connection refused): the network, so worth a retry.
  const classification = status === 0 && type !== 'InvalidResponse' ? classify('', 503) : classify(type, status)
  if (classification.kind === 'retryable')
    return { ...classification, type, message: `STS AssumeRole failed: ${type}: ${detail}` }
  return {
    kind: 'authentication',
    status: 401,
    type,
    message: `Could not assume the role in IAM Role ARN (${settings.iamRoleArn ?? ''}) with the External ID setting (iamExternalId): ${type}: ${detail}. Check both settings, the role's trust policy, and that the function's AWS credentials may call sts:AssumeRole.`
  }
}
