// The built zip, invoked as Lambda invokes it (a fresh Node process per cold start, the handler loaded from the
// unzipped bundle, Lambda's environment and context, its time-out), against the local stack: the workshop's events in,
// interactions in the local Personalize and recommended_products on the profile out, and every error case.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import AdmZip from 'adm-zip'
import { provisionedStack } from '../../emulators/__tests__/provisionedStack'
import { credentials } from '../../emulators/personalize/__tests__/fixtures'
import { buildLambda } from '../build'
import { environmentFor } from '../environment'
import { startLocalLambda, type Invocation, type LocalLambda } from '../invoke'

let zip: Buffer
let local: Awaited<ReturnType<typeof provisionedStack>>
const started: LocalLambda[] = []

beforeAll(async () => {
  zip = (await buildLambda(path.join(mkdtempSync(path.join(os.tmpdir(), 'lambda-')), 'personalize.zip'))).zip
  local = await provisionedStack()
}, 120_000)
afterAll(async () => {
  await Promise.all(started.map((lambda) => lambda.close()))
  await local.stack.close()
})

async function lambdaWith(environment: Record<string, string>, timeoutMs?: number): Promise<LocalLambda> {
  const lambda = await startLocalLambda({ zip, environment, credentials, timeoutMs })
  started.push(lambda)
  return lambda
}

/** The function configured as `lambda deploy` configures it, for the local stack (round-trip on). */
const configured = () => lambdaWith(environmentFor(local.configure(true)))

let n = 0
const order = (user: string | null, sku: string, anonymousId = `anon-${user ?? 'visitor'}`) => ({
  type: 'track',
  event: 'Order Completed',
  userId: user,
  anonymousId,
  messageId: `lambda-test-${++n}`,
  timestamp: new Date().toISOString(),
  // The workshop generator's shape: one sku, no products[].
  properties: { sku, revenue: 25 }
})

const interactionsOf = (user: string) =>
  local.recorded().events.filter((event) => (event as { userId?: string }).userId === user)

class NeverHappened extends Error {
  override name = 'NeverHappened'
}

async function eventually<T>(read: () => T | undefined, what: string): Promise<T> {
  const until = Date.now() + 30_000
  for (;;) {
    const value = read()
    if (value !== undefined) return value
    if (Date.now() > until) throw new NeverHappened(what)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const resultOf = (invocation: Invocation) => {
  if ('error' in invocation)
    throw new NeverHappened(`a result, but the function failed: ${JSON.stringify(invocation.error)}`)
  return invocation.result
}

test('the workshop’s Order Completed becomes an interaction and recommended_products on the profile', async () => {
  const lambda = await configured()
  const first = await lambda.invoke(order('lambda-user-1', 'shoe-3'))
  expect(first.coldStart).toBe(true)
  expect(resultOf(first)).toEqual({ ok: true, outcome: 'sent' })
  expect(interactionsOf('lambda-user-1')).toMatchObject([{ itemId: 'shoe-3', eventType: 'Order Completed' }])
  const recommended = await eventually(
    () => local.stack.segment.profiles.traits('lambda-user-1')?.recommended_products,
    'recommended_products on lambda-user-1'
  )
  expect(recommended).toEqual(expect.arrayContaining([expect.any(String)]))
  const second = await lambda.invoke(order('lambda-user-1', 'shoe-4'))
  expect(second.coldStart).toBe(false)
  expect(interactionsOf('lambda-user-1')).toHaveLength(2)
})

test('an anonymous visitor (userId null, as analytics.js sends it) is recorded under the anonymous id', async () => {
  const lambda = await configured()
  const result = resultOf(await lambda.invoke(order(null, 'book-2', 'visitor-77')))
  expect(result).toEqual({ ok: true, outcome: 'sent' })
  expect(local.recorded().events).toContainEqual(expect.objectContaining({ itemId: 'book-2', sessionId: 'visitor-77' }))
})

test('the round-trip’s own identify is ignored, not sent again (no loop)', async () => {
  const lambda = await configured()
  const result = resultOf(
    await lambda.invoke({
      type: 'identify',
      userId: 'lambda-user-1',
      messageId: 'rt-1',
      timestamp: new Date().toISOString(),
      traits: { recommended_products: ['x'] },
      context: { personalize: { roundTrip: true } }
    })
  )
  expect(result).toMatchObject({ ok: true, outcome: 'ignored' })
})

test.each([
  ['not an object', 'just a string', 400, 'PayloadValidationError'],
  ['null', null, 400, 'PayloadValidationError'],
  ['a track without an event name', { type: 'track', userId: 'u', messageId: 'm' }, 400, 'PayloadValidationError'],
  ['a page call', { type: 'page', userId: 'u', messageId: 'm', name: 'Home' }, 400, 'EventNotSupported'],
  ['an Order Completed without a sku or products', { ...order('u-bad', 'x'), properties: {} }, 400, undefined]
])('%s is answered with a permanent, classified failure (not retried)', async (_what, event, status, error) => {
  const lambda = await configured()
  const result = resultOf(await lambda.invoke(event))
  expect(result).toMatchObject({ ok: false, retryable: false, status })
  if (error) expect(result).toHaveProperty('error', error)
})

describe('retryable failures end the invocation in a function error, which Segment retries', () => {
  let server: http.Server
  let url: string
  let answer: (res: http.ServerResponse) => void
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => answer(res))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })

  test.each([
    ['throttling', 400, 'ThrottlingException', /RetryableError/],
    ['a 503', 503, 'ServiceUnavailable', /RetryableError/]
  ])('%s', async (_what, status, type) => {
    answer = (res) => res.writeHead(status, { 'x-amzn-errortype': type }).end(JSON.stringify({ message: 'busy' }))
    const lambda = await lambdaWith({ ...environmentFor(local.configure(false)), PERSONALIZE_EVENTS_ENDPOINT: url })
    const invocation = await lambda.invoke(order('u-retry', 'shoe-1'))
    expect(invocation).toMatchObject({
      error: { errorType: 'RetryableError', errorMessage: expect.stringContaining(type) }
    })
  })

  test('an answer slower than what is left of the invocation is a retryable time-out, before Lambda’s own', async () => {
    answer = () => undefined // never answers
    const lambda = await lambdaWith(
      { ...environmentFor(local.configure(false)), PERSONALIZE_EVENTS_ENDPOINT: url },
      2000
    )
    const invocation = await lambda.invoke(order('u-slow', 'shoe-1'))
    expect(invocation).toMatchObject({
      error: { errorType: 'RetryableError', errorMessage: expect.stringMatching(/RequestTimeout/) }
    })
  })
})

