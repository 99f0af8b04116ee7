import type { HttpClient } from '../http'
import type { Settings } from '../generated-types'
import { callerIdentity, resolveCredentials } from './credentials'
import { endpointProblem } from './endpoints'
import { invalidSetting } from './errors'
import type { Failure } from './errors'
import { toActionError } from '../results'

// Which setting an STS answer points at, when the credentials are an access key pair.
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
const ACCESS_KEY_HINTS: Record<string, string> = {
  InvalidClientTokenId: 'Access Key ID is not an active AWS access key.',
  UnrecognizedClientException: 'Access Key ID is not an active AWS access key.',
  SignatureDoesNotMatch: 'Secret Access Key does not belong to the Access Key ID.',
  ExpiredToken: 'the credentials have expired.'
}

/**
 * Proves the credentials work: assumes the IAM role (when set) and calls STS GetCallerIdentity with the result.
 * Throws an error that names the setting to fix; returns the caller's ARN.
 */
export async function testCredentials(request: HttpClient, settings: Settings): Promise<string> {
  const refused = endpointProblem(settings)
  if (refused) throw toActionError(invalidSetting(refused))
  const resolved = await resolveCredentials(request, settings)
  if (!resolved.ok) throw toActionError(resolved.failure)
  const identity = await callerIdentity(request, settings, resolved.credentials)
  if (!identity.ok) throw toActionError(explain(identity.failure, settings))
  return /<Arn>([^<]+)<\/Arn>/.exec(identity.text)?.[1] ?? 'unknown caller'
}

function explain(failure: Failure, settings: Settings): Failure {
  const hint = settings.iamRoleArn ? undefined : ACCESS_KEY_HINTS[failure.type]
  if (!hint) return failure
  return { ...failure, message: `AWS rejected the credentials: ${hint} (${failure.type}: ${failure.message})` }
}
