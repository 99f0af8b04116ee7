import type { Failure, FailureKind } from '../../destination/personalize/errors'
import { batchEntry, runtimeError, RUNTIME_ERROR_BY_KIND } from '../errors'
import { RUNTIME_ERRORS } from '../runtime'

beforeAll(() => {
  for (const name of RUNTIME_ERRORS)
    Object.assign(globalThis, {
      [name]: class extends Error {
        override name = name
      }
    })
})

const failure = (kind: FailureKind, status: number): Failure => ({ kind, status, type: 'T', message: `${kind}!` })

// Each kind of failure, the runtime error it becomes, and so what Segment does with the event.
test.each<[FailureKind, number, string]>([
  ['invalidEvent', 400, 'InvalidEventPayload'],
  ['invalidInput', 400, 'InvalidEventPayload'],
  ['notFound', 404, 'ValidationError'],
  ['authentication', 403, 'ValidationError'],
  ['rejected', 400, 'ValidationError'],
  ['retryable', 429, 'RetryError']
])('%s → %s', (kind, status, name) => {
  const error = runtimeError(failure(kind, status))
  expect(error.name).toBe(name)
  expect(error.message).toBe(`${kind}!`)
  expect(RUNTIME_ERROR_BY_KIND[kind]).toBe(name)
  expect(batchEntry(failure(kind, status))).toEqual({ status, errormessage: `${kind}!` })
})

test('every kind has a row', () => {
  expect(Object.keys(RUNTIME_ERROR_BY_KIND).sort()).toEqual(
    ['authentication', 'invalidEvent', 'invalidInput', 'notFound', 'rejected', 'retryable'].sort()
  )
})
