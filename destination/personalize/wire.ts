import type { HttpClient } from '../http'
import { classify, parseAwsError } from './errors'
import type { Failure } from './errors'
import { signedHeaders } from './sign'

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface SignedCall {
  /** The operation's name as AWS spells it, for messages (`PutEvents`). */
  operation: string
  url: string
  region: string
  /** SigV4 signing name. All three Personalize services sign as `personalize`, whatever their host. */
  service: 'personalize' | 'sts'
  credentials: AwsCredentials
  body: string
  contentType: string
  /** Extra headers, e.g. `X-Amz-Target` for the awsJson control plane. */
  headers?: Record<string, string>
}

export type CallOutcome = { ok: true; status: number; text: string } | { ok: false; failure: Failure }

/**
 * Signs one AWS request with SigV4 (sign.ts) and sends it through the given client (the framework's `request`, so
 * that tests intercept it with nock and any endpoint can be used: AWS, a VPC endpoint, the local emulator).
 */
export async function sendSigned(request: HttpClient, call: SignedCall): Promise<CallOutcome> {
  const url = new URL(call.url)
  const headers = await signedHeaders(url, call)
  let response
  try {
    response = await request(url.href, {
      method: 'POST',
      headers,
      body: call.body,
      throwHttpErrors: false,
      // AWS answers are small and read once: the framework's defensive clone of each response only costs time.
      skipResponseCloning: true
    })
  } catch (error) {
    return { ok: false, failure: networkFailure(call, error) }
  }
  const text = response.content ?? ''
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, text }
  const { type, message } = parseAwsError(response.headers, text)
  const name = type || `HTTP ${response.status}`
  return { ok: false, failure: { ...classify(type, response.status), type: name, message: message || name } }
}

function networkFailure(call: SignedCall, error: unknown): Failure {
  const detail = error instanceof Error ? error.message : String(error)
  // By name, not class: actions-core's RequestTimeoutError, or a fetch AbortSignal.timeout's TimeoutError.
  const name = error instanceof Error ? error.name : ''
  if (name === 'RequestTimeoutError' || name === 'TimeoutError') {
    return { kind: 'retryable', status: 408, type: 'RequestTimeout', message: `${call.operation} timed out: ${detail}` }
  }
  return {
    kind: 'retryable',
    status: 503,
    type: 'NetworkError',
    message: `${call.operation} could not reach ${new URL(call.url).origin}: ${detail}`
  }
}
