// SigV4 in the Functions runtime, where nothing can be required. Segment's runtime hands the function Node's crypto
// *module* as `crypto` (https://segment.com/docs/connections/functions/dependencies/, and on Node 14, which its
// docs name, that module has no WebCrypto `subtle`), while current Node's global `crypto` is WebCrypto and has no
// createHmac. So this signer takes whichever the `crypto` it is given offers: createHmac/createHash when present (the
// faster, synchronous path), else crypto.subtle. aws4 needs node:crypto through require, and aws4fetch needs
// WebCrypto and a global Headers, so neither runs on the documented runtime. The bundle (build.ts) puts this module in
// place of destination/personalize/sign.ts. Tests check every signature against aws4 for the same request, and the
// local Personalize verifies them.
// The algorithm: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
import type { webcrypto } from 'node:crypto'
import type { SignedCall } from '../destination/personalize/wire'

type CryptoModule = Pick<typeof import('node:crypto'), 'createHmac' | 'createHash'>
type Key = Uint8Array | string

/** HMAC-SHA256 and SHA-256 from whichever crypto the runtime offers. */
interface Primitives {
  hmac(key: Key, data: string): Uint8Array | Promise<Uint8Array>
  sha256Hex(data: string): string | Promise<string>
}

function moduleCrypto(module: CryptoModule): Primitives {
  return {
    hmac: (key, data) => module.createHmac('sha256', key).update(data, 'utf8').digest(),
    sha256Hex: (data) => module.createHash('sha256').update(data, 'utf8').digest('hex')
  }
}

function webCrypto(subtle: webcrypto.SubtleCrypto): Primitives {
  const encoder = new TextEncoder()
  const bytes = (value: Key) => (typeof value === 'string' ? encoder.encode(value) : value)
  return {
    async hmac(key, data) {
      const imported = await subtle.importKey('raw', bytes(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
      return new Uint8Array(await subtle.sign('HMAC', imported, encoder.encode(data)))
    },
    async sha256Hex(data) {
      return hex(new Uint8Array(await subtle.digest('SHA-256', encoder.encode(data))))
    }
  }
}

type GivenCrypto = Partial<CryptoModule> & { subtle?: webcrypto.SubtleCrypto }

/** The primitives of a `crypto` value: Node's module (createHmac) first, else WebCrypto (subtle). */
export function primitivesOf(given: unknown): Primitives {
  const candidate = (given ?? {}) as GivenCrypto
  const { createHmac, createHash, subtle } = candidate
  if (typeof createHmac === 'function' && typeof createHash === 'function')
    return moduleCrypto({ createHmac, createHash })
  if (subtle && typeof subtle.sign === 'function') return webCrypto(subtle)
  throw new TypeError('SigV4 needs crypto.createHmac (Node’s crypto module) or crypto.subtle (WebCrypto).')
}

let runtimePrimitives: Primitives | undefined
// The runtime's `crypto`, by its bare name: a global, or a parameter of the wrapper Segment puts the script in.
const primitives = () => (runtimePrimitives ??= primitivesOf(typeof crypto === 'undefined' ? undefined : crypto))

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += (byte < 16 ? '0' : '') + byte.toString(16)
  return out
}

// RFC 3986 unreserved characters stay; encodeURIComponent leaves !'()* too, which SigV4 encodes.
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

// Derived signing keys, one per secret, day, region and service: each signature then costs two HMACs and two hashes
// instead of six. Bounded, as a function may see many secrets over a process's life.
const signingKeys = new Map<string, Uint8Array>()
const MAX_SIGNING_KEYS = 64

async function signingKey(p: Primitives, secret: string, date: string, region: string, service: string) {
  const cacheKey = [secret, date, region, service].join('\n')
  const known = signingKeys.get(cacheKey)
  if (known) return known
  let key = await p.hmac(`AWS4${secret}`, date)
  for (const part of [region, service, 'aws4_request']) key = await p.hmac(key, part)
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear()
  signingKeys.set(cacheKey, key)
  return key
}

/** 20260301T100000Z: SigV4's basic ISO-8601 form. */
export function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/**
 * The headers that sign one POST with SigV4 (authorization, x-amz-date, content-type, the session token and any extra
 * headers of the call). `host` is signed but not returned: fetch sets it from the URL.
 */
export async function signedHeaders(
  url: URL,
  call: SignedCall,
  options: { now?: Date; crypto?: unknown } = {}
): Promise<Record<string, string>> {
  const p = options.crypto === undefined ? primitives() : primitivesOf(options.crypto)
  const datetime = amzDate(options.now ?? new Date())
  const date = datetime.slice(0, 8)
  const headers: Record<string, string> = { 'content-type': call.contentType, 'x-amz-date': datetime }
  if (call.credentials.sessionToken) headers['x-amz-security-token'] = call.credentials.sessionToken
  for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = value
  const signable: Record<string, string> = { ...headers, host: url.host }
  const names = Object.keys(signable).sort()
  const canonicalHeaders = names.map((name) => `${name}:${signable[name]!.trim().replace(/\s+/g, ' ')}\n`).join('')
  const signedNames = names.join(';')
  // Non-S3 services take each path segment URI-encoded twice; URL.pathname is already encoded once.
  const path = url.pathname.split('/').map(encodeRfc3986).join('/') || '/'
  const query = [...url.searchParams]
    .map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`)
    .sort()
    .join('&')
  const canonicalRequest = ['POST', path, query, canonicalHeaders, signedNames, await p.sha256Hex(call.body)].join('\n')
  const scope = `${date}/${call.region}/${call.service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', datetime, scope, await p.sha256Hex(canonicalRequest)].join('\n')
  const key = await signingKey(p, call.credentials.secretAccessKey, date, call.region, call.service)
  const signature = hex(await p.hmac(key, stringToSign))
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${call.credentials.accessKeyId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`
  return headers
}
