// The built function (dist/functions/personalize.js as `functions build` writes it), run the way Segment runs it, on
// each runtime of __helpers__/runtimes.ts (current Node; a real Node 14 with node-fetch 2.6.0, Node's crypto module and
// aws-sdk 2.488.0, with the dependencies as globals and as wrapper parameters): every handler and every error case,
// against a local HTTP server that answers like Personalize, STS and Segment.
import { mkdtempSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { buildFunction } from '../build'
import { functionCache, loadFunction } from '../harness'
import type { Verdict } from '../harness'
import { fuzzedEvents, PRODUCT_VIEWED } from './__helpers__/fuzz'
import { CURRENT_NODE_WITH_CRYPTO_MODULE, RUNTIMES, RUNTIME_CREDENTIALS } from './__helpers__/runtimes'
import type { FunctionRuntime, LoadedFunction } from './__helpers__/runtimes'

interface Call {
  path: string
  authorization: string
  securityToken?: string
  body: string
  /** Order of arrival and of answer among all calls' arrivals and answers. */
  arrived: number
  answered?: number
}

/** `hang`: never answered (until the server closes), as a service that does not answer. */
type Answer = { status: number; body: string; headers?: Record<string, string>; delayMs?: number; hang?: boolean }

/** One local server for every service: records calls; answers 200 unless `answers` says otherwise for a path. */
async function localServices() {
  const calls: Call[] = []
  const answers = new Map<string, Answer>()
  let sequence = 0
  const hanging = new Set<http.ServerResponse>()
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const path = req.url ?? ''
      const call: Call = {
        path,
        authorization: req.headers.authorization ?? '',
        securityToken: req.headers['x-amz-security-token'] as string | undefined,
        body,
        arrived: ++sequence
      }
      calls.push(call)
      const answer = answers.get(path.startsWith('/sts') ? '/sts' : path) ?? defaultAnswer(path, body)
      if (answer.hang) return hanging.add(res)
      setTimeout(() => {
        call.answered = ++sequence
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        res.end(answer.body)
      }, answer.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const release = () => {
    for (const res of hanging) res.destroy()
    hanging.clear()
  }
  return {
    url,
    calls,
    answers,
    release,
    close: () => {
      release()
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    }
  }
}

const stsCredentials = (expiresInMs = 3_600_000) =>
  `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken><Expiration>${new Date(Date.now() + expiresInMs).toISOString()}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`

function defaultAnswer(path: string, body: string): Answer {
  if (path === '/recommendations')
    return {
      status: 200,
      body: JSON.stringify({ itemList: [{ itemId: 'p-9' }, { itemId: 'p-8' }], recommendationId: 'r-1' })
    }
  if (path.startsWith('/sts') && body.includes('Action=AssumeRole'))
    return { status: 200, headers: { 'content-type': 'text/xml' }, body: stsCredentials() }
  return { status: 200, body: '{}' }
}

let services: Awaited<ReturnType<typeof localServices>>
let code: string
let settings: Record<string, unknown>

beforeAll(async () => {
  const built = await buildFunction(path.join(mkdtempSync(path.join(os.tmpdir(), 'function-')), 'personalize.js'))
  code = built.code
  services = await localServices()
})
afterAll(() => services.close())
beforeEach(() => {
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
afterEach(() => services.release())

const productViewed = (overrides: object = {}) => ({ ...PRODUCT_VIEWED, ...overrides })
const bodies = (path: string) =>
  services.calls.filter((c) => c.path === path).map((c) => JSON.parse(c.body) as Record<string, unknown>)
const role = {
  iamRoleArn: 'arn:aws:iam::123456789012:role/segment-personalize',
  iamExternalId: 'external-1'
}
const SIGNATURE =
  /^AWS4-HMAC-SHA256 Credential=(\w+)\/\d{8}\/us-west-2\/(\w+)\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/

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

  // esbuild lowers syntax to Node 14 but not APIs: these are the ones newer than Node 14 (or not given by Segment's
  // runtime) that the shared code could reach for. The Node 14 runs below catch what this list misses on the paths
  // they take.
  test('no API newer than Node 14, no global the runtime does not document', async () => {
    const { code: readable } = await buildFunction(
      path.join(mkdtempSync(path.join(os.tmpdir(), 'function-')), 'f.js'),
      {
        minify: false
      }
    )
    for (const api of [
      /\?\?=|\|\|=|&&=/,
      /\.at\(/,
      /\bstructuredClone\b/,
      /\breplaceAll\b/,
      /\bhasOwn\(/,
      /\bfindLast(Index)?\b/,
      /\bAbortSignal\b/,
      /\bnew Headers\b/,
      /\brandomUUID\b/,
      /\bglobalThis\b/,
      /\bPromise\.any\b/,
      /\bAggregateError\b/,
      /\bto(Sorted|Reversed|Spliced)\(/
    ])
      expect(readable).not.toMatch(api)
  })
})

describe.each(RUNTIMES)('on $name', (runtime: FunctionRuntime) => {
  let fn: LoadedFunction
  beforeAll(() => runtime.start(), 120_000)
  afterAll(() => runtime.stop())
  // A fresh function per test: a new process, as far as its caches know.
  beforeEach(async () => {
    fn = await runtime.load(code)
  })

  describe('onTrack', () => {
    test('Product Viewed → PutEvents, SigV4-signed for personalize, mapped as the destination maps it', async () => {
      expect(await fn.run('onTrack', productViewed(), settings)).toEqual({ outcome: 'delivered' })
      const [call] = services.calls
      expect(call!.path).toBe('/events')
      expect(SIGNATURE.exec(call!.authorization)?.slice(1)).toEqual(['AKIDFUNCTION', 'personalize'])
      expect(JSON.parse(call!.body)).toEqual({
        trackingId: 'tracker-1',
        sessionId: 'anon-1',
        userId: 'user-1',
        eventList: [{ eventId: 'msg-1', eventType: 'Product Viewed', sentAt: 1772359200, itemId: 'p-1' }]
      })
    })

    test('an anonymous visitor (analytics.js sends "userId": null) is recorded under the anonymous id', async () => {
      const anonymous = productViewed({ userId: null, context: { sessionId: null } })
      expect(await fn.run('onTrack', anonymous, settings)).toEqual({ outcome: 'delivered' })
      expect(bodies('/events')[0]).toEqual({
        trackingId: 'tracker-1',
        sessionId: 'anon-1',
        eventList: [{ eventId: 'msg-1', eventType: 'Product Viewed', sentAt: 1772359200, itemId: 'p-1' }]
      })
    })

    test('Order Completed with products[] → one interaction per product', async () => {
      const order = productViewed({
        event: 'Order Completed',
        properties: { products: [{ product_id: 'p-1' }, { sku: 's-2' }, { product_id: 'p-3' }] }
      })
      expect((await fn.run('onTrack', order, settings)).outcome).toBe('delivered')
      const [body] = bodies('/events')
      expect((body!.eventList as Array<{ itemId: string; eventId: string }>).map((e) => [e.itemId, e.eventId])).toEqual(
        [
          ['p-1', 'msg-1-0'],
          ['s-2', 'msg-1-1'],
          ['p-3', 'msg-1-2']
        ]
      )
    })

    test('the workshop’s sku-only Order Completed', async () => {
      await fn.run('onTrack', productViewed({ event: 'Order Completed', properties: { sku: 'sku-7' } }), settings)
      expect((bodies('/events')[0]!.eventList as Array<{ itemId: string }>)[0]!.itemId).toBe('sku-7')
    })

    test('Product Added with a campaign: PutEvents answered before GetRecommendations is asked, then the identify', async () => {
      settings.campaignArn = 'arn:aws:personalize:us-west-2:123456789012:campaign/c'
      settings.segmentWriteKey = 'write-key-1'
      // A slow PutEvents: asked at the same time, GetRecommendations would arrive before it is answered.
      services.answers.set('/events', { status: 200, body: '{}', delayMs: 300 })
      const verdict = await fn.run('onTrack', productViewed({ event: 'Product Added' }), settings)
      expect(verdict.outcome).toBe('delivered')
      expect(services.calls.map((c) => c.path)).toEqual(['/events', '/recommendations', '/v1/batch'])
      const [putEvents, recommendations] = services.calls
      expect(recommendations!.arrived).toBeGreaterThan(putEvents!.answered!)
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

    test('a PutEvents that failed as retryable: no recommendations for that event (Segment sends it again)', async () => {
      settings.campaignArn = 'arn:aws:personalize:us-west-2:123456789012:campaign/c'
      settings.segmentWriteKey = 'write-key-1'
      services.answers.set('/events', { status: 503, body: '' })
      expect(await fn.run('onTrack', productViewed({ event: 'Product Added' }), settings)).toMatchObject({
        outcome: 'retried',
        error: 'RetryError'
      })
      expect(services.calls.map((c) => c.path)).toEqual(['/events'])
    })

    test('with an Items dataset, the product is also written with PutItems', async () => {
      settings.itemsDatasetArn = 'arn:aws:personalize:us-west-2:123456789012:dataset/g/ITEMS'
      await fn.run('onTrack', productViewed(), settings)
      expect(services.calls.map((c) => c.path).sort()).toEqual(['/events', '/items'])
      expect(bodies('/items')[0]).toMatchObject({ datasetArn: settings.itemsDatasetArn, items: [{ itemId: 'p-1' }] })
    })
  })

  describe('AWS access with an IAM role (AWS.STS, as Segment’s guide shows)', () => {
    beforeEach(() => {
      delete settings.accessKeyId
      delete settings.secretAccessKey
      Object.assign(settings, role)
    })

    test('AssumeRole once with the runtime’s own credentials, then PutEvents with the role’s', async () => {
      await fn.run('onTrack', productViewed(), settings)
      expect(await fn.run('onTrack', productViewed({ messageId: 'msg-2' }), settings)).toEqual({ outcome: 'delivered' })
      expect(services.calls.map((c) => c.path.replace(/\/$/, ''))).toEqual(['/sts', '/events', '/events'])
      const [sts, events] = services.calls
      expect(new URLSearchParams(sts!.body).get('Action')).toBe('AssumeRole')
      expect(new URLSearchParams(sts!.body).get('RoleArn')).toBe(role.iamRoleArn)
      expect(new URLSearchParams(sts!.body).get('ExternalId')).toBe('external-1')
      expect(SIGNATURE.exec(sts!.authorization)?.slice(1)).toEqual([RUNTIME_CREDENTIALS.accessKeyId, 'sts'])
      expect(sts!.securityToken).toBe(RUNTIME_CREDENTIALS.sessionToken)
      expect(SIGNATURE.exec(events!.authorization)?.slice(1)).toEqual(['ASIAROLE', 'personalize'])
      expect(events!.securityToken).toBe('role-token')
    })

    test('with an access key pair set too, AssumeRole is signed with it', async () => {
      Object.assign(settings, { accessKeyId: 'AKIDFUNCTION', secretAccessKey: 'function-secret' })
      await fn.run('onTrack', productViewed(), settings)
      expect(SIGNATURE.exec(services.calls[0]!.authorization)?.slice(1)).toEqual(['AKIDFUNCTION', 'sts'])
    })

    test('a role that refuses → ValidationError naming both settings', async () => {
      services.answers.set('/sts', {
        status: 403,
        headers: { 'content-type': 'text/xml' },
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole</Message></Error></ErrorResponse>'
      })
      const verdict = await fn.run('onTrack', productViewed(), settings)
      expect(verdict).toMatchObject({ outcome: 'rejected', error: 'ValidationError' })
      expect(verdict).toHaveProperty('message', expect.stringContaining('IAM Role ARN'))
      expect(verdict).toHaveProperty('message', expect.stringContaining('iamExternalId'))
      expect(verdict).toHaveProperty('message', expect.stringContaining('AccessDenied'))
    })

    test('STS throttled → RetryError', async () => {
      services.answers.set('/sts', {
        status: 400,
        headers: { 'content-type': 'text/xml' },
        body: '<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>'
      })
      expect(await fn.run('onTrack', productViewed(), settings)).toMatchObject({
        outcome: 'retried',
        error: 'RetryError'
      })
    })

    test('STS that does not answer → RetryError within the runtime’s 5 s', async () => {
      services.answers.set('/sts', { status: 200, body: '', hang: true })
      const verdict = await fn.run('onTrack', productViewed(), settings)
      expect(verdict).toMatchObject({ outcome: 'retried', error: 'RetryError' })
      expect(verdict).toHaveProperty('message', expect.stringContaining('AssumeRole'))
      expect(services.calls.map((c) => c.path.replace(/\/$/, ''))).toEqual(['/sts'])
    }, 15_000)
  })

  describe('onIdentify', () => {
    test('PutUsers with the traits, and the recommendations round-trip', async () => {
      Object.assign(settings, {
        usersDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/g/USERS',
        campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/c',
        segmentWriteKey: 'write-key-1'
      })
      const identify = { type: 'identify', messageId: 'm-9', userId: 'user-9', traits: { plan: 'pro' } }
      expect((await fn.run('onIdentify', identify, settings)).outcome).toBe('delivered')
      expect(services.calls.map((c) => c.path)).toEqual(['/users', '/recommendations', '/v1/batch'])
      expect(bodies('/users')[0]).toMatchObject({ datasetArn: settings.usersDatasetArn, users: [{ userId: 'user-9' }] })
    })

    test('the round-trip’s own identify is left alone (no loop)', async () => {
      settings.campaignArn = 'arn:aws:personalize:us-west-2:123456789012:campaign/c'
      const echo = { type: 'identify', userId: 'u', traits: {}, context: { personalize: { roundTrip: true } } }
      expect(await fn.run('onIdentify', echo, settings)).toEqual({ outcome: 'delivered' })
      expect(services.calls).toEqual([])
    })

    test('without a Users dataset or a campaign: EventNotSupported, saying which settings would act on it', async () => {
      const verdict = await fn.run('onIdentify', { type: 'identify', userId: 'u' }, settings)
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
      const verdict = await fn.run('onBatch', events, settings)
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
      const verdict = await fn.run('onBatch', [productViewed()], settings)
      expect((verdict as { value: unknown }).value).toEqual([
        { status: 429, errormessage: expect.stringContaining('ThrottlingException') }
      ])
    })

    test('a Personalize that does not answer: every event’s entry is retryable (408), inside the 5 s limit', async () => {
      services.answers.set('/events', { status: 200, body: '', hang: true })
      const verdict = await fn.run('onBatch', [productViewed(), productViewed({ anonymousId: 'anon-2' })], settings)
      expect(verdict.outcome).toBe('delivered')
      expect((verdict as { value: unknown }).value).toEqual([
        { status: 408, errormessage: expect.stringContaining('PutEvents timed out') },
        { status: 408, errormessage: expect.stringContaining('PutEvents timed out') }
      ])
    }, 15_000)
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
        {
          status: 404,
          headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
          body: '{"message":"no tracker"}'
        },
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
      expect(await fn.run('onTrack', productViewed(), settings)).toMatchObject({ outcome, error })
    })

    test('one deadline for the invocation: a slow PutEvents leaves GetRecommendations only what is left', async () => {
      settings.campaignArn = 'arn:aws:personalize:us-west-2:123456789012:campaign/c'
      settings.segmentWriteKey = 'write-key-1'
      // PutEvents takes most of the budget; GetRecommendations never answers. Separately, each would fit a 4 s
      // per-request timeout; together they would overrun the runtime's 5 s.
      services.answers.set('/events', { status: 200, body: '{}', delayMs: 2500 })
      services.answers.set('/recommendations', { status: 200, body: '', hang: true })
      const verdict = await fn.run('onTrack', productViewed({ event: 'Product Added' }), settings)
      expect(verdict).toMatchObject({ outcome: 'retried', error: 'RetryError' })
      expect(verdict).toHaveProperty('message', expect.stringContaining('GetRecommendations timed out'))
      expect(services.calls.map((c) => c.path)).toEqual(['/events', '/recommendations'])
    }, 15_000)

    test('a missing setting → ValidationError naming it', async () => {
      delete settings.trackingId
      const verdict = await fn.run('onTrack', productViewed(), settings)
      expect(verdict).toMatchObject({ outcome: 'rejected', error: 'ValidationError' })
      expect(verdict).toHaveProperty(
        'message',
        expect.stringMatching(/^The Tracking ID setting \(trackingId\) is required/)
      )
    })

    test.each<[string, Record<string, unknown>, RegExp]>([
      ['a number for text', { trackingId: 42 }, /^The Tracking ID setting \(trackingId\) must be text, not number/],
      ['an unknown region', { region: 'mars-1' }, /^The AWS Region setting \(region\) is "mars-1"; it must be one of/],
      [
        'an endpoint that is not a URL',
        { personalizeEventsEndpoint: 'localhost:4566' },
        /^The Personalize Events Endpoint setting \(personalizeEventsEndpoint\) is "localhost:4566"; it must be an http/
      ],
      [
        'an endpoint outside the service’s domains',
        { segmentEndpoint: 'https://collector.evil.example/v1' },
        /^Segment Endpoint \(segmentEndpoint\) "https:\/\/collector\.evil\.example" is not allowed/
      ]
    ])('%s → ValidationError naming the setting', async (_, wrong, message) => {
      Object.assign(settings, wrong)
      for (const [handler, payload] of [
        ['onTrack', productViewed()],
        ['onBatch', [productViewed()]]
      ] as const)
        expect(await fn.run(handler, payload, settings)).toEqual({
          outcome: 'rejected',
          error: 'ValidationError',
          message: expect.stringMatching(message)
        })
      expect(services.calls).toEqual([])
    })

    test('no credentials → ValidationError saying what to set', async () => {
      delete settings.accessKeyId
      const verdict = await fn.run('onTrack', productViewed(), settings)
      expect(verdict).toMatchObject({ outcome: 'rejected', error: 'ValidationError' })
      expect(verdict).toHaveProperty(
        'message',
        expect.stringContaining('IAM Role ARN and External ID, or Access Key ID')
      )
    })

    test.each<[string, unknown]>([
      ['a track without an event name', { type: 'track', messageId: 'm', properties: {} }],
      ['an event without a type', { event: 'Product Viewed' }],
      ['a product event without a product id', productViewed({ properties: { name: 'Shoe' } })],
      ['a product event without a timestamp', productViewed({ timestamp: null })],
      ['a product id that is an object', productViewed({ properties: { product_id: { id: 1 } } })]
    ])('%s → InvalidEventPayload', async (_, event) => {
      expect(await fn.run('onTrack', event, settings)).toMatchObject({
        outcome: 'rejected',
        error: 'InvalidEventPayload'
      })
      expect(services.calls).toEqual([])
    })

    test.each(['onPage', 'onScreen', 'onGroup', 'onAlias', 'onDelete'] as const)(
      '%s → EventNotSupported',
      async (handler) => {
        expect(await fn.run(handler, { type: 'page' }, settings)).toMatchObject({
          outcome: 'unsupported',
          error: 'EventNotSupported'
        })
      }
    )

    test('a track event no preset sends → EventNotSupported', async () => {
      expect(await fn.run('onTrack', productViewed({ event: 'Signed Up' }), settings)).toMatchObject({
        outcome: 'unsupported',
        message: 'Track "Signed Up" is not one of the events this function sends to Personalize.'
      })
    })
  })

  test('fuzzed events: every verdict is one of the runtime’s, never a bare error', async () => {
    Object.assign(settings, {
      campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/c',
      segmentWriteKey: 'write-key-1',
      usersDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/g/USERS',
      itemsDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/g/ITEMS'
    })
    const events = fuzzedEvents()
    const verdicts: Verdict[] = []
    for (const event of events) {
      const handler = (event as { type?: unknown } | null)?.type === 'identify' ? 'onIdentify' : 'onTrack'
      verdicts.push(await fn.run(handler, event, settings))
    }
    const batch = await fn.run('onBatch', events, settings)
    const known = ['RetryError', 'ValidationError', 'InvalidEventPayload', 'EventNotSupported']
    for (const [i, verdict] of verdicts.entries()) {
      if (verdict.outcome === 'delivered') continue
      // Bad input is refused for good, with a reason; the local services answer everything else.
      const { error, outcome } = verdict
      expect({ i, error, outcome }).toEqual({
        i,
        error: known.includes(error) ? error : 'a runtime error class',
        outcome: ['rejected', 'unsupported'].includes(outcome) ? outcome : 'rejected or unsupported'
      })
    }
    expect(batch.outcome).toBe('delivered')
    const entries = (batch as { value: Array<{ status: number; errormessage?: string }> }).value
    expect(entries).toHaveLength(events.length)
    entries.forEach((entry, i) => {
      const single = verdicts[i]!
      expect([i, entry.status === 200]).toEqual([i, single.outcome === 'delivered'])
    })
  }, 60_000)
})

describe('AWS access on the runtime’s cache', () => {
  test('a runtime that evaluates the script again in the same process reuses the role from cache.load', async () => {
    const runtime = CURRENT_NODE_WITH_CRYPTO_MODULE
    await runtime.start()
    const cache = functionCache()
    const withRole = { ...settings, ...role, accessKeyId: undefined, secretAccessKey: undefined }
    for (const messageId of ['msg-1', 'msg-2'])
      expect(await (await runtime.load(code, cache)).run('onTrack', productViewed({ messageId }), withRole)).toEqual({
        outcome: 'delivered'
      })
    expect(services.calls.map((c) => c.path.replace(/\/$/, ''))).toEqual(['/sts', '/events', '/events'])
  })
})
