import nock from 'nock'
import '../../__tests__/__helpers__/nockCleanup'
import { createTestEvent, createTestIntegration, Destination } from '@segment/actions-core'
import type { JSONObject, SegmentEvent } from '@segment/actions-core'
import destination from '../..'
import type { Settings } from '../../generated-types'
import { presets } from '../../presets'
import { awsError, isolateNetwork, settings as base } from '../../__tests__/__helpers__/personalizeNock'

const RUNTIME = 'https://personalize-runtime.us-west-2.amazonaws.com'
const SEGMENT = 'https://api.segment.io'
const CAMPAIGN = 'arn:aws:personalize:us-west-2:123456789012:campaign/segment-workshop-campaign'
const settings: Settings = { ...base, campaignArn: CAMPAIGN, segmentWriteKey: 'write-key-123' }
const testDestination = createTestIntegration(destination)
isolateNetwork(testDestination)

interface GetRecommendationsBody {
  campaignArn?: string
  recommenderArn?: string
  userId: string
  itemId?: string
  numResults: number
  filterArn?: string
  filterValues?: Record<string, string>
  context?: Record<string, string>
}
interface Identify {
  type: string
  userId?: string
  anonymousId?: string
  traits: Record<string, unknown>
  context: { personalize: { roundTrip: boolean; recommendationId?: string } }
  integrations: Record<string, unknown>
  messageId: string
}

/** Answers GetRecommendations with three items per user (`<user>-rec-<i>`) unless `fail` says otherwise. */
function recordRuntime(
  fail: (body: GetRecommendationsBody) => ReturnType<typeof awsError> | undefined = () => undefined
) {
  const calls: GetRecommendationsBody[] = []
  nock(RUNTIME)
    .persist()
    .post('/recommendations')
    .reply((_uri, body) => {
      const parsed = body as GetRecommendationsBody
      calls.push(parsed)
      return (
        fail(parsed) ?? [
          200,
          {
            itemList: [0, 1, 2].map((i) => ({ itemId: `${parsed.userId}-rec-${i}`, score: 1 - i / 10 })),
            recommendationId: `RID-${parsed.userId}`
          }
        ]
      )
    })
  return calls
}

function recordSegment(host = SEGMENT, path = '/v1/batch', status = 200) {
  const calls: Array<{ batch: Identify[]; authorization: string }> = []
  nock(host)
    .persist()
    .post(path)
    .reply(function (_uri, body) {
      calls.push({
        batch: (body as { batch: Identify[] }).batch,
        authorization: String(this.req.headers.authorization)
      })
      return [status, status === 200 ? { success: true } : { code: 'error', message: 'nope' }]
    })
  return calls
}

const identify = (overrides: Partial<SegmentEvent> = {}) =>
  createTestEvent({ type: 'identify', userId: 'user-1', anonymousId: 'anon-1', traits: { name: 'Ada' }, ...overrides })

async function runOne(event: SegmentEvent, mapping: JSONObject = {}, extra: Partial<Settings> = {}) {
  const runtime = recordRuntime()
  const segment = recordSegment()
  await testDestination.testAction('syncRecommendations', {
    event,
    settings: { ...settings, ...extra },
    mapping,
    useDefaultMappings: true
  })
  return { runtime, segment }
}

