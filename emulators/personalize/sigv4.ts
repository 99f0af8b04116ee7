// Optional SigV4 verification: with keys configured, a request must carry a valid AWS Signature Version 4 for the
// `personalize` signing name, as AWS checks it: the signature covers the body as received (its SHA-256 is computed
// here, never taken from the client's x-amz-content-sha256), the request is within 15 minutes of the server's clock
// (so a captured request stops working as it does against AWS), and signatures are compared in constant time. The
// answers are AWS's for each failure (https://docs.aws.amazon.com/personalize/latest/dg/CommonErrors.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import aws4 from 'aws4'
import { ERRORS, type AwsError } from './protocol'

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/
/** How far a request's X-Amz-Date may be from the server's clock, either way: AWS's five minutes of clock skew plus
 *  the signature's validity; AWS answers "Signature expired" after 15 minutes. */
const SIGNATURE_WINDOW_MS = 15 * 60 * 1000

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/** X-Amz-Date (20240101T000000Z) as epoch milliseconds, or NaN. */
function amzTime(value: string): number {
  const m = AMZ_DATE.exec(value)
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN
}

const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '')

/** The reason a request is not signed with one of `keys` (access key ID → secret), or undefined when it is. */
export function verifySignature(
  req: IncomingMessage,
  body: Buffer,
  keys: Record<string, string>,
  now: number = Date.now()
): AwsError | undefined {
  const authorization = req.headers.authorization
  if (!authorization) return ERRORS.missingToken()
  const match = AUTHORIZATION.exec(authorization)
  if (!match)
    return ERRORS.incompleteSignature(
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`
    )
  const [, accessKeyId, scopeDate, region, service, signedHeaders, signature] = match as unknown as string[]
  if (!Object.hasOwn(keys, accessKeyId!)) return ERRORS.unrecognizedClient()
  const secretAccessKey = keys[accessKeyId!]!
  if (service !== 'personalize') {
    return ERRORS.signature(`Credential should be scoped to correct service: 'personalize'.`)
  }
  const names = signedHeaders!.split(';')
  if (!names.includes('host'))
    return ERRORS.signature(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`)
  const date = String(req.headers['x-amz-date'] ?? '')
  const at = amzTime(date)
  if (!names.includes('x-amz-date') || Number.isNaN(at))
    return ERRORS.incompleteSignature(
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header, signed.`
    )
  // AWS's answers, verbatim but for the times: "Signature expired: 20240101T000000Z is now earlier than
  // 20240101T001000Z (20240101T002500Z - 15 min.)" and "Signature not yet current: … is still later than …".
  if (at < now - SIGNATURE_WINDOW_MS)
    return ERRORS.signature(
      `Signature expired: ${date} is now earlier than ${amzDate(now - SIGNATURE_WINDOW_MS)} (${amzDate(now)} - 15 min.)`
    )
  if (at > now + SIGNATURE_WINDOW_MS)
    return ERRORS.signature(
      `Signature not yet current: ${date} is still later than ${amzDate(now + SIGNATURE_WINDOW_MS)} (${amzDate(now)} + 15 min.)`
    )
  if (scopeDate !== date.slice(0, 8))
    return ERRORS.signature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${date.slice(0, 8)}', from '${date}'.`
    )
  // The payload hash is the body's: a client's x-amz-content-sha256 that says otherwise is a body swapped after
  // signing (aws4 would take the header's value as the hash, so it is checked here).
  const bodyHash = createHash('sha256').update(body).digest('hex')
  const claimed = req.headers['x-amz-content-sha256']
  if (claimed !== undefined && claimed !== bodyHash)
    return ERRORS.signature(`The provided 'x-amz-content-sha256' header does not match what was computed.`)
  const headers = Object.fromEntries(names.map((name) => [name, String(req.headers[name] ?? '')]))
  const signer = new aws4.RequestSigner(
    { host: headers.host, method: req.method, path: req.url, service, region, headers, body, doNotModifyHeaders: true },
    { accessKeyId, secretAccessKey, sessionToken: headers['x-amz-security-token'] }
  )
  // The request's own time: with doNotModifyHeaders aws4 would take the clock's, and a request signed in one second
  // and checked in the next would fail (seen under load).
  signer.datetime = date
  const expected = signer.sign()
  const computed = /Signature=([0-9a-f]{64})/.exec(
    String(expected.headers?.Authorization ?? expected.headers?.authorization)
  )?.[1]
  // Both are 64 hex digits (the pattern above, and aws4's output).
  if (computed === undefined || !timingSafeEqual(Buffer.from(computed), Buffer.from(signature!)))
    return ERRORS.signature(MISMATCH)
  return undefined
}
