import {
  ErrorCodes,
  IntegrationError,
  InvalidAuthenticationError,
  MultiStatusResponse,
  PayloadValidationError,
  RetryableError
} from '@segment/actions-core'
import type { ActionDefinition, JSONLikeObject, RequestClient } from '@segment/actions-core'
import type { Settings } from './generated-types'
import { endpointProblem } from './personalize/endpoints'
import { invalidSetting } from './personalize/errors'
import type { EventResult, Failure, FailureKind } from './personalize/errors'
import { skippedBecause } from './presets'
import type { ActionName } from './presets'

type MultiStatusError = Parameters<MultiStatusResponse['setErrorResponseAtIndex']>[1]

type Send<P> = (request: RequestClient, settings: Settings, payloads: P[]) => Promise<EventResult[]>

/**
 * An action's `perform` and `performBatch` from one function that handles a batch: `perform` sends a batch of one
 * and throws its failure as the framework error class that decides retries; `performBatch` reports every event's own
 * result in a MultiStatusResponse. An action whose optional setting is empty skips its events: each is a success that
 * sends nothing and says which setting to fill (presets.ts, ACTION_NEEDS).
 */
export function performers<P>(
  action: ActionName,
  send: Send<P>
): Pick<ActionDefinition<Settings, P>, 'perform' | 'performBatch'> {
  return {
    perform: async (request, { settings, payload }) => {
      const skipped = skippedBecause(action, settings)
      if (skipped) return { skipped }
      const refused = endpointProblem(settings)
      if (refused) throw toActionError(invalidSetting(refused))
      const [result] = await send(request, settings, [payload])
      if (!result!.ok) throw toActionError(result!.failure)
      return { sent: result!.sent }
    },
    performBatch: async (request, { settings, payload }) => {
      const response = new MultiStatusResponse()
      const skipped = skippedBecause(action, settings)
      if (skipped) {
        payload.forEach((_, i) => response.setSuccessResponseAtIndex(i, { status: 200, sent: {}, body: skipped }))
        return response
      }
      const refused = endpointProblem(settings)
      const results = refused
        ? payload.map((): EventResult => ({ ok: false, failure: invalidSetting(refused) }))
        : await send(request, settings, payload)
      results.forEach((result, i) => {
        if (result.ok) response.setSuccessResponseAtIndex(i, { status: 200, sent: result.sent, body: 'OK' })
        else response.setErrorResponseAtIndex(i, toMultiStatusError(result.failure, result.sent))
      })
      return response
    }
  }
}

export type ActionError = IntegrationError | RetryableError | InvalidAuthenticationError

/** The framework error class Segment acts on: it decides whether Segment retries. */
export function toActionError(failure: Failure): ActionError {
  switch (failure.kind) {
    case 'invalidEvent':
      return new PayloadValidationError(failure.message)
    case 'authentication':
      return new InvalidAuthenticationError(failure.message, ErrorCodes.INVALID_AUTHENTICATION)
    case 'retryable':
      return new RetryableError(failure.message, failure.status as ConstructorParameters<typeof RetryableError>[1])
    default:
      return new IntegrationError(failure.message, failure.type, failure.status)
  }
}

/** A failure as one event's entry in a `MultiStatusResponse`. */
export function toMultiStatusError(failure: Failure, sent?: JSONLikeObject): MultiStatusError {
  return { status: failure.status, errortype: ERROR_CODE_BY_KIND[failure.kind], errormessage: failure.message, sent }
}

const ERROR_CODE_BY_KIND: Record<FailureKind, keyof typeof ErrorCodes> = {
  invalidEvent: 'PAYLOAD_VALIDATION_FAILED',
  invalidInput: 'BAD_REQUEST',
  notFound: 'NOT_FOUND',
  authentication: 'INVALID_AUTHENTICATION',
  retryable: 'RETRYABLE_ERROR',
  rejected: 'BAD_REQUEST'
}