describe('syncRecommendations fields', () => {
  test('asks the campaign for the user and writes recommended_products back with an identify', async () => {
    const { runtime, segment } = await runOne(identify())
    expect(runtime).toEqual([{ campaignArn: CAMPAIGN, userId: 'user-1', numResults: 25 }])
    expect(segment).toHaveLength(1)
    const [sent] = segment[0]!.batch
    expect(sent).toMatchObject({
      type: 'identify',
      userId: 'user-1',
      anonymousId: 'anon-1',
      traits: { recommended_products: ['user-1-rec-0', 'user-1-rec-1', 'user-1-rec-2'] },
      context: { personalize: { roundTrip: true, recommendationId: 'RID-user-1' } },
      integrations: { All: false }
    })
  })

  test("the identify's messageId comes from the triggering event's, so Segment dedupes a repeat of it", async () => {
    recordRuntime()
    const segment = recordSegment()
    for (const messageId of ['trigger-1', 'trigger-1', 'trigger-2']) {
      await testDestination.testAction('syncRecommendations', {
        event: identify({ messageId }),
        settings,
        useDefaultMappings: true
      })
    }
    expect(segment.map((call) => call.batch[0]!.messageId)).toEqual([
      'personalize-syncRecommendations-trigger-1',
      'personalize-syncRecommendations-trigger-1',
      'personalize-syncRecommendations-trigger-2'
    ])
  })

  test('without a triggering messageId, the messageId is derived from the identify: same answer, same id', async () => {
    recordRuntime()
    const segment = recordSegment()
    // A mapping that finds no messageId, as for an event that lacks one.
    const noMessageId: JSONObject = { messageId: { '@path': '$.properties.none' } }
    for (const mapping of [noMessageId, noMessageId, { ...noMessageId, numResults: 3 }]) {
      await testDestination.testAction('syncRecommendations', {
        event: identify({ messageId: 'ignored' }),
        settings,
        mapping,
        useDefaultMappings: true
      })
    }
    const [first, same, asksOtherwise] = segment.map((call) => call.batch[0]!.messageId)
    expect(first).toMatch(/^personalize-syncRecommendations-[0-9a-f]{16}$/)
    expect(same).toBe(first)
    expect(asksOtherwise).toMatch(/^personalize-syncRecommendations-[0-9a-f]{16}$/)
    expect(asksOtherwise).not.toBe(first)
  })

  test('authenticates to Segment with the write key as basic auth', async () => {
    const { segment } = await runOne(identify())
    expect(segment[0]!.authorization).toBe(`Basic ${Buffer.from('write-key-123:').toString('base64')}`)
  })

  test('an anonymous visitor is asked for by session ID, and the trait lands on the anonymous profile', async () => {
    const { runtime, segment } = await runOne(identify({ userId: null, anonymousId: 'anon-9' }))
    expect(runtime[0]!.userId).toBe('anon-9')
    expect(segment[0]!.batch[0]).toMatchObject({
      anonymousId: 'anon-9',
      traits: { recommended_products: ['anon-9-rec-0', 'anon-9-rec-1', 'anon-9-rec-2'] }
    })
    expect(segment[0]!.batch[0]).not.toHaveProperty('userId')
  })

  test('context.sessionId is the anonymous visitor’s Personalize user, as in trackEvent', async () => {
    const event = identify({ userId: null })
    event.context = { ...event.context, sessionId: 'session-5' }
    const { runtime } = await runOne(event)
    expect(runtime[0]!.userId).toBe('session-5')
  })

  test('numResults, filter, filter values, context and itemId are passed to Personalize', async () => {
    const { runtime } = await runOne(identify({ traits: { tier: 'gold' } }), {
      numResults: 7,
      filterArn: 'arn:aws:personalize:us-west-2:123456789012:filter/exclude-purchased',
      filterValues: { TIER: { '@path': '$.traits.tier' }, MAX_PRICE: 50 },
      context: { DEVICE: 'mobile' },
      itemId: 'prod-1'
    })
    expect(runtime[0]).toEqual({
      campaignArn: CAMPAIGN,
      userId: 'user-1',
      itemId: 'prod-1',
      numResults: 7,
      filterArn: 'arn:aws:personalize:us-west-2:123456789012:filter/exclude-purchased',
      filterValues: { TIER: 'gold', MAX_PRICE: '50' },
      context: { DEVICE: 'mobile' }
    })
  })

  test('a recommender ARN is used when there is no campaign', async () => {
    const recommender = 'arn:aws:personalize:us-west-2:123456789012:recommender/top-picks'
    const { runtime } = await runOne(identify(), {}, { campaignArn: undefined, recommenderArn: recommender })
    expect(runtime[0]).toMatchObject({ recommenderArn: recommender })
    expect(runtime[0]).not.toHaveProperty('campaignArn')
  })

  test('the trait name and a recommendation id trait can be chosen', async () => {
    const { segment } = await runOne(identify(), { traitName: 'for_you', recommendationIdTrait: 'recommendation_id' })
    expect(segment[0]!.batch[0]!.traits).toEqual({
      for_you: ['user-1-rec-0', 'user-1-rec-1', 'user-1-rec-2'],
      recommendation_id: 'RID-user-1'
    })
  })

  test('integrations can forward the identify to chosen destinations', async () => {
    const { segment } = await runOne(identify(), { integrations: { All: false, Braze: true } })
    expect(segment[0]!.batch[0]!.integrations).toEqual({ All: false, Braze: true })
  })

  test('the EU region sends to events.eu1.segmentapis.com', async () => {
    recordRuntime()
    const eu = recordSegment('https://events.eu1.segmentapis.com')
    await testDestination.testAction('syncRecommendations', {
      event: identify(),
      settings: { ...settings, segmentRegion: 'eu' },
      useDefaultMappings: true
    })
    expect(eu).toHaveLength(1)
  })

  test('the Segment and Personalize Runtime endpoint overrides are used', async () => {
    const runtime = nock('http://127.0.0.1:4566')
      .post('/recommendations')
      .reply(200, { itemList: [{ itemId: 'x' }] })
    const local = recordSegment('http://127.0.0.1:4567', '/v1/batch')
    await testDestination.testAction('syncRecommendations', {
      event: identify(),
      settings: {
        ...settings,
        personalizeRuntimeEndpoint: 'http://127.0.0.1:4566',
        segmentEndpoint: 'http://127.0.0.1:4567/v1/'
      },
      useDefaultMappings: true
    })
    expect(runtime.isDone()).toBe(true)
    expect(local[0]!.batch[0]!.traits).toEqual({ recommended_products: ['x'] })
  })
})

