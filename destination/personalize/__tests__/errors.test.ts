import http from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import '../../__tests__/__helpers__/nockCleanup'
import {
  createTestEvent,
  createTestIntegration,
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RequestTimeoutError,
  RetryableError
} from '@segment/actions-core'
import type { RequestClient } from '@segment/actions-core'
import destination from '../..'
import { awsError, recordPutEvents, settings, isolateNetwork } from '../../__tests__/__helpers__/personalizeNock'
import { classify, ERROR_STATUSES, ERROR_TYPES, parseAwsError } from '../errors'
import type { FailureKind } from '../errors'
import { toActionError } from '../../results'
import { sendSigned } from '../wire'

const testDestination = createTestIntegration(destination)

isolateNetwork(testDestination)

const event = createTestEvent({ type: 'track', event: 'Product Viewed', properties: { product_id: 'p1' } })

const CLASS_BY_KIND: Record<FailureKind, new (...args: never[]) => Error> = {
  invalidEvent: PayloadValidationError,
  invalidInput: IntegrationError,
  notFound: IntegrationError,
  authentication: InvalidAuthenticationError,
  retryable: RetryableError,
  rejected: IntegrationError
}

// Segment retries 408, 423, 429 and 5xx but 501; it drops the rest.
const segmentRetries = (status: number) => [408, 423, 429].includes(status) || (status >= 500 && status !== 501)

describe('every row of the AWS error table, through trackEvent', () => {
  test.each(Object.entries(ERROR_TYPES))('%s → %p', async (type, { kind, status }) => {
    recordPutEvents(() => awsError(kind === 'retryable' && status >= 500 ? status : 400, type, `message for ${type}`))
    const error = await testDestination
      .testAction('trackEvent', { event, settings, useDefaultMappings: true })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CLASS_BY_KIND[kind])
    expect((error as { status: number }).status).toBe(kind === 'authentication' ? 401 : status)
    expect((error as Error).message).toContain(`message for ${type}`)
    expect(segmentRetries(status)).toBe(kind === 'retryable')
  })
})

describe('every row of the HTTP status table', () => {
  const samples: Record<number, [number, FailureKind, number]> = {
    0: [403, 'authentication', 403],
    1: [404, 'notFound', 404],
    2: [429, 'retryable', 429],
    3: [501, 'rejected', 501],
    4: [502, 'retryable', 502],
    5: [400, 'invalidInput', 400]
  }
  test.each(ERROR_STATUSES.map((row, i) => [i, row.kind] as const))('row %i (%s)', (i, kind) => {
    const [status, expectedKind, expectedStatus] = samples[i]!
    expect(ERROR_STATUSES[i]!.test(status)).toBe(true)
    expect(kind).toBe(expectedKind)
    expect(classify('SomethingNew', status)).toEqual({ kind: expectedKind, status: expectedStatus })
  })

  test('an unknown 4xx is a permanent rejection', () => {
    expect(classify('', 409)).toEqual({ kind: 'rejected', status: 409 })
  })

  test('the type wins over the status: ThrottlingException arrives as HTTP 400 and is retried as 429', () => {
    expect(classify('ThrottlingException', 400)).toEqual({ kind: 'retryable', status: 429 })
  })
})

describe('messages name what to fix', () => {
  test('InvalidInputException passes on the field and the limit AWS named', async () => {
    const aws =
      "1 validation error detected: Value 'x' at 'eventList.1.member.itemId' failed to satisfy constraint: Member must have length less than or equal to 256"
    recordPutEvents(() => awsError(400, 'InvalidInputException', aws))
    await expect(
      testDestination.testAction('trackEvent', { event, settings, useDefaultMappings: true })
    ).rejects.toThrow(`Personalize rejected the PutEvents call: InvalidInputException: ${aws}`)
  })

  test('ResourceNotFoundException names the tracking ID and the region', async () => {
    recordPutEvents(() => [
      404,
      { __type: 'com.amazonaws.personalize#ResourceNotFoundException', message: 'Tracker not found' }
    ])
    const error = await testDestination
      .testAction('trackEvent', { event, settings, useDefaultMappings: true })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrationError)
    expect((error as IntegrationError).message).toBe(
      'PutEvents failed: ResourceNotFoundException: Tracker not found. Check the Tracking ID setting ("tracking-123") and the AWS Region (us-west-2): it must exist there and be ACTIVE.'
    )
    expect((error as IntegrationError).status).toBe(404)
  })

  test('an authentication failure points at the credentials settings', async () => {
    recordPutEvents(() =>
      awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')
    )
    await expect(
      testDestination.testAction('trackEvent', { event, settings, useDefaultMappings: true })
    ).rejects.toThrow(/Check the AWS credentials settings/)
  })
})

