import aws4 from 'aws4'
import { RequestTimeoutError, type RequestClient } from '@segment/actions-core'
import { classify, parseAwsError, type Failure } from './errors'

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
 * Signs one AWS request with SigV4 and sends it through the framework's `request`, so that tests intercept it with
 * nock and any endpoint (AWS, a VPC endpoint, the local emulator) can be used. aws4 signs with node:crypto in about
 * 14 µs; aws4fetch's WebCrypto signer takes about 250 µs per request in Node 20 (docs/performance.md).
 */
export async function sendSigned(request: RequestClient, call: SignedCall): Promise<CallOutcome> {
  const url = new URL(call.url)
  const signed = aws4.sign(
    {
      host: url.host,
      path: url.pathname + url.search,
      method: 'POST',
      service: call.service,
      region: call.region,
      headers: { 'content-type': call.contentType, ...call.headers },
      body: call.body
    },
    call.credentials
  )
  let response
  try {
    response = await request(url.href, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
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
  if (error instanceof RequestTimeoutError) {
    return { kind: 'retryable', status: 408, type: 'RequestTimeout', message: `${call.operation} timed out: ${detail}` }
  }
  return {
    kind: 'retryable',
    status: 503,
    type: 'NetworkError',
    message: `${call.operation} could not reach ${new URL(call.url).origin}: ${detail}`
  }
}
