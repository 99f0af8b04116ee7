// What Segment's Functions runtime provides as globals: its error classes, which decide what happens to an event.
// https://segment.com/docs/connections/functions/destination-functions/#errors-and-error-handling
// (harness.ts defines them for the local runtime; the real one defines its own).
declare global {
  /** Retried by Segment, with backoff, for up to 4 hours. */
  var RetryError: ErrorClass
  /** Discarded as "Message Rejected": bad settings. */
  var ValidationError: ErrorClass
  /** Discarded as "Message Rejected": a malformed event. */
  var InvalidEventPayload: ErrorClass
  /** Discarded as "Unsupported Event Type". */
  var EventNotSupported: ErrorClass
}

export type ErrorClass = new (message: string) => Error

export const RUNTIME_ERRORS = ['RetryError', 'ValidationError', 'InvalidEventPayload', 'EventNotSupported'] as const
export type RuntimeErrorName = (typeof RUNTIME_ERRORS)[number]
