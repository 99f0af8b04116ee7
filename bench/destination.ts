// npm run bench -- destination
// The same Segment events through trackEvent's batch path (the framework's Destination.onBatch, as Segment runs it)
// and, in the same run, the same interactions through the AWS SDK v3's PutEventsCommand (10 per call), both against
// one loopback server that answers like Personalize. Prints events/s and CPU µs per event for both, and the ratios.
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { Destination, defaultValues, type SegmentEvent } from '@segment/actions-core'
import {
  PersonalizeEventsClient,
  PutEventsCommand,
  type PutEventsCommandInput
} from '@aws-sdk/client-personalize-events'
import definition from '../destination'
import trackEvent from '../destination/trackEvent'
import { forEachConcurrently } from '../destination/trackEvent/putEvents'
import { makeEvents } from './events'

const N = Number(process.env.BENCH_EVENTS ?? 100_000)
const BATCH = 500 // trackEvent's default batch_size
const CONCURRENT_CALLS = 8 // what trackEvent keeps in flight per batch; the SDK gets the same

interface Stub {
  url: string
  count(): Promise<{ calls: number; events: number }>
  stop(): void
}

async function startStub(): Promise<Stub> {
  const child: ChildProcess = fork(path.join(__dirname, 'stubServer.ts'), { execArgv: ['--import', 'tsx'] })
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)))
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => {
      const answer = new Promise<{ calls: number; events: number }>((resolve) => child.once('message', resolve))
      child.send('count')
      return answer
    },
    stop: () => child.send('stop')
  }
}

// The SDK's input, built independently of trackEvent: sessionId = anonymousId, one interaction per product,
// grouped by (session, user) within each batch and chunked by ten, so both sides send the same interactions.
function sdkCalls(events: SegmentEvent[], trackingId: string): PutEventsCommandInput[] {
  const calls: PutEventsCommandInput[] = []
  for (let start = 0; start < events.length; start += BATCH) {
    const groups = new Map<
      string,
      PutEventsCommandInput & { eventList: NonNullable<PutEventsCommandInput['eventList']> }
    >()
    for (const e of events.slice(start, start + BATCH)) {
      const props = e.properties as { product_id?: string; sku?: string; products?: Array<{ product_id: string }> }
      const items = props.products
        ? props.products.map((p, i) => [p.product_id, `${e.messageId}-${i}`])
        : [[props.product_id ?? props.sku, e.messageId]]
      const key = `${e.anonymousId}|${e.userId ?? ''}`
      if (!groups.has(key))
        groups.set(key, { trackingId, sessionId: e.anonymousId!, userId: e.userId ?? undefined, eventList: [] })
      for (const [itemId, eventId] of items) {
        groups
          .get(key)!
          .eventList.push({ eventId, eventType: e.event!, sentAt: new Date(e.timestamp as string), itemId })
      }
    }
    for (const g of groups.values()) {
      for (let i = 0; i < g.eventList.length; i += 10) calls.push({ ...g, eventList: g.eventList.slice(i, i + 10) })
    }
  }
  return calls
}

async function measure(run: () => Promise<void>): Promise<{ seconds: number; cpuMicros: number }> {
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  await run()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const used = process.cpuUsage(cpu)
  return { seconds, cpuMicros: used.user + used.system }
}

export async function benchDestination(): Promise<void> {
  const stub = await startStub()
  const settings = {
    region: 'us-west-2',
    trackingId: 'bench-tracker',
    accessKeyId: 'AKIDBENCH',
    secretAccessKey: 'bench-secret',
    personalizeEventsEndpoint: stub.url,
    subscription: {
      subscribe: 'type = "track"',
      partnerAction: 'trackEvent',
      mapping: defaultValues(trackEvent.fields)
    }
  }
  const destination = new Destination(definition)
  const client = new PersonalizeEventsClient({
    region: settings.region,
    endpoint: stub.url,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
  })

  const viaDestination = async (events: SegmentEvent[]) => {
    for (let i = 0; i < events.length; i += BATCH) {
      const results = await destination.onBatch(events.slice(i, i + BATCH), settings)
      const failed = (results[0]?.multistatus ?? []).filter((r) => r.status !== 200)
      if (failed.length > 0)
        throw new TypeError(`trackEvent failed ${failed.length} events: ${JSON.stringify(failed[0])}`)
    }
  }
  const viaSdk = async (calls: PutEventsCommandInput[]) => {
    await forEachConcurrently(calls, CONCURRENT_CALLS, async (input) => {
      await client.send(new PutEventsCommand(input))
    })
  }

  // Warm both paths (JIT, connections) on other events, then measure on the same N events.
  const warm = makeEvents(5_000, 2)
  await viaDestination(warm)
  await viaSdk(sdkCalls(warm, settings.trackingId))
  await stub.count()

  const events = makeEvents(N)
  const calls = sdkCalls(events, settings.trackingId)
  const ours = await measure(() => viaDestination(events))
  const oursReceived = await stub.count()
  const sdk = await measure(() => viaSdk(calls))
  const sdkReceived = await stub.count()
  stub.stop()

  const row = (name: string, m: { seconds: number; cpuMicros: number }, r: { calls: number; events: number }) =>
    `| ${name} | ${N} | ${r.events} | ${r.calls} | ${m.seconds.toFixed(2)} | ${Math.round(N / m.seconds)} | ${(m.cpuMicros / N).toFixed(1)} |`
  console.log(
    `\nbench destination: ${N} Segment events, batches of ${BATCH}, ${CONCURRENT_CALLS} calls in flight, loopback stub`
  )
  console.log('| path | Segment events | interactions received | PutEvents calls | wall s | events/s | CPU µs/event |')
  console.log('|---|---|---|---|---|---|---|')
  console.log(row('trackEvent performBatch (Destination.onBatch)', ours, oursReceived))
  console.log(row('AWS SDK v3 PutEventsCommand', sdk, sdkReceived))
  console.log(`\nthroughput ratio (trackEvent / SDK): ${(sdk.seconds / ours.seconds).toFixed(2)}× (target ≥ 2×)`)
  console.log(`CPU per event ratio (trackEvent / SDK): ${(ours.cpuMicros / sdk.cpuMicros).toFixed(2)} (target ≤ 0.5)`)
  if (oursReceived.events !== sdkReceived.events) {
    console.log(
      `! the two paths delivered different numbers of interactions: ${oursReceived.events} vs ${sdkReceived.events}`
    )
    process.exitCode = 1
  }
}
