// SigV4 in the Functions runtime, where node:crypto cannot be required: aws4fetch signs with WebCrypto and fetch's
// Headers. The bundle (build.ts) puts this module in place of destination/personalize/sign.ts.
import { AwsV4Signer } from 'aws4fetch'
import type { SignedCall } from '../destination/personalize/wire'

// aws4fetch's cache of derived signing keys (one per secret, day, region and service). A signer makes a new one
// unless given one; shared, each signature costs one HMAC instead of five WebCrypto key imports and HMACs.
const signingKeys = new Map<string, ArrayBuffer>()

export async function signedHeaders(url: URL, call: SignedCall): Promise<Record<string, string>> {
  const signer = new AwsV4Signer({
    cache: signingKeys,
    url: url.href,
    method: 'POST',
    headers: { 'content-type': call.contentType, ...call.headers },
    body: call.body,
    service: call.service,
    region: call.region,
    ...call.credentials
  })
  const signed: Record<string, string> = {}
  ;(await signer.sign()).headers.forEach((value, name) => (signed[name] = value))
  return signed
}
