// npm run bench -- functions
// The built Destination Function (dist/functions/personalize.js) in the local runtime harness, against the loopback
// server that answers like Personalize (its own process, so CPU figures are the function's): onTrack one event at a
// time, and onBatch with 100 events a call (Segment's batches are up to 20 by default, up to 400 on request). Then,
// in the same run, the two pieces the function itself adds per event, signing and mapping, on their own: SigV4 with
// WebCrypto (aws4fetch, what the function runs) beside node:crypto (aws4, what the Actions destination runs), and the
// presets' mapping. And the bundle's size, raw and gzipped (what Segment stores).
import { gzipSync } from 'node:zlib'
import os from 'node:os'
import path from 'node:path'
import { mkdtempSync } from 'node:fs'
import { presets } from '../destination/presets'
import { signedHeaders as aws4Sign } from '../destination/personalize/sign'
import type { SignedCall } from '../destination/personalize/wire'
import { buildFunction } from '../functions/build'
import { loadFunction } from '../functions/harness'
import { resolve, type JsonValue } from '../functions/mapping'
import { signedHeaders as webCryptoSign } from '../functions/sign'
import { measure, startStub } from './destination'
import { makeEvents } from './events'

const SINGLE = Number(process.env.BENCH_SINGLE ?? 2000)
const BATCHED = Number(process.env.BENCH_EVENTS ?? 20_000)
const BATCH = 100
const SIGNATURES = 5000

function row(name: string, events: number, seconds: number, cpuMicros: number): string {
  const wall = ((seconds * 1e6) / events).toFixed(1)
  return `| ${name} | ${events} | ${seconds.toFixed(2)} | ${wall} | ${(cpuMicros / events).toFixed(1)} |`
}

export async function benchFunctions(): Promise<void> {
  const built = await buildFunction(path.join(mkdtempSync(path.join(os.tmpdir(), 'function-bench-')), 'personalize.js'))
  const stub = await startStub()
  const runtime = loadFunction(built.code)
  const settings = {
    region: 'us-west-2',
    accessKeyId: 'AKIDBENCH',
    secretAccessKey: 'bench-secret',
    trackingId: 'tracker-bench',
    personalizeEventsEndpoint: stub.url
  }
  const events = makeEvents(SINGLE + BATCHED).filter((event) => event.event !== undefined)
  const single = events.slice(0, SINGLE)
  const batched = events.slice(SINGLE)
  const failures: string[] = []
  const check = (verdict: Awaited<ReturnType<typeof runtime.run>>) => {
    if (verdict.outcome !== 'delivered') failures.push(`${verdict.outcome}: ${verdict.message}`)
    else if (Array.isArray(verdict.value))
      for (const entry of verdict.value as Array<{ status: number; errormessage?: string }>)
        if (entry.status !== 200) failures.push(`${entry.status}: ${entry.errormessage ?? ''}`)
  }
  // Warm up the JIT and the connection pool.
  for (const event of single.slice(0, 200)) check(await runtime.run('onTrack', event, settings))

  const onTrack = await measure(async () => {
    for (const event of single) check(await runtime.run('onTrack', event, settings))
  })
  const beforeBatch = await stub.count() // (counting resets the stub’s counters)
  const onBatch = await measure(async () => {
    for (let at = 0; at < batched.length; at += BATCH)
      check(await runtime.run('onBatch', batched.slice(at, at + BATCH), settings))
  })
  const counts = await stub.count()
  const batchCalls = counts.calls
  stub.stop()

  const call: SignedCall = {
    operation: 'PutEvents',
    url: 'https://personalize-events.us-west-2.amazonaws.com/events',
    region: 'us-west-2',
    service: 'personalize',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
    body: JSON.stringify({
      trackingId: 't',
      sessionId: 's',
      eventList: [{ eventType: 'Product Viewed', itemId: 'p', sentAt: 1 }]
    }),
    contentType: 'application/json'
  }
  const url = new URL(call.url)
  const webCrypto = await measure(async () => {
    for (let n = 0; n < SIGNATURES; n++) await webCryptoSign(url, call)
  })
  const nodeCrypto = await measure(async () => {
    for (let n = 0; n < SIGNATURES; n++) await aws4Sign(url, call)
  })
  const mappings = presets.flatMap((preset) => ('subscribe' in preset ? [preset.mapping as JsonValue] : []))
  const mapping = await measure(() => {
    for (const event of batched) for (const preset of mappings) resolve(preset, event)
    return Promise.resolve()
  })
  // Per event in onBatch: its share of the signed calls, and every preset's mapping (an upper bound: only the
  // presets an event matches are mapped).
  const perEvent =
    (batchCalls / batched.length) * (webCrypto.cpuMicros / SIGNATURES) + mapping.cpuMicros / batched.length

  console.log('\n## functions\n')
  console.log(
    `bundle: ${built.bytes} bytes (${(built.bytes / 1024).toFixed(1)} KB), gzipped ${gzipSync(built.code).length} bytes`
  )
  console.log(
    `stub received ${beforeBatch.events + counts.events} interactions in ${beforeBatch.calls + counts.calls} calls; ${failures.length} events not delivered`
  )
  if (failures.length > 0) console.log(failures.slice(0, 5).join('\n'))
  console.log('\n| path | events | wall s | wall µs/event | CPU µs/event |')
  console.log('| --- | --- | --- | --- | --- |')
  console.log(row('onTrack, one event per invocation', single.length, onTrack.seconds, onTrack.cpuMicros))
  console.log(row(`onBatch, ${BATCH} events per invocation`, batched.length, onBatch.seconds, onBatch.cpuMicros))
  console.log('\n| piece | count | wall s | wall µs each | CPU µs each |')
  console.log('| --- | --- | --- | --- | --- |')
  console.log(row('SigV4, WebCrypto (aws4fetch: the function)', SIGNATURES, webCrypto.seconds, webCrypto.cpuMicros))
  console.log(
    row('SigV4, node:crypto (aws4: the Actions destination)', SIGNATURES, nodeCrypto.seconds, nodeCrypto.cpuMicros)
  )
  console.log(
    row(`mapping, every preset (${mappings.length}) per event`, batched.length, mapping.seconds, mapping.cpuMicros)
  )
  console.log(
    `\nonBatch made ${batchCalls} signed calls for ${batched.length} events: signing and mapping ≈ ${perEvent.toFixed(0)} µs CPU per event (target < 1000)`
  )
}
