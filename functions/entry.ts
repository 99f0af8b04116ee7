// The Destination Function's handlers, as build.ts bundles them: Segment's runtime calls the top-level
// `async function onTrack(event, settings)` declarations the bundle ends with, and they call these.
// https://segment.com/docs/connections/functions/destination-functions/
import { batchEntry, runtimeError } from './errors'
import { handle, type Outcome } from './handlers'
import { fetchClient } from './http'
import './runtime'
import { settingsOf } from './settings'

async function one(event: unknown, settings: unknown): Promise<void> {
  const [outcome] = await handle(fetchClient, [event], settingsOf(settings))
  throwFor(outcome!)
}

function throwFor(outcome: Outcome): void {
  if (outcome.kind === 'failed') throw runtimeError(outcome.failure)
  if (outcome.kind === 'unsupported') throw new EventNotSupported(outcome.reason)
}

export const onTrack = one
export const onIdentify = one

/**
 * A batch: one entry per event, `{status: 200}` or `{status, errormessage}`; Segment retries the 5xx and retryable
 * entries only. Settings problems fail the whole batch (every event would fail the same way).
 */
export async function onBatch(
  events: unknown,
  settings: unknown
): Promise<Array<{ status: number; errormessage?: string }>> {
  if (!Array.isArray(events)) throw new InvalidEventPayload('onBatch expects an array of events.')
  const outcomes = await handle(fetchClient, events, settingsOf(settings))
  return outcomes.map((outcome) => {
    switch (outcome.kind) {
      case 'ok':
      case 'ignored':
        return { status: 200 }
      case 'unsupported':
        return { status: 400, errormessage: outcome.reason }
      case 'failed':
        return batchEntry(outcome.failure)
    }
  })
}

/** The calls this function does not handle: page, screen, group, alias, delete. */
export function unsupported(type: string): () => Promise<never> {
  return () => Promise.reject(new EventNotSupported(`${type} calls are not sent to Personalize.`))
}
