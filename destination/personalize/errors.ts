// The error table, shared by the Actions destination (results.ts turns a Failure into the framework's error classes)
// and the Functions build (functions/errors.ts turns it into the Functions runtime's). No framework import here: the
// Functions bundle includes this file.
import type { JSONLikeObject } from '@segment/actions-core'

/**
 * What a failed AWS call means for the event that caused it. Segment retries 408, 423, 429 and 5xx (but 501) and
 * drops other 4xx, so `retryable` failures carry one of those statuses and every other kind a non-retried 4xx.
 */
export type FailureKind = 'invalidEvent' | 'invalidInput' | 'notFound' | 'authentication' | 'retryable' | 'rejected'

export interface Failure {
  kind: FailureKind
  status: number
  /** AWS's error type (`InvalidInputException`), or our own name for failures that never reached AWS. */
  type: string
  message: string
}

type Classification = Pick<Failure, 'kind' | 'status'>

// AWS error type → classification. Personalize's own errors are in its service model; the rest are the common
// errors every AWS API returns: https://docs.aws.amazon.com/personalize/latest/dg/CommonErrors.html
// STS's names: https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
export const ERROR_TYPES: Record<string, Classification> = {
  InvalidInputException: { kind: 'invalidInput', status: 400 },
  ValidationException: { kind: 'invalidInput', status: 400 },
  SerializationException: { kind: 'invalidInput', status: 400 },
  ResourceNotFoundException: { kind: 'notFound', status: 404 },
  // A dataset busy with an import: it frees up, so try again later.
  ResourceInUseException: { kind: 'retryable', status: 423 },
  AccessDeniedException: { kind: 'authentication', status: 403 },
  AccessDenied: { kind: 'authentication', status: 403 },
  UnrecognizedClientException: { kind: 'authentication', status: 403 },
  InvalidClientTokenId: { kind: 'authentication', status: 403 },
  SignatureDoesNotMatch: { kind: 'authentication', status: 403 },
  InvalidSignatureException: { kind: 'authentication', status: 403 },
  IncompleteSignature: { kind: 'authentication', status: 403 },
  MissingAuthenticationToken: { kind: 'authentication', status: 403 },
  ExpiredToken: { kind: 'authentication', status: 403 },
  ExpiredTokenException: { kind: 'authentication', status: 403 },
  RegionDisabledException: { kind: 'authentication', status: 403 },
  ThrottlingException: { kind: 'retryable', status: 429 },
  Throttling: { kind: 'retryable', status: 429 },
  TooManyRequestsException: { kind: 'retryable', status: 429 },
  LimitExceededException: { kind: 'retryable', status: 429 },
  RequestExpired: { kind: 'retryable', status: 408 },
  RequestTimeout: { kind: 'retryable', status: 408 },
  RequestTimeoutException: { kind: 'retryable', status: 408 },
  InternalFailure: { kind: 'retryable', status: 500 },
  InternalServerError: { kind: 'retryable', status: 500 },
  ServiceUnavailable: { kind: 'retryable', status: 503 },
  ServiceUnavailableException: { kind: 'retryable', status: 503 }
}

// HTTP status → classification, for error types not in the table (or responses without one).
export const ERROR_STATUSES: Array<{ test: (status: number) => boolean; kind: FailureKind }> = [
  { test: (s) => s === 401 || s === 403, kind: 'authentication' },
  { test: (s) => s === 404, kind: 'notFound' },
  { test: (s) => s === 408 || s === 423 || s === 429, kind: 'retryable' },
  { test: (s) => s === 501, kind: 'rejected' },
  { test: (s) => s >= 500, kind: 'retryable' },
  { test: (s) => s === 400, kind: 'invalidInput' }
]

export function classify(type: string, status: number): Classification {
  const byType = ERROR_TYPES[type]
  if (byType) return byType
  const byStatus = ERROR_STATUSES.find((row) => row.test(status))
  return { kind: byStatus?.kind ?? 'rejected', status: statusFor(byStatus?.kind, status) }
}

// Retryable failures keep a status Segment retries; others keep the response's own status.
function statusFor(kind: FailureKind | undefined, status: number): number {
  if (kind === 'retryable' && ![408, 423, 429].includes(status) && (status < 500 || status === 501)) return 503
  return status
}

/** The error type and message of an AWS error response: restJson1/awsJson (JSON) or query protocol (XML). */
export function parseAwsError(
  headers: { get(name: string): string | null },
  text: string
): { type: string; message: string } {
  let body: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>
  } catch {
    body = { code: xmlValue(text, 'Code'), message: xmlValue(text, 'Message') }
  }
  // The SDK's lookup order: x-amzn-errortype, then body `code`, then `__type`; keep what follows '#', drop from ':'.
  // (@smithy/core protocols/json/parseJsonBody.js, loadRestJsonErrorCode)
  const raw = headers.get('x-amzn-errortype') ?? stringOf(body.code) ?? stringOf(body.__type) ?? ''
  const type = raw.split(':')[0]!.split('#').pop()!
  return { type, message: stringOf(body.message) ?? stringOf(body.Message) ?? '' }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function xmlValue(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)
  return match?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** A failure of our own validation, decided before any call. */
export function invalidEvent(message: string): Failure {
  return { kind: 'invalidEvent', status: 400, type: 'PayloadValidationError', message }
}

/** What happened to one Segment event. `sent` is what went to the service for it. */
export type EventResult = { ok: true; sent: JSONLikeObject } | { ok: false; failure: Failure; sent?: JSONLikeObject }

/** A failure for a setting the action needs and that is empty: the same for every event, and not retried. */
export function missingSetting(setting: string, why: string): Failure {
  return { kind: 'rejected', status: 400, type: 'MissingSetting', message: `Set ${setting}: ${why}.` }
}

/** A setting whose value may not be used (an endpoint override outside the service's domains): not retried. */
export function invalidSetting(message: string): Failure {
  return { kind: 'rejected', status: 400, type: 'InvalidSetting', message }
}