describe('no loops', () => {
  test('an identify the round-trip sent is skipped, with no call to Personalize or Segment', async () => {
    const event = identify()
    event.context = { ...event.context, personalize: { roundTrip: true } }
    const { runtime, segment } = await runOne(event)
    expect(runtime).toHaveLength(0)
    expect(segment).toHaveLength(0)
  })

  test('feeding the round-trip’s own identify back through the presets starts nothing', async () => {
    const runner = new Destination(destination)
    const runtime = recordRuntime()
    const segment = recordSegment()
    const subscriptions = presets.flatMap((p) =>
      p.type === 'automatic' ? [{ subscribe: p.subscribe, partnerAction: p.partnerAction, mapping: p.mapping }] : []
    )
    const all = {
      ...settings,
      usersDatasetArn: 'arn:aws:personalize:us-west-2:123456789012:dataset/dsg/USERS',
      subscriptions
    }
    nock('https://personalize-events.us-west-2.amazonaws.com').persist().post('/users').reply(200, '')
    await runner.onEvent(identify(), all as unknown as JSONObject)
    expect(runtime).toHaveLength(1)
    expect(segment).toHaveLength(1)
    // Segment delivers the round-trip's identify to the same source's destinations: it must stop there.
    const echoed = segment[0]!.batch[0]! as unknown as SegmentEvent
    const results = await runner.onEvent(echoed, all as unknown as JSONObject)
    expect(results.every((r) => r.output === 'not subscribed')).toBe(true)
    expect(runtime).toHaveLength(1)
    expect(segment).toHaveLength(1)
  })
})

