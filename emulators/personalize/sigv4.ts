// Optional SigV4 verification: with keys configured, a request must carry a valid AWS Signature Version 4 for the
// `personalize` signing name, as AWS checks it. The answers are AWS's for each failure
// (https://docs.aws.amazon.com/personalize/latest/dg/CommonErrors.html).
import type { IncomingMessage } from 'node:http'
import aws4 from 'aws4'
import { ERRORS, type AwsError } from './protocol'

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/

/** The reason a request is not signed with one of `keys` (access key ID → secret), or undefined when it is. */
export function verifySignature(
  req: IncomingMessage,
  body: string,
  keys: Record<string, string>
): AwsError | undefined {
  const authorization = req.headers.authorization
  if (!authorization) return ERRORS.missingToken()
  const match = AUTHORIZATION.exec(authorization)
  if (!match)
    return ERRORS.incompleteSignature(
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`
    )
  const [, accessKeyId, , region, service, signedHeaders, signature] = match as unknown as string[]
  const secretAccessKey = keys[accessKeyId!]
  if (secretAccessKey === undefined) {
    return ERRORS.unrecognizedClient()
  }
  if (service !== 'personalize') {
    return ERRORS.signature(`Credential should be scoped to correct service: 'personalize'.`)
  }
  const headers = Object.fromEntries(signedHeaders!.split(';').map((name) => [name, String(req.headers[name] ?? '')]))
  const signer = new aws4.RequestSigner(
    { host: headers.host, method: req.method, path: req.url, service, region, headers, body, doNotModifyHeaders: true },
    { accessKeyId: accessKeyId!, secretAccessKey, sessionToken: headers['x-amz-security-token'] }
  )
  // The request's own time: with doNotModifyHeaders aws4 would take the clock's, and a request signed in one second
  // and checked in the next would fail (seen under load).
  signer.datetime = headers['x-amz-date'] ?? ''
  const expected = signer.sign()
  const computed = /Signature=([0-9a-f]{64})/.exec(
    String(expected.headers?.Authorization ?? expected.headers?.authorization)
  )?.[1]
  if (computed !== signature) {
    return ERRORS.signature(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
    )
  }
  return undefined
}
