// npm run bench -- destination
// The same Segment events through trackEvent's batch path and, in the same run, the same interactions through the
// AWS SDK v3's PutEventsCommand (10 per call), all against one loopback server (its own process) that answers like
// Personalize. trackEvent is measured twice: its performBatch on mapped payloads (validation, grouping, signing, the
// framework's request), which is the work that replaces the SDK, and the framework's Destination.onBatch, which adds
// Segment's own per-event mapping and schema validation that any implementation of the action pays.
import { fork, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import {
  Destination,
  MultiStatusResponse,
  createRequestClient,
  defaultValues,
  transform,
  type SegmentEvent
} from '@segment/actions-core'
import type { InputData } from '@segment/actions-core/mapping-kit'
import {
  PersonalizeEventsClient,
  PutEventsCommand,
  type PutEventsCommandInput
} from '@aws-sdk/client-personalize-events'
import definition from '../destination'
import trackEvent from '../destination/trackEvent'
import type { Payload } from '../destination/trackEvent/generated-types'
import { forEachConcurrently } from '../destination/personalize/batch'
import aws4 from 'aws4'
import { sendSigned, type SignedCall } from '../destination/personalize/wire'
import { makeEvents } from './events'

const N = Number(process.env.BENCH_EVENTS ?? 100_000)
const BATCH = 500 // trackEvent's default batch_size
const CONCURRENT_CALLS = 8 // what trackEvent keeps in flight per batch; the SDK gets the same

export interface StubCounts {
  calls: number
  events: number
  byPath: Record<string, number>
}

export interface Stub {
  url: string
  count(): Promise<StubCounts>
  stop(): void
}

export async function startStub(): Promise<Stub> {
  const child: ChildProcess = fork(path.join(__dirname, 'stubServer.ts'), { execArgv: ['--import', 'tsx'] })
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)))
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => {
      const answer = new Promise<StubCounts>((resolve) => child.once('message', resolve))
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

export async function measure(run: () => Promise<void>): Promise<{ seconds: number; cpuMicros: number }> {
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

  const request = createRequestClient()
  const viaPerformBatch = async (payloads: Payload[]) => {
    for (let i = 0; i < payloads.length; i += BATCH) {
      const response = await trackEvent.performBatch!(request, { settings, payload: payloads.slice(i, i + BATCH) })
      const failed =
        response instanceof MultiStatusResponse
          ? response.getAllResponses().filter((r) => r.value().status !== 200)
          : []
      if (failed.length > 0)
        throw new TypeError(`trackEvent failed ${failed.length} events: ${JSON.stringify(failed[0]!.value())}`)
    }
  }
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

  const mapped = (events: SegmentEvent[]) =>
    events.map((e) => transform(settings.subscription.mapping, e as unknown as InputData) as unknown as Payload)

  // Warm every path (JIT, connections) on other events, then measure each on the same N events.
  const warm = makeEvents(5_000, 2)
  await viaPerformBatch(mapped(warm))
  await viaDestination(warm)
  await viaSdk(sdkCalls(warm, settings.trackingId))
  await stub.count()

  // The machine's speed drifts during a run, so the N events are measured in ROUNDS slices, each slice through all
  // three paths in a rotating order, and the slices' times are added up per path.
  const events = makeEvents(N)
  const ROUNDS = 4
  const slice = Math.ceil(N / BATCH / ROUNDS) * BATCH
  type Path = {
    run: (from: number, to: number) => Promise<void>
    total: { seconds: number; cpuMicros: number }
    received: StubCounts
  }
  const path = (run: Path['run']): Path => ({
    run,
    total: { seconds: 0, cpuMicros: 0 },
    received: { calls: 0, events: 0, byPath: {} }
  })
  const payloads = mapped(events)
  const batch = path((from, to) => viaPerformBatch(payloads.slice(from, to)))
  const ours = path((from, to) => viaDestination(events.slice(from, to)))
  const sdk = path((from, to) => viaSdk(sdkCalls(events.slice(from, to), settings.trackingId)))
  const paths = [batch, ours, sdk]
  for (let round = 0; round < ROUNDS; round++) {
    const [from, to] = [round * slice, Math.min(N, (round + 1) * slice)]
    for (let k = 0; k < paths.length; k++) {
      const p = paths[(round + k) % paths.length]!
      const m = await measure(() => p.run(from, to))
      const received = await stub.count()
      p.total.seconds += m.seconds
      p.total.cpuMicros += m.cpuMicros
      p.received.calls += received.calls
      p.received.events += received.events
    }
  }
  const [batchReceived, oursReceived, sdkReceived] = paths.map((p) => p.received) as [
    StubCounts,
    StubCounts,
    StubCounts
  ]

  const row = (name: string, m: { seconds: number; cpuMicros: number }, r: { calls: number; events: number }) =>
    `| ${name} | ${N} | ${r.events} | ${r.calls} | ${m.seconds.toFixed(2)} | ${Math.round(N / m.seconds)} | ${(m.cpuMicros / N).toFixed(1)} |`
  console.log(
    `\nbench destination: ${N} Segment events, batches of ${BATCH}, ${CONCURRENT_CALLS} calls in flight, loopback stub`
  )
  console.log('| path | Segment events | interactions received | PutEvents calls | wall s | events/s | CPU µs/event |')
  console.log('|---|---|---|---|---|---|---|')
  console.log(row('trackEvent performBatch (mapped payloads)', batch.total, batchReceived))
  console.log(row('trackEvent via Destination.onBatch (+ Segment mapping)', ours.total, oursReceived))
  console.log(row('AWS SDK v3 PutEventsCommand', sdk.total, sdkReceived))
  const ratios = (name: string, m: { seconds: number; cpuMicros: number }) =>
    `${name}: throughput ${(sdk.total.seconds / m.seconds).toFixed(2)}× the SDK's (target ≥ 2×), ` +
    `CPU per event ${(m.cpuMicros / sdk.total.cpuMicros).toFixed(2)} of the SDK's (target ≤ 0.5)`
  console.log(`\n${ratios('performBatch', batch.total)}\n${ratios('Destination.onBatch', ours.total)}`)
  await benchOneCall(stub, client, request)
  const received = [batchReceived.events, oursReceived.events, sdkReceived.events]
  if (new Set(received).size !== 1) {
    console.log(`! the paths delivered different numbers of interactions: ${received.join(', ')}`)
    process.exitCode = 1
  }
}

// Where the time goes: the CPU cost of one PutEvents call of five events through each transport, on the same stub.
// node:http is the floor any Node client pays; the framework's request (node-fetch v2 behind cross-fetch, plus its
// option merging, abort signals and response hooks) is what an Actions destination must send through.
async function benchOneCall(
  stub: Stub,
  client: PersonalizeEventsClient,
  request: ReturnType<typeof createRequestClient>
) {
  const CALLS = 4000
  const eventList = Array.from({ length: 5 }, (_, i) => ({
    eventId: `e${i}`,
    eventType: 'Product Viewed',
    sentAt: 1795168800,
    itemId: `p${i}`
  }))
  const body = JSON.stringify({ trackingId: 't', sessionId: 's', userId: 'u', eventList })
  const call: SignedCall = {
    operation: 'PutEvents',
    url: `${stub.url}/events`,
    region: 'us-west-2',
    service: 'personalize',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
    body,
    contentType: 'application/json'
  }
  const agent = new http.Agent({ keepAlive: true })
  const raw = () =>
    new Promise<void>((resolve, reject) => {
      const signed = aws4.sign(
        {
          host: new URL(stub.url).host,
          path: '/events',
          method: 'POST',
          service: 'personalize',
          region: 'us-west-2',
          headers: { 'content-type': 'application/json' },
          body
        },
        call.credentials
      )
      const req = http.request(call.url, { method: 'POST', headers: signed.headers, agent }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end(body)
    })
  const sdkInput = {
    trackingId: 't',
    sessionId: 's',
    userId: 'u',
    eventList: eventList.map((e) => ({ ...e, sentAt: new Date(e.sentAt * 1000) }))
  }
  const transports: Array<[string, () => Promise<unknown>]> = [
    ['node:http + aws4 (the floor)', raw],
    ['framework request + aws4 (trackEvent’s wire layer)', () => sendSigned(request, call)],
    ['AWS SDK v3 PutEventsCommand', () => client.send(new PutEventsCommand(sdkInput))]
  ]
  console.log(`\none PutEvents call of 5 events, ${CALLS} calls per transport, ${CONCURRENT_CALLS} in flight`)
  console.log('| transport | CPU µs per call | calls/s |')
  console.log('|---|---|---|')
  for (const [name, send] of transports) {
    const items = Array.from({ length: CALLS }, (_, i) => i)
    await forEachConcurrently(items.slice(0, 500), CONCURRENT_CALLS, async () => void (await send())) // warm
    const m = await measure(() => forEachConcurrently(items, CONCURRENT_CALLS, async () => void (await send())))
    console.log(`| ${name} | ${Math.round(m.cpuMicros / CALLS)} | ${Math.round(CALLS / m.seconds)} |`)
  }
  await stub.count()
  agent.destroy()
  stub.stop()
}
