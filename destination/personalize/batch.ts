import type { Failure } from './errors'
import type { CallOutcome } from './wire'

/** One record of a call (an interaction, a user, an item) and the Segment events of the batch it came from. */
export interface Part<T> {
  origins: number[]
  value: T
}

/** Cuts a list into pieces of at most `size`. */
export function chunk<T>(items: T[], size: number): T[][] {
  const pieces: T[][] = []
  for (let i = 0; i < items.length; i += size) pieces.push(items.slice(i, i + size))
  return pieces
}

/**
 * Sends calls of parts with at most `concurrency` in flight and records, per Segment event, the first failure of a
 * call that carried a part of it. Personalize rejects a whole call for one invalid record: when a call of several
 * parts fails with invalid input, each part is sent again alone, so that only the bad one fails.
 */
export async function deliver<T>(
  calls: Array<Array<Part<T>>>,
  send: (parts: Array<Part<T>>) => Promise<CallOutcome>,
  concurrency: number,
  failures: Array<Failure | undefined>
): Promise<void> {
  const record = (parts: Array<Part<T>>, outcome: CallOutcome) => {
    if (outcome.ok) return
    for (const part of parts) for (const origin of part.origins) failures[origin] ??= outcome.failure
  }
  await forEachConcurrently(calls, concurrency, async (parts) => {
    const outcome = await send(parts)
    if (outcome.ok || outcome.failure.kind !== 'invalidInput' || parts.length === 1) return record(parts, outcome)
    await Promise.all(parts.map(async (part) => record([part], await send([part]))))
  })
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function forEachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
