// The Lambda function Segment's Amazon Personalize (Lambda) destination invokes: one Segment event per invocation, as
// the payload, synchronously (https://segment.com/docs/connections/destinations/catalog/amazon-lambda/). It runs the
// destination's presets on it, as the Destination Function does (functions/handlers.ts: the same presets, mapping,
// limits, error table, round-trip and loop guard), signed with the function's execution role.
//
// What Segment does with the answer: Segment retries a failed delivery for up to four hours
// (https://segment.com/docs/connections/destinations/#retries-between-segment-and-destinations); for a synchronous
// invoke a function error ("Execution Error" in Segment's Event Delivery) and a time-out ("Operation timedout", over
// 5 s) are the failures it sees. So only a retryable failure (throttling, 5xx, a time-out) is thrown, as a function
// error Segment retries; a failure that would fail again (a malformed event, a setting that names nothing) is answered
// with its reason and logged, so it is not retried for hours in vain.
import { useCredentialChain } from '../destination/personalize/credentials'
import { deadlineIn, INVOCATION_BUDGET_MS } from '../functions/deadline'
import { handleWithin } from '../functions/handlers'
import type { Outcome } from '../functions/handlers'
import { executionRole, settingsFrom } from './environment'
import { nodeClient } from './http'

/** The parts of Lambda's context object the handler reads (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html). */
export interface LambdaContext {
  awsRequestId: string
  getRemainingTimeInMillis(): number
}

/** What the function answers when it does not throw. */
export type LambdaResult =
  | { ok: true; outcome: 'sent' | 'ignored'; reason?: string }
  | { ok: false; retryable: false; status: number; error: string; message: string }

/** A failure worth retrying: thrown, so the invocation ends in a function error Segment retries. */
export class RetryableError extends Error {
  override name = 'RetryableError'
}

// Read at cold start: a missing variable fails the function's initialisation, and every invocation says which.
const settings = settingsFrom(process.env)
useCredentialChain(executionRole(process.env))

// Left for answering: within Segment's 5 s and within the function's own time-out, whichever ends first.
const MARGIN_MS = 300

export async function handler(event: unknown, context: LambdaContext): Promise<LambdaResult> {
  const budget = Math.min(INVOCATION_BUDGET_MS, context.getRemainingTimeInMillis() - MARGIN_MS)
  const [outcome] = await handleWithin([event], { ...settings }, deadlineIn(Math.max(0, budget)), nodeClient)
  return answer(outcome!, context)
}

function answer(outcome: Outcome, context: LambdaContext): LambdaResult {
  switch (outcome.kind) {
    case 'ok':
      return { ok: true, outcome: 'sent' }
    case 'ignored':
      return { ok: true, outcome: 'ignored', reason: outcome.reason }
    case 'unsupported':
      return rejected(context, { status: 400, error: 'EventNotSupported', message: outcome.reason })
    case 'failed': {
      const { failure } = outcome
      if (failure.kind === 'retryable') {
        log(context, 'retryable', failure.type, failure.message)
        throw new RetryableError(`${failure.type}: ${failure.message}`)
      }
      return rejected(context, { status: failure.status, error: failure.type, message: failure.message })
    }
  }
}

function rejected(context: LambdaContext, failure: { status: number; error: string; message: string }): LambdaResult {
  log(context, 'rejected', failure.error, failure.message)
  return { ok: false, retryable: false, ...failure }
}

// One JSON line per failure in the function's CloudWatch log.
function log(context: LambdaContext, outcome: string, error: string, message: string): void {
  console.error(JSON.stringify({ requestId: context.awsRequestId, outcome, error, message }))
}
