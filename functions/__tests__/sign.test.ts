// The Functions build's SigV4 (sign.ts), on Node's crypto module (Segment's documented runtime) and on WebCrypto
// (current Node's global), against aws4, the signer the Actions destination uses, for the same requests at the same
// instant. (The local Personalize, which verifies signatures, checks them end to end: localPersonalize.test.ts.)
import crypto, { webcrypto } from 'node:crypto'
import aws4 from 'aws4'
import type { SignedCall } from '../../destination/personalize/wire'
import { amzDate, primitivesOf, signedHeaders } from '../sign'

const NOW = new Date('2026-03-01T10:11:12.345Z')

const call = (overrides: Partial<SignedCall>): SignedCall => ({
  operation: 'PutEvents',
  url: 'https://personalize-events.us-west-2.amazonaws.com/events',
  region: 'us-west-2',
  service: 'personalize',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  body: JSON.stringify({ trackingId: 't', sessionId: 's', eventList: [{ eventType: 'Product Viewed', sentAt: 1 }] }),
  contentType: 'application/json',
  ...overrides
})

const CALLS: Array<[string, SignedCall]> = [
  ['PutEvents', call({})],
  [
    'with a session token',
    call({ credentials: { accessKeyId: 'ASIAROLE', secretAccessKey: 'role-secret', sessionToken: 'token/+=' } })
  ],
  ['a non-ASCII body', call({ body: JSON.stringify({ name: 'Schuh – größe 42 👟' }) })],
  ['an endpoint override with a path and a port', call({ url: 'http://127.0.0.1:4566/local path/events' })],
  [
    'STS AssumeRole (form body)',
    call({
      operation: 'AssumeRole',
      url: 'https://sts.us-west-2.amazonaws.com/',
      service: 'sts',
      body: 'Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&Version=2011-06-15',
      contentType: 'application/x-www-form-urlencoded; charset=utf-8'
    })
  ],
  ['an extra header', call({ headers: { 'X-Amz-Target': 'AmazonPersonalize.ListCampaigns' } })],
  ['a query string', call({ url: 'https://personalize-events.us-west-2.amazonaws.com/events?b=2&a=1 1' })]
]

function aws4Authorization(signed: SignedCall): string {
  const url = new URL(signed.url)
  // aws4 reads extraHeadersToIgnore (aws4.js, filterHeaders); @types/aws4 does not declare it.
  const options: aws4.Request & { extraHeadersToIgnore: Record<string, boolean> } = {
    host: url.host,
    path: url.pathname + url.search,
    method: 'POST',
    service: signed.service,
    region: signed.region,
    headers: { 'Content-Type': signed.contentType, 'X-Amz-Date': amzDate(NOW), ...signed.headers },
    body: signed.body,
    // Ours leaves Content-Length to fetch, so it does not sign it.
    extraHeadersToIgnore: { 'content-length': true }
  }
  const request = aws4.sign(options, signed.credentials)
  return (request.headers as Record<string, string>).Authorization!
}

describe.each([
  ['Node’s crypto module', crypto],
  ['WebCrypto', webcrypto]
])('on %s', (_, given) => {
  test.each(CALLS)('%s: the signature aws4 makes', async (__, signed) => {
    const headers = await signedHeaders(new URL(signed.url), signed, { now: NOW, crypto: given })
    expect(headers.authorization).toBe(aws4Authorization(signed))
    expect(headers['x-amz-date']).toBe('20260301T101112Z')
    expect(headers['x-amz-security-token']).toBe(signed.credentials.sessionToken)
    expect(headers).not.toHaveProperty('host')
  })
})

test('a different secret, day or region gives a different signature (the signing-key cache is keyed by all three)', async () => {
  const base = call({})
  const sign = async (signed: SignedCall, now = NOW) =>
    (await signedHeaders(new URL(signed.url), signed, { now, crypto })).authorization
  const first = await sign(base)
  expect(await sign(base)).toBe(first)
  expect(await sign({ ...base, credentials: { ...base.credentials, secretAccessKey: 'other' } })).not.toBe(first)
  expect(await sign(base, new Date('2026-03-02T10:11:12.345Z'))).not.toBe(first)
  expect(await sign({ ...base, region: 'eu-west-1' })).not.toBe(first)
})

test('a `crypto` with neither createHmac nor subtle is refused with the reason', () => {
  expect(() => primitivesOf({})).toThrow(/crypto.createHmac .* or crypto.subtle/)
  expect(() => primitivesOf(undefined)).toThrow(TypeError)
})
