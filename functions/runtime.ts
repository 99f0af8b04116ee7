// What Segment's Functions runtime provides: its error classes, which decide what happens to an event
// (https://segment.com/docs/connections/functions/destination-functions/#errors-and-error-handling), and the
// dependencies it documents (https://segment.com/docs/connections/functions/dependencies/): `fetch` is node-fetch
// 2.6.0, `crypto` Node's crypto module, `AWS` aws-sdk 2.488.0, `cache` a per-process cache. Whether they reach the
// script as globals or as parameters of the function Segment wraps it in is not documented, so the code names them
// bare (`new RetryError(…)`, `AWS.STS`), which works either way, and never through `globalThis`.
// (harness.ts and node14/ provide them for the local runtimes; the real one provides its own.)
declare global {
  /** Retried by Segment, with backoff, for up to 4 hours. */
  var RetryError: ErrorClass
  /** Discarded as "Message Rejected": bad settings. */
  var ValidationError: ErrorClass
  /** Discarded as "Message Rejected": a malformed event. */
  var InvalidEventPayload: ErrorClass
  /** Discarded as "Unsupported Event Type". */
  var EventNotSupported: ErrorClass
  /** aws-sdk 2.488.0: only STS is used (assumeRole.ts). */
  var AWS: AwsSdk2 | undefined
  /** The runtime's per-process cache; Segment may evict an entry at any time. */
  var cache: RuntimeCache | undefined
}

export type ErrorClass = new (message: string) => Error

export const RUNTIME_ERRORS = ['RetryError', 'ValidationError', 'InvalidEventPayload', 'EventNotSupported'] as const
export type RuntimeErrorName = (typeof RUNTIME_ERRORS)[number]

/** `cache.load(key, ttlMs, fn)`: the cached value, else fn's (kept for ttlMs); `cache.delete(key)`. */
export interface RuntimeCache {
  load<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T>
  delete(key: string): unknown
}

/** The part of aws-sdk v2 the function uses: `new AWS.STS(options).assumeRole(params).promise()`. */
export interface AwsSdk2 {
  STS: new (options: StsOptions) => {
    assumeRole(params: { RoleArn: string; ExternalId: string; RoleSessionName: string; DurationSeconds?: number }): {
      promise(): Promise<{
        Credentials?: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: Date | string }
      }>
    }
  }
}

export interface StsOptions {
  region: string
  endpoint?: string
  credentials?: { accessKeyId: string; secretAccessKey: string }
  maxRetries?: number
  httpOptions?: { timeout?: number; connectTimeout?: number }
}

/** node-fetch 2's fetch, as the runtime provides it: plain-object headers, a `timeout` option, no AbortSignal needed. */
export type RuntimeFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; timeout?: number; signal?: AbortSignal }
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>
