// npm run bench -- functions
// The built Destination Function (dist/functions/personalize.js) against the loopback server that answers like
// Personalize (its own process, so CPU figures are the function's): in the local runtime harness on current Node
// (WebCrypto signing, current Node's fetch), onTrack one event at a time and onBatch with 100 events a call (Segment's
// batches are up to 20 by default, up to 400 on request); and onBatch on a real Node 14, the runtime Segment
// documents, with Node's crypto module and node-fetch 2.6.0 (functions/node14/, the child's own CPU time). Then, in
// the same run, the two pieces the function itself adds per event, signing and mapping, on their own: its SigV4
// (functions/sign.ts) on WebCrypto and on the crypto module beside aws4 (what the Actions destination runs), and the
// presets' mapping. And the bundle's size, raw and gzipped (what Segment stores).
import { gzipSync } from 'node:zlib'
import cryptoModuleApi, { webcrypto } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { mkdtempSync } from 'node:fs'
import { presets } from '../destination/presets'
import { signedHeaders as aws4Sign } from '../destination/personalize/sign'
import type { SignedCall } from '../destination/personalize/wire'
import { buildFunction } from '../functions/build'
import { loadFunction } from '../functions/harness'
import type { Verdict } from '../functions/harness'
import { resolve } from '../functions/mapping'
import type { JsonValue } from '../functions/mapping'
import { startNode14 } from '../functions/node14'
import { signedHeaders as functionSign } from '../functions/sign'
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
  const check = (verdict: Verdict) => {
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

  // The same batches on Node 14: the child's CPU time around them (the harness's own work there is reading and
  // writing one JSON line per batch).
  const node14 = await startNode14({ mode: 'globals' })
  const fn14 = await node14.load(built.code)
  for (let at = 0; at < 2000; at += BATCH) check(await fn14.run('onBatch', batched.slice(at, at + BATCH), settings))
  const cpu14 = await node14.cpuMicros()
  const start14 = process.hrtime.bigint()
  for (let at = 0; at < batched.length; at += BATCH)
    check(await fn14.run('onBatch', batched.slice(at, at + BATCH), settings))
  const onBatch14 = {
    seconds: Number(process.hrtime.bigint() - start14) / 1e9,
    cpuMicros: (await node14.cpuMicros()) - cpu14
  }
  await node14.close()
  const counts14 = await stub.count()
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
    for (let n = 0; n < SIGNATURES; n++) await functionSign(url, call, { crypto: webcrypto })
  })
  const cryptoModule = await measure(async () => {
    for (let n = 0; n < SIGNATURES; n++) await functionSign(url, call, { crypto: cryptoModuleApi })
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
    `stub received ${beforeBatch.events + counts.events + counts14.events} interactions in ${beforeBatch.calls + counts.calls + counts14.calls} calls; ${failures.length} events not delivered`
  )
  if (failures.length > 0) console.log(failures.slice(0, 5).join('\n'))
  console.log('\n| path | events | wall s | wall µs/event | CPU µs/event |')
  console.log('| --- | --- | --- | --- | --- |')
  console.log(row('onTrack, one event per invocation', single.length, onTrack.seconds, onTrack.cpuMicros))
  console.log(row(`onBatch, ${BATCH} events per invocation`, batched.length, onBatch.seconds, onBatch.cpuMicros))
  console.log(
    row(
      `onBatch on Node ${node14.version} (crypto module, node-fetch 2.6.0), ${BATCH} per invocation`,
      batched.length,
      onBatch14.seconds,
      onBatch14.cpuMicros
    )
  )
  console.log('\n| piece | count | wall s | wall µs each | CPU µs each |')
  console.log('| --- | --- | --- | --- | --- |')
  console.log(row('SigV4, sign.ts on WebCrypto (current Node)', SIGNATURES, webCrypto.seconds, webCrypto.cpuMicros))
  console.log(
    row(
      'SigV4, sign.ts on the crypto module (Segment’s runtime)',
      SIGNATURES,
      cryptoModule.seconds,
      cryptoModule.cpuMicros
    )
  )
  console.log(
    row('SigV4, node:crypto (aws4: the Actions destination)', SIGNATURES, nodeCrypto.seconds, nodeCrypto.cpuMicros)
  )
  console.log(
    row(`mapping, every preset (${mappings.length}) per event`, batched.length, mapping.seconds, mapping.cpuMicros)
  )
  console.log(
    `\nonBatch made ${batchCalls} signed calls for ${batched.length} events: signing and mapping ≈ ${perEvent.toFixed(0)} µs CPU per event (target < 1000)`
  )
  console.log(
    `onBatch CPU per event: current Node ${(onBatch.cpuMicros / batched.length).toFixed(0)} µs, Node 14 ${(onBatch14.cpuMicros / batched.length).toFixed(0)} µs (ratio Node 14 / current ${(onBatch14.cpuMicros / onBatch.cpuMicros).toFixed(2)}; target < 1000 µs each)`
  )
}
