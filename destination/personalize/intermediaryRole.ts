// Inside Segment, its AWS destinations never sign a customer's request with the platform's own credentials: they
// assume Segment's intermediary role with them, and the customer's role trusts that role (action-destinations
// packages/destination-actions/src/lib/AWS/sts.ts, `assumeRole`). Segment names the intermediary role and its external
// ID in environment variables per destination; these are this destination's.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import { IntegrationError } from '@segment/actions-core'
import type { CredentialSource } from './credentials'
import type { AwsCredentials } from './wire'

export const INTERMEDIARY_ROLE_ENV = 'AMAZON_PERSONALIZE_ACTIONS_ROLE_ADDRESS'
export const INTERMEDIARY_EXTERNAL_ID_ENV = 'AMAZON_PERSONALIZE_ACTIONS_EXTERNAL_ID'

// Reused until five minutes before they expire, as the AWS SDKs' providers do.
const REFRESH_MARGIN_MS = 5 * 60_000

let cached: { key: string; expiresAt: number; credentials: Promise<AwsCredentials> } | undefined

/** The intermediary role's credentials, when Segment's environment names the role; else undefined. */
export function intermediaryRole(): CredentialSource | undefined {
  const roleArn = process.env[INTERMEDIARY_ROLE_ENV]
  const externalId = process.env[INTERMEDIARY_EXTERNAL_ID_ENV]
  if (!roleArn || !externalId) return undefined
  return () => {
    const key = `${roleArn}\n${externalId}`
    if (cached?.key === key && Date.now() < cached.expiresAt - REFRESH_MARGIN_MS) return cached.credentials
    const entry = { key, expiresAt: Infinity, credentials: assume(roleArn, externalId) }
    cached = entry
    entry.credentials.then(
      (credentials) => (entry.expiresAt = credentials.expiration?.getTime() ?? Date.now() + 3600_000),
      () => cached === entry && (cached = undefined)
    )
    return entry.credentials
  }
}

/** Forgets the cached intermediary credentials (tests, and after AWS refused them). */
export function clearIntermediaryRole(): void {
  cached = undefined
}

// STS in the platform's region (Segment's Kinesis destination uses AWS_REGION, else us-west-2), signed with the
// platform's own credentials through the SDK's default chain (web identity on Segment's EKS pods).
async function assume(roleArn: string, externalId: string): Promise<AwsCredentials & { expiration?: Date }> {
  const client = new STSClient({ region: process.env.AWS_REGION || 'us-west-2' })
  const { Credentials } = await client.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      ExternalId: externalId,
      RoleSessionName: `segment-personalize-${Date.now()}`
    })
  )
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken)
    throw new IntegrationError(
      `STS AssumeRole of the intermediary role ${roleArn} answered without credentials.`,
      'InvalidResponse',
      502
    )
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
    expiration: Credentials.Expiration
  }
}
