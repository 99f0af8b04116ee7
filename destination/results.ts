import {
  MultiStatusResponse,
  type ActionDefinition,
  type JSONLikeObject,
  type RequestClient
} from '@segment/actions-core'
import type { Settings } from './generated-types'
import { toActionError, toMultiStatusError, type Failure } from './personalize/errors'

/** What happened to one Segment event. `sent` is what went to the service for it. */
export type EventResult = { ok: true; sent: JSONLikeObject } | { ok: false; failure: Failure; sent?: JSONLikeObject }

type Send<P> = (request: RequestClient, settings: Settings, payloads: P[]) => Promise<EventResult[]>

/**
 * An action's `perform` and `performBatch` from one function that handles a batch: `perform` sends a batch of one
 * and throws its failure as the framework error class that decides retries; `performBatch` reports every event's own
 * result in a MultiStatusResponse.
 */
export function performers<P>(send: Send<P>): Pick<ActionDefinition<Settings, P>, 'perform' | 'performBatch'> {
  return {
    perform: async (request, { settings, payload }) => {
      const [result] = await send(request, settings, [payload])
      if (!result!.ok) throw toActionError(result!.failure)
      return { sent: result!.sent }
    },
    performBatch: async (request, { settings, payload }) => {
      const response = new MultiStatusResponse()
      const results = await send(request, settings, payload)
      results.forEach((result, i) => {
        if (result.ok) response.setSuccessResponseAtIndex(i, { status: 200, sent: result.sent, body: 'OK' })
        else response.setErrorResponseAtIndex(i, toMultiStatusError(result.failure, result.sent))
      })
      return response
    }
  }
}

/** A failure for a setting the action needs and that is empty: the same for every event, and not retried. */
export function missingSetting(setting: string, why: string): Failure {
  return { kind: 'rejected', status: 400, type: 'MissingSetting', message: `Set ${setting}: ${why}.` }
}