describe('syncRecommendations batches', () => {
  async function batch(events: SegmentEvent[], fail?: Parameters<typeof recordRuntime>[0]) {
    const runtime = recordRuntime(fail)
    const segment = recordSegment()
    await testDestination.testBatchAction('syncRecommendations', { events, settings, useDefaultMappings: true })
    return { runtime, segment, multistatus: testDestination.results.at(-1)!.multistatus! }
  }

  test('ask once per distinct user and send one Segment call for the batch', async () => {
    const events = ['a', 'b', 'a', 'c', 'b', 'a'].map((u, i) =>
      identify({ userId: `user-${u}`, anonymousId: `anon-${u}`, messageId: `m${i}` })
    )
    const { runtime, segment, multistatus } = await batch(events)
    expect(runtime.map((r) => r.userId).sort()).toEqual(['user-a', 'user-b', 'user-c'])
    expect(segment).toHaveLength(1)
    expect(segment[0]!.batch.map((m) => m.userId).sort()).toEqual(['user-a', 'user-b', 'user-c'])
    expect(multistatus.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200])
  })

  test('one visitor’s events in other sessions or about other items ask once, as of the latest, and get one answer', async () => {
    const events = [
      identify({ userId: null, anonymousId: 'visitor', context: { sessionId: 's-1' }, messageId: 'v1' }),
      identify({ userId: null, anonymousId: 'visitor', context: { sessionId: 's-2' }, messageId: 'v2' })
    ]
    const { runtime, segment, multistatus } = await batch(events)
    expect(runtime.map((r) => r.userId)).toEqual(['s-2'])
    expect(segment[0]!.batch).toHaveLength(1)
    expect(segment[0]!.batch[0]).toMatchObject({
      anonymousId: 'visitor',
      traits: { recommended_products: ['s-2-rec-0', 's-2-rec-1', 's-2-rec-2'] }
    })
    expect(multistatus.map((s) => s.status)).toEqual([200, 200])
  })

  test('an empty answer writes nothing over the profile’s recommendations', async () => {
    nock(RUNTIME).post('/recommendations').reply(200, { itemList: [], recommendationId: 'RID-empty' })
    const segment = recordSegment()
    await testDestination.testBatchAction('syncRecommendations', {
      events: [identify({ messageId: 'empty-1' })],
      settings,
      useDefaultMappings: true
    })
    expect(segment).toHaveLength(0)
    expect(testDestination.results[testDestination.results.length - 1]!.multistatus).toMatchObject([
      { status: 200, sent: { skipped: expect.stringContaining('Personalize recommended nothing') } }
    ])
  })

  test('when Personalize fails for one user, the others still get their traits', async () => {
    const events = ['a', 'b', 'c'].map((u) => identify({ userId: `user-${u}`, anonymousId: `anon-${u}` }))
    const { segment, multistatus } = await batch(events, (body) =>
      body.userId === 'user-b' ? awsError(400, 'ThrottlingException', 'Rate exceeded') : undefined
    )
    expect(multistatus.map((s) => s.status)).toEqual([200, 429, 200])
    expect(multistatus[1]).toMatchObject({
      errortype: 'RETRYABLE_ERROR',
      errormessage: 'GetRecommendations failed: ThrottlingException: Rate exceeded'
    })
    expect(segment[0]!.batch.map((m) => m.userId).sort()).toEqual(['user-a', 'user-c'])
  })

  test('a bad event fails alone and the round-trip’s own identifies in the batch are skipped', async () => {
    const echoed = identify({ userId: 'user-z' })
    echoed.context = { ...echoed.context, personalize: { roundTrip: true } }
    const events = [identify({ userId: 'user-a' }), identify({ userId: null, anonymousId: null }), echoed]
    const { runtime, multistatus } = await batch(events)
    expect(multistatus.map((s) => s.status)).toEqual([200, 400, 200])
    expect(multistatus[1]).toMatchObject({
      errormessage: 'the event has no userId and no session ID to ask recommendations for'
    })
    expect(multistatus[2]).toMatchObject({ sent: { skipped: 'this identify came from a round-trip' } })
    expect(runtime.map((r) => r.userId)).toEqual(['user-a'])
  })
})

