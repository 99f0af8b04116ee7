// SigV4 for the Actions destination: aws4 signs with node:crypto in about 14 µs a request; aws4fetch's WebCrypto
// signer takes about 250 µs in Node 20 (docs/performance.md). The Functions build, where node:crypto cannot be
// required, swaps this module for functions/sign.ts at bundle time.
import aws4 from 'aws4'
import type { SignedCall } from './wire'

export function signedHeaders(url: URL, call: SignedCall): Promise<Record<string, string>> {
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
  return Promise.resolve(signed.headers as Record<string, string>)
}
