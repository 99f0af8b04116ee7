import type { HttpClient } from '../http'
import type { Settings } from '../generated-types'
import { toEpochSeconds } from '../time'
import { endpointFor } from './endpoints'
import type { Failure } from './errors'
import { sendSigned } from './wire'
import type { AwsCredentials, CallOutcome } from './wire'

export type Resolved = { ok: true; credentials: AwsCredentials } | { ok: false; failure: Failure }

// Assumed-role credentials are reused until this long before they expire, as the AWS SDKs' providers do.
const REFRESH_MARGIN_MS = 5 * 60_000
const ROLE_SESSION_SECONDS = 3600

interface CacheEntry {
  expiresAt: number
  resolved: Promise<Resolved>
}

const assumedRoles = new Map<string, CacheEntry>()

/** Assumes the customer's IAM role for these settings. */
export type RoleAssumer = (settings: Settings) => Promise<Resolved>

/** A source of AWS credentials, such as the AWS SDK's default credential chain. */
export type CredentialSource = () => Promise<AwsCredentials>

// What signs AssumeRole when the settings hold no access key pair. Never the environment's credentials, read
// implicitly: a server running this destination would otherwise sign customers' calls with whatever credentials it
// happens to have. Inside Segment: Segment's intermediary role (index.ts hands it in, personalize/intermediaryRole.ts),
// when Segment's environment names one. On a user's own machine: their AWS credential chain, handed in by our CLI;
// in our Lambda build, the function's execution role (lambda/). Without a role in the settings, that chain also
// signs the calls themselves.
let intermediaryRole: (() => CredentialSource | undefined) | undefined
let credentialChain: CredentialSource | undefined
let roleAssumer: RoleAssumer | undefined

/** Inside Segment: the intermediary role's credentials, when Segment's environment names the role. */
export function useIntermediaryRole(source: (() => CredentialSource | undefined) | undefined): void {
  intermediaryRole = source
}

/** On a user's own machine (our CLI, the local stack) their AWS credential chain; in a Lambda, its execution role. */
export function useCredentialChain(source: CredentialSource | undefined): void {
  credentialChain = source
}

/** Replaces the STS AssumeRole call, e.g. with the Functions runtime's own `AWS.STS` (functions/). */
export function useRoleAssumer(assumer: RoleAssumer | undefined): void {
  roleAssumer = assumer
}

/**
 * The credentials Personalize calls are signed with: the assumed IAM role when IAM Role ARN is set (STS AssumeRole,
 * cached per role, external ID, region and endpoint until shortly before they expire), else the access key pair, else
 * the credential chain handed in (useCredentialChain).
 */
export async function resolveCredentials(request: HttpClient, settings: Settings): Promise<Resolved> {
  if (!settings.iamRoleArn) return accessKeyPair(settings)
  const key = cacheKey(settings)
  const cached = assumedRoles.get(key)
  if (cached && Date.now() < cached.expiresAt - REFRESH_MARGIN_MS) return cached.resolved
  // Callers in flight share one AssumeRole call; its expiry is set once it answers.
  const entry: CacheEntry = { expiresAt: Infinity, resolved: checkedAssume(request, settings) }
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

function keyPairOf(settings: Settings): AwsCredentials | undefined {
  if (!settings.accessKeyId || !settings.secretAccessKey) return undefined
  return { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
}

async function accessKeyPair(settings: Settings): Promise<Resolved> {
  const credentials = keyPairOf(settings)
  if (credentials) return { ok: true, credentials }
  if (credentialChain) return fromSource(credentialChain)
  return authFailure(
    'MissingCredentials',
    'No AWS credentials are set: fill in IAM Role ARN and External ID, or Access Key ID and Secret Access Key.'
  )
}

/** What signs the AssumeRole call: the settings' access key pair, else Segment's intermediary role, else the user's chain. */
function baseSource(settings: Settings): CredentialSource | undefined {
  const keys = keyPairOf(settings)
  if (keys) return () => Promise.resolve(keys)
  return intermediaryRole?.() ?? credentialChain
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/

async function checkedAssume(request: HttpClient, settings: Settings): Promise<Resolved> {
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
  return roleAssumer ? roleAssumer(settings) : assumeWithSts(request, settings, roleArn)
}

async function assumeWithSts(request: HttpClient, settings: Settings, roleArn: string): Promise<Resolved> {
  const source = baseSource(settings)
  if (!source) {
    return authFailure(
      'MissingCredentials',
      'Assuming the IAM role needs AWS credentials to call STS with: set Access Key ID and Secret Access Key (or, on your own machine, run the segment-personalize command line, which uses your AWS credential chain).'
    )
  }
  const base = await fromSource(source)
  if (!base.ok) return base
  const outcome = await callSts(request, settings, base.credentials, {
    Action: 'AssumeRole',
    RoleArn: roleArn,
    ExternalId: settings.iamExternalId ?? '',
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

async function fromSource(source: CredentialSource): Promise<Resolved> {
  try {
    return { ok: true, credentials: await source() }
  } catch (error) {
    return { ok: false, failure: sourceFailure(error) }
  }
}

// The AWS SDK's credential providers throw CredentialsProviderError when no source has credentials: a setting or
// the machine's set-up to fix. Anything else (STS unreachable or throttled on the way) is worth a retry.
function sourceFailure(error: unknown): Failure {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) }
  if (name === 'CredentialsProviderError')
    return {
      kind: 'authentication',
      status: 401,
      type: 'MissingCredentials',
      message: `No AWS credentials: ${message}`
    }
  return {
    kind: 'retryable',
    status: 503,
    type: name,
    message: `Getting AWS credentials failed: ${message}`
  }
}

function authFailure(type: string, message: string): Resolved {
  return { ok: false, failure: { kind: 'authentication', status: 401, type, message } }
}