test('missing configuration fails the cold start, naming the environment variable, on every invocation', async () => {
  const environment = environmentFor(local.configure(true))
  delete environment.PERSONALIZE_TRACKING_ID
  const lambda = await lambdaWith(environment)
  for (let i = 0; i < 2; i++)
    expect(await lambda.invoke(order('u', 'shoe-1'))).toMatchObject({
      error: { errorType: 'ConfigurationError', errorMessage: expect.stringContaining('PERSONALIZE_TRACKING_ID') }
    })
})

test('the workshop’s variable names work as they are', async () => {
  const settings = local.configure(true)
  const lambda = await lambdaWith({
    personalize_tracking_id: settings.trackingId,
    personalize_campaign_arn: settings.campaignArn!,
    connections_source_write_key: settings.segmentWriteKey!,
    SEGMENT_ENDPOINT: settings.segmentEndpoint!,
    PERSONALIZE_EVENTS_ENDPOINT: settings.personalizeEventsEndpoint!,
    endpoint_url: settings.personalizeRuntimeEndpoint!
  })
  expect(resultOf(await lambda.invoke(order('workshop-user', 'shoe-5')))).toEqual({ ok: true, outcome: 'sent' })
  expect(interactionsOf('workshop-user')).toHaveLength(1)
})

describe('the local Lambda itself', () => {
  const zipOf = (code: string) => {
    const archive = new AdmZip()
    archive.addFile('index.js', Buffer.from(code))
    return archive.toBuffer()
  }

  test('a handler that runs past the time-out is ended, Lambda’s way, and the next invocation starts cold', async () => {
    const lambda = await startLocalLambda({
      zip: zipOf('exports.handler = (event) => event.hang ? new Promise(() => {}) : ({ pid: process.pid })'),
      environment: {},
      credentials,
      timeoutMs: 300
    })
    started.push(lambda)
    expect(await lambda.invoke({ hang: true })).toMatchObject({
      coldStart: true,
      error: {
        errorType: 'Sandbox.Timedout',
        errorMessage: expect.stringContaining('Task timed out after 0.30 seconds')
      }
    })
    expect(await lambda.invoke({})).toMatchObject({ coldStart: true, result: { pid: expect.any(Number) } })
  })

  test('the handler sees Lambda’s environment only, and a context that counts down', async () => {
    process.env.SECRET_OF_THE_TEST_RUNNER = 'leak'
    const lambda = await startLocalLambda({
      zip: zipOf(
        'exports.handler = async (event, context) => ({ env: process.env, remaining: context.getRemainingTimeInMillis(), id: context.awsRequestId })'
      ),
      environment: { MINE: 'yes' },
      credentials: { accessKeyId: 'ASIAEXEC', secretAccessKey: 's', sessionToken: 't' },
      timeoutMs: 5000,
      functionName: 'fn'
    })
    started.push(lambda)
    const { env, remaining, id } = resultOf(await lambda.invoke({})) as {
      env: Record<string, string>
      remaining: number
      id: string
    }
    expect(env).toMatchObject({
      MINE: 'yes',
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
      _HANDLER: 'index.handler',
      AWS_ACCESS_KEY_ID: 'ASIAEXEC',
      AWS_SESSION_TOKEN: 't'
    })
    expect(env).not.toHaveProperty('SECRET_OF_THE_TEST_RUNNER')
    expect(remaining).toBeGreaterThan(0)
    expect(remaining).toBeLessThanOrEqual(5000)
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    delete process.env.SECRET_OF_THE_TEST_RUNNER
  })
})
