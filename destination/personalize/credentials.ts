import type { HttpClient } from '../http'
import type { Settings } from '../generated-types'
import { toEpochSeconds } from '../time'
import { endpointFor } from './endpoints'
import type { Failure } from './errors'
import { sendSigned, type AwsCredentials, type CallOutcome } from './wire'

export type Resolved = { ok: true; credentials: AwsCredentials } | { ok: false; failure: Failure }

// Assumed-role credentials are reused until this long before they expire, as the AWS SDKs' providers do.
const REFRESH_MARGIN_MS = 5 * 60_000
const ROLE_SESSION_SECONDS = 3600

interface CacheEntry {
  expiresAt: number
  resolved: Promise<Resolved>
}

const assumedRoles = new Map<string, CacheEntry>()

/**
 * The credentials Personalize calls are signed with: the assumed IAM role when IAM Role ARN is set (STS AssumeRole,
 * cached per role, external ID, region and endpoint until shortly before they expire), else the access key pair.
 */
export async function resolveCredentials(request: HttpClient, settings: Settings): Promise<Resolved> {
  if (!settings.iamRoleArn) return accessKeyPair(settings)
  const key = cacheKey(settings)
  const cached = assumedRoles.get(key)
  if (cached && Date.now() < cached.expiresAt - REFRESH_MARGIN_MS) return cached.resolved
  // Callers in flight share one AssumeRole call; its expiry is set once it answers.
  const entry: CacheEntry = { expiresAt: Infinity, resolved: assumeRole(request, settings) }
  assumedRoles.set(key, entry)
  const resolved = await entry.resolved
  if (resolved.ok) entry.expiresAt = expiryOf(resolved.credentials)
  else assumedRoles.delete(key)
  return resolved
}

/** Drops cached role credentials, e.g. after AWS answered ExpiredToken, so the next call assumes the role again. */
export function forgetCredentials(settings: Settings): void {
  assumedRoles.delete(cacheKey(settings))
}

export function clearCredentialCache(): void {
  assumedRoles.clear()
}

function cacheKey(settings: Settings): string {
  return [settings.iamRoleArn, settings.iamExternalId, settings.region, endpointFor('sts', settings)].join('\n')
}

function accessKeyPair(settings: Settings): Resolved {
  if (settings.accessKeyId && settings.secretAccessKey) {
    return { ok: true, credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
  }
  return authFailure(
    'MissingCredentials',
    'No AWS credentials are set: fill in IAM Role ARN and External ID, or Access Key ID and Secret Access Key.'
  )
}

// The credentials AssumeRole itself is signed with: the access key pair when set, else the environment's
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). Inside Segment these are Segment's own.
function baseCredentials(settings: Settings): AwsCredentials | undefined {
  if (settings.accessKeyId && settings.secretAccessKey) {
    return { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
  }
  // Segment's Functions runtime may have no `process`: there, only the settings' keys can sign AssumeRole.
  const env = typeof process === 'undefined' ? {} : process.env
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = env
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) return undefined
  return { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN }
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/

async function assumeRole(request: HttpClient, settings: Settings): Promise<Resolved> {
  const roleArn = settings.iamRoleArn ?? ''
  if (!ROLE_ARN.test(roleArn)) {
    return authFailure(
      'InvalidRoleArn',
      `IAM Role ARN "${roleArn}" is not a role ARN (arn:aws:iam::<account id>:role/<name>).`
    )
  }
  if (!settings.iamExternalId) {
    return authFailure(
      'MissingExternalId',
      "External ID is required with IAM Role ARN: set the external ID of the role's trust policy."
    )
  }
  const base = baseCredentials(settings)
  if (!base) {
    return authFailure(
      'MissingCredentials',
      'Assuming the IAM role needs AWS credentials to call STS with: set Access Key ID and Secret Access Key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment.'
    )
  }
  const outcome = await callSts(request, settings, base, {
    Action: 'AssumeRole',
    RoleArn: roleArn,
    ExternalId: settings.iamExternalId,
    RoleSessionName: `segment-personalize-${Date.now()}`,
    DurationSeconds: String(ROLE_SESSION_SECONDS)
  })
  if (!outcome.ok) {
    const { failure } = outcome
    if (failure.kind !== 'authentication') return outcome
    return authFailure(
      failure.type,
      `Could not assume the role in IAM Role ARN (${roleArn}) with the External ID setting: ${failure.type}: ${failure.message}. Check both settings and the role's trust policy.`
    )
  }
  const credentials = credentialsFromXml(outcome.text)
  return credentials
    ? { ok: true, credentials }
    : authFailure('InvalidResponse', 'STS AssumeRole answered without credentials.')
}

/** STS GetCallerIdentity with the resolved credentials: the cheapest call that proves they work. */
export async function callerIdentity(
  request: HttpClient,
  settings: Settings,
  credentials: AwsCredentials
): Promise<CallOutcome> {
  return callSts(request, settings, credentials, { Action: 'GetCallerIdentity' })
}

async function callSts(
  request: HttpClient,
  settings: Settings,
  credentials: AwsCredentials,
  params: Record<string, string>
): Promise<CallOutcome> {
  return sendSigned(request, {
    operation: params.Action ?? 'STS',
    url: `${endpointFor('sts', settings)}/`,
    region: settings.region,
    service: 'sts',
    credentials,
    body: new URLSearchParams({ ...params, Version: '2011-06-15' }).toString(),
    contentType: 'application/x-www-form-urlencoded; charset=utf-8'
  })
}

function credentialsFromXml(xml: string): (AwsCredentials & { expiration?: string }) | undefined {
  const value = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1]
  const [accessKeyId, secretAccessKey, sessionToken] = [
    value('AccessKeyId'),
    value('SecretAccessKey'),
    value('SessionToken')
  ]
  if (!accessKeyId || !secretAccessKey || !sessionToken) return undefined
  return { accessKeyId, secretAccessKey, sessionToken, expiration: value('Expiration') }
}

function expiryOf(credentials: AwsCredentials & { expiration?: string }): number {
  const seconds = credentials.expiration ? toEpochSeconds(credentials.expiration) : undefined
  return seconds === undefined ? Date.now() + ROLE_SESSION_SECONDS * 1000 : seconds * 1000
}

function authFailure(type: string, message: string): Resolved {
  return { ok: false, failure: { kind: 'authentication', status: 401, type, message } }
}
