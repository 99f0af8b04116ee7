// npm run bench -- roundtrip
// 10,000 events from 1,000 users through syncRecommendations in batches of 500, as Segment sends them
// (Destination.onBatch), against a loopback server answering like Personalize's GetRecommendations and Segment's
// Tracking API. Prints the calls made against the target (one GetRecommendations per distinct user per batch, one
// Segment call per batch) and events/s; in the same run, the workshop Lambda's way (one GetRecommendations and one
// identify per event, Destination.onEvent) on the same events, for the ratio.
import { Destination, defaultValues, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import definition from '../destination'
import syncRecommendations from '../destination/syncRecommendations'
import { forEachConcurrently } from '../destination/personalize/batch'
import { measure, startStub } from './destination'
import { random } from './events'

const N = Number(process.env.BENCH_EVENTS ?? 10_000)
const USERS = 1_000
const BATCH = 500 // syncRecommendations' default batch_size

function makeRoundTripEvents(count: number): SegmentEvent[] {
  const rand = random(7)
  return Array.from({ length: count }, (_, i): SegmentEvent => {
    const user = Math.floor(rand() * USERS)
    const base = {
      messageId: `rt-${i}`,
      userId: `user-${user}`,
      anonymousId: `anon-${user}`,
      timestamp: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString()
    }
    const roll = rand()
    if (roll < 0.2) return { ...base, type: 'identify', traits: { plan: 'basic' } }
    const event = roll < 0.6 ? 'Product Added' : 'Order Completed'
    return { ...base, type: 'track', event, properties: { product_id: `prod-${Math.floor(rand() * 500)}` } }
  })
}

export async function benchRoundTrip(): Promise<void> {
  const stub = await startStub()
  const settings = {
    region: 'us-west-2',
    trackingId: 'bench-tracker',
    accessKeyId: 'AKIDBENCH',
    secretAccessKey: 'bench-secret',
    campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/bench',
    segmentWriteKey: 'bench-write-key',
    personalizeRuntimeEndpoint: stub.url,
    segmentEndpoint: `${stub.url}/v1`,
    subscription: {
      subscribe: 'type = "identify" or type = "track"',
      partnerAction: 'syncRecommendations',
      mapping: defaultValues(syncRecommendations.fields)
    }
  } as unknown as JSONObject
  const destination = new Destination(definition)
  const events = makeRoundTripEvents(N)
  const batches = Array.from({ length: Math.ceil(N / BATCH) }, (_, i) => events.slice(i * BATCH, (i + 1) * BATCH))
  const expectedAsks = batches.reduce((sum, b) => sum + new Set(b.map((e) => e.userId)).size, 0)

  const checkBatch = (results: Awaited<ReturnType<Destination['onBatch']>>) => {
    const failed = (results[0]?.multistatus ?? []).filter((r) => r.status !== 200)
    if (failed.length > 0) throw new TypeError(`${failed.length} events failed: ${JSON.stringify(failed[0])}`)
  }
  // Warm up on a few batches of other events.
  for (const batch of makeRoundTripEvents(1_000).reduce<SegmentEvent[][]>(
    (acc, e, i) => (i % BATCH ? acc.at(-1)!.push(e) : acc.push([e]), acc),
    []
  )) {
    checkBatch(await destination.onBatch(batch, settings))
  }
  await stub.count()

  const batched = await measure(async () => {
    for (const batch of batches) checkBatch(await destination.onBatch(batch, settings))
  })
  const batchedCalls = await stub.count()
  const perEvent = await measure(() =>
    forEachConcurrently(events, 8, async (event) => {
      await destination.onEvent(event, settings)
    })
  )
  const perEventCalls = await stub.count()
  stub.stop()

  const asks = (c: typeof batchedCalls) => c.byPath['/recommendations'] ?? 0
  const segment = (c: typeof batchedCalls) => c.byPath['/v1/batch'] ?? 0
  console.log(
    `\nbench roundtrip: ${N} events from ${USERS} users, ${batches.length} batches of ${BATCH}, loopback stub`
  )
  console.log('| path | GetRecommendations calls | Segment calls | wall s | events/s | CPU µs/event |')
  console.log('|---|---|---|---|---|---|')
  const row = (name: string, m: { seconds: number; cpuMicros: number }, c: typeof batchedCalls) =>
    `| ${name} | ${asks(c)} | ${segment(c)} | ${m.seconds.toFixed(2)} | ${Math.round(N / m.seconds)} | ${(m.cpuMicros / N).toFixed(1)} |`
  console.log(row('syncRecommendations performBatch (Destination.onBatch)', batched, batchedCalls))
  console.log(row('one event at a time, as the workshop Lambda (Destination.onEvent)', perEvent, perEventCalls))
  console.log(
    `\nGetRecommendations calls: ${asks(batchedCalls)}, distinct users summed over batches: ${expectedAsks} (target: equal)` +
      `\nSegment calls: ${segment(batchedCalls)}, batches: ${batches.length} (target: equal)` +
      `\nthroughput: ${(perEvent.seconds / batched.seconds).toFixed(2)}× the one-event-at-a-time path`
  )
  if (asks(batchedCalls) !== expectedAsks || segment(batchedCalls) !== batches.length) process.exitCode = 1
}