describe('syncRecommendations errors', () => {
  test.each([
    [429, 'RetryableError', 429],
    [500, 'RetryableError', 500],
    [503, 'RetryableError', 503],
    [400, 'IntegrationError', 400]
  ])('Segment answering %i is a %s (%i)', async (status, name, expected) => {
    recordRuntime()
    recordSegment(SEGMENT, '/v1/batch', status)
    const error = await testDestination
      .testAction('syncRecommendations', { event: identify(), settings, useDefaultMappings: true })
      .catch((e: unknown) => e)
    expect((error as Error).name).toBe(name)
    expect((error as { status: number }).status).toBe(expected)
    expect((error as Error).message).toContain(`Segment's Tracking API answered ${status}`)
  })

  test('an identify over Segment’s 32 KB is refused before sending', async () => {
    nock(RUNTIME)
      .post('/recommendations')
      .reply(200, { itemList: Array.from({ length: 500 }, (_, i) => ({ itemId: `${'long-item-id-'.repeat(6)}${i}` })) })
    const segment = recordSegment()
    await expect(
      testDestination.testAction('syncRecommendations', {
        event: identify(),
        settings,
        mapping: { numResults: 500 },
        useDefaultMappings: true
      })
    ).rejects.toThrow(/over Segment's 32 KB per event: lower Number of Results \(500\)/)
    expect(segment).toHaveLength(0)
  })

  test('an unknown campaign names the Campaign ARN setting', async () => {
    recordRuntime(() => awsError(404, 'ResourceNotFoundException', 'Campaign not found'))
    await expect(
      testDestination.testAction('syncRecommendations', { event: identify(), settings, useDefaultMappings: true })
    ).rejects.toThrow(
      `GetRecommendations failed: ResourceNotFoundException: Campaign not found. Check the Campaign ARN setting ("${CAMPAIGN}")`
    )
  })

  test('without a Campaign or Recommender ARN the event is skipped, not failed, and the settings are named', async () => {
    const runtime = recordRuntime()
    await testDestination.testAction('syncRecommendations', {
      event: identify(),
      settings: { ...settings, campaignArn: undefined },
      useDefaultMappings: true
    })
    expect(testDestination.results[testDestination.results.length - 1]).toMatchObject({
      data: { skipped: expect.stringContaining('Campaign ARN or Recommender ARN is not set') }
    })
    expect(runtime).toHaveLength(0)
  })

  test.each([[{ segmentWriteKey: undefined }, 'Set Segment Write Key']])(
    'a missing setting is named (%p)',
    async (change, message) => {
      const runtime = recordRuntime()
      await expect(
        testDestination.testAction('syncRecommendations', {
          event: identify(),
          settings: { ...settings, ...change },
          useDefaultMappings: true
        })
      ).rejects.toThrow(message)
      expect(runtime).toHaveLength(0)
    }
  )

  test.each([
    [{ context: { 'bad key': 'x' } }, 'context key "bad key" does not match'],
    [
      { filterValues: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`K${i}`, 'v'])) },
      'filterValues has 26 entries; Personalize accepts at most 25'
    ],
    [{ filterValues: { K: 'v'.repeat(1001) } }, 'filterValues.K is 1001 characters; Personalize accepts at most 1000'],
    [{ itemId: 'i'.repeat(257) }, 'itemId is 257 characters']
  ])('bad request values are refused before calling (%#)', async (mapping, message) => {
    const runtime = recordRuntime()
    await expect(
      testDestination.testAction('syncRecommendations', {
        event: identify(),
        settings,
        mapping: mapping,
        useDefaultMappings: true
      })
    ).rejects.toThrow(message)
    expect(runtime).toHaveLength(0)
  })
})
