import type { HttpClient } from '../http'
import type { Settings } from '../generated-types'
import { endpointFor } from './endpoints'
import type { Failure } from './errors'
import { sendSigned } from './wire'
import type { AwsCredentials, CallOutcome } from './wire'

/** One Personalize data-plane operation: where it is served and which setting names the resource it acts on. */
export interface Operation {
  name: 'PutEvents' | 'PutUsers' | 'PutItems' | 'GetRecommendations'
  service: 'personalize-events' | 'personalize-runtime'
  path: string
  /** The setting a ResourceNotFoundException points at, e.g. `Tracking ID`, and its value. */
  resource: { setting: string; value: string }
  /** The IAM action the credentials need. */
  permission: string
}

/** Calls a Personalize operation (restJson1, all input in the JSON body) and explains a failure in settings' terms. */
export async function callPersonalize(
  request: HttpClient,
  settings: Settings,
  credentials: AwsCredentials,
  operation: Operation,
  body: object
): Promise<CallOutcome> {
  const outcome = await sendSigned(request, {
    operation: operation.name,
    url: `${endpointFor(operation.service, settings)}${operation.path}`,
    region: settings.region,
    service: 'personalize',
    credentials,
    body: JSON.stringify(body),
    contentType: 'application/json'
  })
  return outcome.ok ? outcome : { ok: false, failure: explain(outcome.failure, operation, settings) }
}

function explain(failure: Failure, operation: Operation, settings: Settings): Failure {
  const prefix = `${operation.name} failed: ${failure.type}: ${failure.message}`
  const { setting, value } = operation.resource
  switch (failure.kind) {
    case 'notFound':
      return {
        ...failure,
        message: `${prefix}. Check the ${setting} setting ("${value}") and the AWS Region (${settings.region}): it must exist there and be ACTIVE.`
      }
    case 'authentication':
      return {
        ...failure,
        message: `${prefix}. Check the AWS credentials settings and that they allow ${operation.permission}.`
      }
    case 'invalidInput':
      return {
        ...failure,
        message: `Personalize rejected the ${operation.name} call: ${failure.type}: ${failure.message}`
      }
    default:
      return { ...failure, message: prefix }
  }
}
