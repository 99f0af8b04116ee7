// The destination's error table (destination/personalize/errors.ts decides the kind of each failure) mapped onto the
// Functions runtime's error classes, which decide whether Segment retries. One row per kind; a test per row.
import type { Failure, FailureKind } from '../destination/personalize/errors'
import type { RuntimeErrorName } from './runtime'

export const RUNTIME_ERROR_BY_KIND: Record<FailureKind, RuntimeErrorName> = {
  // Our own validation found the event unusable (no item id, an id too long, …).
  invalidEvent: 'InvalidEventPayload',
  // Personalize rejected the event's data (InvalidInputException).
  invalidInput: 'InvalidEventPayload',
  // A setting names something that does not exist (Tracking ID, Campaign ARN, a dataset).
  notFound: 'ValidationError',
  // The credentials settings do not work, or are missing.
  authentication: 'ValidationError',
  // A setting the call needs is empty, or AWS refused the call for good.
  rejected: 'ValidationError',
  // Throttling, 5xx, timeouts, network failures, a busy dataset.
  retryable: 'RetryError'
}

/**
 * The runtime error to throw for a failure. Each class is named bare: the runtime may hand them in as parameters of
 * the function it wraps the script in rather than as globals, where `globalThis[name]` finds nothing.
 */
export function runtimeError(failure: Failure): Error {
  return runtimeErrorNamed(RUNTIME_ERROR_BY_KIND[failure.kind], failure.message)
}

export function runtimeErrorNamed(name: RuntimeErrorName, message: string): Error {
  switch (name) {
    case 'RetryError':
      return new RetryError(message)
    case 'ValidationError':
      return new ValidationError(message)
    case 'InvalidEventPayload':
      return new InvalidEventPayload(message)
    case 'EventNotSupported':
      return new EventNotSupported(message)
  }
}

/** A failure as one event's entry in onBatch's answer: Segment retries only the 5xx and retryable ones. */
export function batchEntry(failure: Failure): { status: number; errormessage: string } {
  return { status: failure.status, errormessage: failure.message }
}