describe('parseAwsError', () => {
  const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name] ?? null })

  test('reads the x-amzn-errortype header and drops what follows ":"', () => {
    expect(
      parseAwsError(
        headers({ 'x-amzn-errortype': 'InvalidInputException:http://internal.amazon.com/coral/' }),
        '{"message":"m"}'
      )
    ).toEqual({
      type: 'InvalidInputException',
      message: 'm'
    })
  })

  test('reads __type and keeps what follows "#"', () => {
    expect(
      parseAwsError(headers({}), '{"__type":"com.amazonaws.personalize#ResourceInUseException","Message":"busy"}')
    ).toEqual({
      type: 'ResourceInUseException',
      message: 'busy'
    })
  })

  test('reads STS’s XML errors', () => {
    const xml =
      '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not &quot;allowed&quot;</Message></Error></ErrorResponse>'
    expect(parseAwsError(headers({}), xml)).toEqual({ type: 'AccessDenied', message: 'Not "allowed"' })
  })

  test('an answer with no error body is named by its status', async () => {
    nock('https://personalize-events.us-west-2.amazonaws.com').post('/events').reply(502, 'Bad Gateway')
    const error = await testDestination
      .testAction('trackEvent', { event, settings, useDefaultMappings: true })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect((error as Error).message).toBe('PutEvents failed: HTTP 502: HTTP 502')
  })
})

describe('failures that never reach AWS', () => {
  const call = {
    operation: 'PutEvents',
    url: 'https://personalize-events.us-west-2.amazonaws.com/events',
    region: 'us-west-2',
    service: 'personalize' as const,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    body: '{}',
    contentType: 'application/json'
  }

  test('a timeout is retryable (408)', async () => {
    const request = (() => Promise.reject(new RequestTimeoutError())) as unknown as RequestClient
    const outcome = await sendSigned(request, call)
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'retryable', status: 408, type: 'RequestTimeout' } })
    expect(toActionError((outcome as { failure: Parameters<typeof toActionError>[0] }).failure)).toBeInstanceOf(
      RetryableError
    )
  })

  test('a refused connection is retryable (503) and names the endpoint', async () => {
    // A real refused connection: a port that was just listening and is now closed.
    const server = http.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise((resolve) => server.close(resolve))
    nock.enableNetConnect('127.0.0.1')
    const endpoint = `http://127.0.0.1:${port}`
    const error = await testDestination
      .testAction('trackEvent', {
        event,
        settings: { ...settings, personalizeEventsEndpoint: endpoint },
        useDefaultMappings: true
      })
      .catch((e: unknown) => e)
    nock.disableNetConnect()
    expect(error).toBeInstanceOf(RetryableError)
    expect((error as RetryableError).status).toBe(503)
    expect((error as Error).message).toContain(`PutEvents could not reach ${endpoint}`)
  })

  test('our own validation is a PayloadValidationError and makes no call', async () => {
    const calls = recordPutEvents()
    const bad = createTestEvent({ type: 'track', event: 'Product Viewed', properties: { name: 'no id' } })
    await expect(
      testDestination.testAction('trackEvent', { event: bad, settings, useDefaultMappings: true })
    ).rejects.toBeInstanceOf(PayloadValidationError)
    expect(calls).toHaveLength(0)
  })
})
