// The built function (dist/functions/personalize.js as `functions build` writes it), run in the local runtime harness
// the way Segment runs it: every handler and every error case, against a local HTTP server that answers like
// Personalize, STS and Segment.
import { mkdtempSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { buildFunction } from '../build'
import { loadFunction, type Runtime } from '../harness'

interface Call {
  path: string
  authorization: string
  securityToken?: string
  body: string
}

type Answer = { status: number; body: string; headers?: Record<string, string>; delayMs?: number }

/** One local server for every service: records calls; answers 200 unless `answers` says otherwise for a path. */
async function localServices() {
  const calls: Call[] = []
  const answers = new Map<string, Answer>()
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const path = req.url ?? ''
      calls.push({
        path,
        authorization: req.headers.authorization ?? '',
        securityToken: req.headers['x-amz-security-token'] as string | undefined,
        body
      })
      const answer = answers.get(path) ?? defaultAnswer(path, body)
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        res.end(answer.body)
      }, answer.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, calls, answers, close: () => new Promise((resolve) => server.close(resolve)) }
}

function defaultAnswer(path: string, body: string): Answer {
  if (path === '/recommendations')
    return {
      status: 200,
      body: JSON.stringify({ itemList: [{ itemId: 'p-9' }, { itemId: 'p-8' }], recommendationId: 'r-1' })
    }
  if (path === '/sts/' && body.includes('Action=AssumeRole'))
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken><Expiration>${new Date(Date.now() + 3_600_000).toISOString()}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`
    }
  return { status: 200, body: '{}' }
}

let services: Awaited<ReturnType<typeof localServices>>
let runtime: Runtime
let code: string
let settings: Record<string, string>

beforeAll(async () => {
  const built = await buildFunction(path.join(mkdtempSync(path.join(os.tmpdir(), 'function-')), 'personalize.js'))
  code = built.code
  services = await localServices()
})
afterAll(() => services.close())
beforeEach(() => {
  // A fresh runtime per test: a new process, as far as the function's caches know.
  runtime = loadFunction(code)
  services.calls.length = 0
  services.answers.clear()
  settings = {
    region: 'us-west-2',
    accessKeyId: 'AKIDFUNCTION',
    secretAccessKey: 'function-secret',
    trackingId: 'tracker-1',
    personalizeEventsEndpoint: services.url,
    personalizeRuntimeEndpoint: services.url,
    segmentEndpoint: `${services.url}/v1`,
    stsEndpoint: `${services.url}/sts`
  }
})

const productViewed = (overrides: object = {}) => ({
  type: 'track',
  event: 'Product Viewed',
  messageId: 'msg-1',
  anonymousId: 'anon-1',
  userId: 'user-1',
  timestamp: '2026-03-01T10:00:00.000Z',
  properties: { product_id: 'p-1', name: 'Shoe', price: 50 },
  ...overrides
})
const bodies = (path: string) =>
  services.calls.filter((c) => c.path === path).map((c) => JSON.parse(c.body) as Record<string, unknown>)

describe('the artifact', () => {
  test('one script: top-level handler declarations, no require or import', () => {
    expect(code).toMatch(/^async function onTrack\(event, settings\) \{$/m)
    expect(code).toMatch(/^async function onBatch\(events, settings\) \{$/m)
    expect(code).not.toMatch(/\brequire\(/)
    expect(code).not.toMatch(/^import /m)
  })

  test('a top-level const handler is what Segment’s wrapper refuses (the contract the harness keeps)', () => {
    expect(() => loadFunction('const onTrack = async () => {}')).toThrow(
      /Identifier 'onTrack' has already been declared/
    )
  })

  test('the runtime has no require: the function runs without it', () => {
    expect(() => loadFunction('require("node:crypto")')).toThrow(/require is not defined/)
  })
})

describe('onTrack', () => {
  test('Product Viewed → PutEvents, SigV4-signed for personalize, mapped as the destination maps it', async () => {
    expect(await runtime.run('onTrack', productViewed(), settings)).toEqual({ outcome: 'delivered', value: undefined })
    const [call] = services.calls
    expect(call!.path).toBe('/events')
    expect(call!.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFUNCTION\/\d{8}\/us-west-2\/personalize\/aws4_request, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/
    )
    expect(JSON.parse(call!.body)).toEqual({
      trackingId: 'tracker-1',
      sessionId: 'anon-1',
      userId: 'user-1',
      eventList: [{ eventId: 'msg-1', eventType: 'Product Viewed', sentAt: 1772359200, itemId: 'p-1' }]
    })
  })

  test('Order Completed with products[] → one interaction per product', async () => {
    const order = productViewed({
      event: 'Order Completed',
      properties: { products: [{ product_id: 'p-1' }, { sku: 's-2' }, { product_id: 'p-3' }] }
    })
    expect((await runtime.run('onTrack', order, settings)).outcome).toBe('delivered')
    const [body] = bodies('/events')
    expect((body!.eventList as Array<{ itemId: string; eventId: string }>).map((e) => [e.itemId, e.eventId])).toEqual([
      ['p-1', 'msg-1-0'],
      ['s-2', 'msg-1-1'],
      ['p-3', 'msg-1-2']
    ])
  })

  test('the workshop’s sku-only Order Completed', async () => {
    await runtime.run('onTrack', productViewed({ event: 'Order Completed', properties: { sku: 'sku-7' } }), settings)
    expect((bodies('/events')[0]!.eventList as Array<{ itemId: string }>)[0]!.itemId).toBe('sku-7')
  })

  test('Product Added with a campaign: PutEvents, then the round-trip identify with recommended_products', async () => {
    settings.campaignArn = 'arn:aws:personalize:us-west-2:123456789012:campaign/c'
    settings.segmentWriteKey = 'write-key-1'
    const verdict = await runtime.run('onTrack', productViewed({ event: 'Product Added' }), settings)
    expect(verdict.outcome).toBe('delivered')
    expect(services.calls.map((c) => c.path).sort()).toEqual(['/events', '/recommendations', '/v1/batch'])
    expect(bodies('/recommendations')[0]).toMatchObject({ campaignArn: settings.campaignArn, userId: 'user-1' })
    const identify = (bodies('/v1/batch')[0]!.batch as Array<Record<string, unknown>>)[0]!
    expect(identify).toMatchObject({
      type: 'identify',
      userId: 'user-1',
      traits: { recommended_products: ['p-9', 'p-8'] },
      context: { personalize: { roundTrip: true } }
    })
    const auth = services.calls.find((c) => c.path === '/v1/batch')!.authorization
    expect(auth).toBe(`Basic ${Buffer.from('write-key-1:').toString('base64')}`)
  })

  test('with an Items dataset, the product is also written with PutItems', async () => {
    settings.itemsDatasetArn = 'arn:aws:personalize:us-west-2:123456789012:dataset/g/ITEMS'
    await runtime.run('onTrack', productViewed(), settings)
    expect(services.calls.map((c) => c.path).sort()).toEqual(['/events', '/items'])
    expect(bodies('/items')[0]).toMatchObject({ datasetArn: settings.itemsDatasetArn, items: [{ itemId: 'p-1' }] })
  })

  test('an IAM role: AssumeRole through STS once, then PutEvents with the role’s credentials', async () => {
    settings.iamRoleArn = 'arn:aws:iam::123456789012:role/segment-personalize'
    settings.iamExternalId = 'external-1'
    await runtime.run('onTrack', productViewed(), settings)
    await runtime.run('onTrack', productViewed({ messageId: 'msg-2' }), settings)
    expect(services.calls.map((c) => c.path)).toEqual(['/sts/', '/events', '/events'])
    expect(services.calls[0]!.body).toContain('ExternalId=external-1')
    expect(services.calls[1]!.authorization).toContain('Credential=ASIAROLE/')
    expect(services.calls[1]!.securityToken).toBe('role-token')
  })
})

describe('onIdentify', () => {
  test('PutUsers with the traits, and the recommendations round-trip', async () => {
    Object.assign(settings, {
      usersDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/g/USERS',
      campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/c',
      segmentWriteKey: 'write-key-1'
    })
    const identify = { type: 'identify', messageId: 'm-9', userId: 'user-9', traits: { plan: 'pro' } }
    expect((await runtime.run('onIdentify', identify, settings)).outcome).toBe('delivered')
    expect(services.calls.map((c) => c.path).sort()).toEqual(['/recommendations', '/users', '/v1/batch'])
    expect(bodies('/users')[0]).toMatchObject({ datasetArn: settings.usersDatasetArn, users: [{ userId: 'user-9' }] })
  })

  test('the round-trip’s own identify is left alone (no loop)', async () => {
    settings.campaignArn = 'arn:aws:personalize:us-west-2:123456789012:campaign/c'
    const echo = { type: 'identify', userId: 'u', traits: {}, context: { personalize: { roundTrip: true } } }
    expect(await runtime.run('onIdentify', echo, settings)).toEqual({ outcome: 'delivered', value: undefined })
    expect(services.calls).toEqual([])
  })

  test('without a Users dataset or a campaign: EventNotSupported, saying which settings would act on it', async () => {
    const verdict = await runtime.run('onIdentify', { type: 'identify', userId: 'u' }, settings)
    expect(verdict).toMatchObject({ outcome: 'unsupported', error: 'EventNotSupported' })
    expect(verdict).toHaveProperty('message', expect.stringContaining('Set Users Dataset ARN'))
  })
})

describe('onBatch', () => {
  test('one result per event, in Segment’s shape', async () => {
    const events = [
      productViewed(),
      productViewed({ messageId: 'msg-2', properties: {} }),
      productViewed({ messageId: 'msg-3', event: 'Signed Up' }),
      productViewed({ messageId: 'msg-4', anonymousId: 'anon-2', event: 'Product Added' })
    ]
    const verdict = await runtime.run('onBatch', events, settings)
    expect(verdict.outcome).toBe('delivered')
    const results = (verdict as { value: Array<{ status: number; errormessage?: string }> }).value
    expect(results.map((r) => r.status)).toEqual([200, 400, 400, 200])
    expect(results[1]!.errormessage).toContain('itemId is missing')
    expect(results[2]!.errormessage).toBe(
      'Track "Signed Up" is not one of the events this function sends to Personalize.'
    )
    // Two sessions, two PutEvents calls.
    expect(
      bodies('/events')
        .map((b) => b.sessionId)
        .sort()
    ).toEqual(['anon-1', 'anon-2'])
  })

  test('a throttled call: that event’s entry is retryable (429), the others succeed', async () => {
    services.answers.set('/events', {
      status: 400,
      headers: { 'x-amzn-errortype': 'ThrottlingException' },
      body: '{"message":"Rate exceeded"}'
    })
    const verdict = await runtime.run('onBatch', [productViewed()], settings)
    expect((verdict as { value: unknown }).value).toEqual([
      { status: 429, errormessage: expect.stringContaining('ThrottlingException') }
    ])
  })
})

describe('errors: what Segment does with the event', () => {
  test.each<[string, Answer, string, string]>([
    [
      'throttling',
      { status: 400, headers: { 'x-amzn-errortype': 'ThrottlingException' }, body: '{}' },
      'retried',
      'RetryError'
    ],
    ['a 500', { status: 500, body: '{"message":"boom"}' }, 'retried', 'RetryError'],
    ['a 503 without a body', { status: 503, body: '' }, 'retried', 'RetryError'],
    [
      'an unknown tracker',
      { status: 404, headers: { 'x-amzn-errortype': 'ResourceNotFoundException' }, body: '{"message":"no tracker"}' },
      'rejected',
      'ValidationError'
    ],
    [
      'bad credentials',
      { status: 403, headers: { 'x-amzn-errortype': 'UnrecognizedClientException' }, body: '{}' },
      'rejected',
      'ValidationError'
    ],
    [
      'invalid input',
      { status: 400, headers: { 'x-amzn-errortype': 'InvalidInputException' }, body: '{"message":"bad"}' },
      'rejected',
      'InvalidEventPayload'
    ]
  ])('%s → %s (%s)', async (_, answer, outcome, error) => {
    services.answers.set('/events', answer)
    expect(await runtime.run('onTrack', productViewed(), settings)).toMatchObject({ outcome, error })
  })

  test('a Personalize that does not answer in 4 s → RetryError, inside the 5 s limit', async () => {
    services.answers.set('/events', { status: 200, body: '{}', delayMs: 4600 })
    expect(await runtime.run('onTrack', productViewed(), settings)).toMatchObject({
      outcome: 'retried',
      error: 'RetryError'
    })
  }, 10_000)

  test('a missing setting → ValidationError naming it', async () => {
    delete (settings as Partial<typeof settings>).trackingId
    const verdict = await runtime.run('onTrack', productViewed(), settings)
    expect(verdict).toMatchObject({ outcome: 'rejected', error: 'ValidationError' })
    expect(verdict).toHaveProperty(
      'message',
      expect.stringMatching(/^The Tracking ID setting \(trackingId\) is required/)
    )
  })

  test('no credentials → ValidationError saying what to set', async () => {
    delete (settings as Partial<typeof settings>).accessKeyId
    const verdict = await runtime.run('onTrack', productViewed(), settings)
    expect(verdict).toMatchObject({ outcome: 'rejected', error: 'ValidationError' })
    expect(verdict).toHaveProperty('message', expect.stringContaining('IAM Role ARN and External ID, or Access Key ID'))
  })

  test.each<[string, unknown]>([
    ['a track without an event name', { type: 'track', messageId: 'm', properties: {} }],
    ['an event without a type', { event: 'Product Viewed' }],
    ['a product event without a product id', productViewed({ properties: { name: 'Shoe' } })]
  ])('%s → InvalidEventPayload', async (_, event) => {
    expect(await runtime.run('onTrack', event, settings)).toMatchObject({
      outcome: 'rejected',
      error: 'InvalidEventPayload'
    })
    expect(services.calls).toEqual([])
  })

  test.each(['onPage', 'onScreen', 'onGroup', 'onAlias', 'onDelete'] as const)(
    '%s → EventNotSupported',
    async (handler) => {
      expect(await runtime.run(handler, { type: 'page' }, settings)).toMatchObject({
        outcome: 'unsupported',
        error: 'EventNotSupported'
      })
    }
  )

  test('a track event no preset sends → EventNotSupported', async () => {
    expect(await runtime.run('onTrack', productViewed({ event: 'Signed Up' }), settings)).toMatchObject({
      outcome: 'unsupported',
      message: 'Track "Signed Up" is not one of the events this function sends to Personalize.'
    })
  })
})
