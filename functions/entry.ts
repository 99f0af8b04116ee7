// The Destination Function's handlers, as build.ts bundles them: Segment's runtime calls the top-level
// `async function onTrack(event, settings)` declarations the bundle ends with, and they call these.
// https://segment.com/docs/connections/functions/destination-functions/
import { useRoleAssumer } from '../destination/personalize/credentials'
import { runtimeRoleAssumer } from './assumeRole'
import { deadlineIn } from './deadline'
import { batchEntry, runtimeError } from './errors'
import { handleWithin } from './handlers'
import type { Outcome } from './handlers'
import './runtime'
import { settingsOf } from './settings'

// The role in IAM Role ARN is assumed with the runtime's own aws-sdk and kept in its cache, as Segment's guide does
// (assumeRole.ts). Without an `AWS` (run elsewhere), the destination's own STS call over fetch does it.
if (typeof AWS !== 'undefined' && AWS)
  useRoleAssumer(runtimeRoleAssumer(AWS, typeof cache === 'undefined' ? undefined : cache))

/** Every event through the presets, within the invocation's deadline. */
function run(events: unknown[], rawSettings: unknown): Promise<Outcome[]> {
  return handleWithin(events, settingsOf(rawSettings), deadlineIn())
}

async function one(event: unknown, settings: unknown): Promise<void> {
  const [outcome] = await run([event], settings)
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
  const outcomes = await run(events, settings)
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
