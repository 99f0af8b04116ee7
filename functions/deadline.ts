// One deadline per invocation. Segment stops a function after 5 s and retries the event as a timeout
// (https://segment.com/docs/connections/functions/usage/), so everything an invocation does (AssumeRole, PutEvents,
// GetRecommendations, the identify) shares one budget that ends before that: each request may take what is left of
// it, and a step that runs out fails its events as retryable, with a message saying which step, instead of the
// runtime killing the whole invocation.
import type { Settings } from '../destination/generated-types'

/** From the handler's start; leaves half a second of the 5 s for answering. */
export const INVOCATION_BUDGET_MS = 4500

export interface Deadline {
  /** Milliseconds left, never below 0. */
  remaining(): number
  /** The budget the deadline started with, for messages. */
  readonly budgetMs: number
}

export function deadlineIn(budgetMs: number = INVOCATION_BUDGET_MS, now: () => number = Date.now): Deadline {
  const end = now() + budgetMs
  return { budgetMs, remaining: () => Math.max(0, end - now()) }
}

/** An error named TimeoutError: the destination's wire layer (wire.ts) reports it as a retryable 408. */
export function timeoutError(message: string): Error {
  const error = new Error(message)
  error.name = 'TimeoutError'
  return error
}

/**
 * Rejects with a TimeoutError once the deadline passes, unless the promise settles first; a late rejection of the
 * promise is then ignored rather than left unhandled.
 */
export async function withinDeadline<T>(promise: Promise<T>, deadline: Deadline, what: string): Promise<T> {
  promise.catch(() => undefined)
  const ms = deadline.remaining()
  if (ms <= 0) throw timeoutError(`${what}: the invocation's ${deadline.budgetMs} ms were used up`)
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(`${what} took longer than the ${ms} ms left of the invocation`)), ms)
  })
  try {
    return await Promise.race([promise, expired])
  } finally {
    clearTimeout(timer)
  }
}

// The deadline of the invocation a Settings object belongs to (entry.ts makes one Settings object per invocation).
// Code that only gets the settings, such as the role assumer, finds its invocation's deadline here, which stays right
// when invocations of one process overlap.
const deadlines = new WeakMap<object, Deadline>()

export function attachDeadline(settings: Settings, deadline: Deadline): Settings {
  deadlines.set(settings, deadline)
  return settings
}

export function deadlineOf(settings: Settings): Deadline {
  return deadlines.get(settings) ?? deadlineIn()
}
