// npm run bench -- local
// The whole local stack under load, as a user runs it: `segment-personalize local --data-dir … --destination …` in its
// own process (durable logs, fsync before each answer), provisioned through the real AWS SDK, with the destination's
// presets and the round-trip on. Worker threads send identified users' E-commerce events with @segment/analytics-node
// at a fixed rate; the stack stores them, delivers them through the Actions destination to its Personalize, and the
// round-trip (Product Added, Order Completed) sends identifies back to its /v1, which land on the profiles.
// Measured over a sustained window after a warm-up: events acknowledged and delivered per second, the delivery
// backlog, the CPU of each process, and for probe events (one every PROBE_MS, each from a new identified user) the
// time from the track call, and from analytics-node's acknowledgment (its callback, which analytics-core runs at least
// 300 ms after the call), to the user's profile showing recommended_products, read through the Profile API over HTTP.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { Analytics } from '@segment/analytics-node'
import type { Settings } from '../destination/generated-types'
import { credentials, provisionWorkshopCampaign } from '../emulators/personalize/__tests__/fixtures'
import { localSettings } from '../test/localProcess'
import { PROFILE_TOKEN } from '../emulators/segment/profiles'
import { defaultSource } from '../generators/sources'

const ROOT = path.join(__dirname, '..')
const RATE = Number(process.env.BENCH_RATE ?? 5_000)
const SENDERS = Number(process.env.BENCH_SENDERS ?? 2)
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 5)
const WINDOW_S = Number(process.env.BENCH_SECONDS ?? 30)
const PROBE_MS = 200
const PROBE_TIMEOUT_MS = 30_000
const DRAIN_TIMEOUT_MS = 120_000
const WEB = defaultSource('web')

class LocalBenchError extends Error {
  override name = 'LocalBenchError'
}

interface StackStats {
  segment: { stored: number; duplicates: number; dropped: Record<string, number> }
  profiles: number
  // Counted in messages (docs/local-stack.md#delivery-through-the-destination); `retrying` is part of `pending`.
  delivery: {
    delivered: number
    retried: number
    failed: number
    notConfigured: number
    pending: number
    retrying: number
  }
}

/** `segment-personalize local` in its own process (tsx, as `npm start` runs the CLI); resolves with its URL. */
async function startStack(dataDir: string, destinationFile: string): Promise<{ child: ChildProcess; url: string }> {
  const nodeFlags = [
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    // BENCH_NODE_FLAGS: more flags for the stack's Node (e.g. --trace-gc).
    ...(process.env.BENCH_NODE_FLAGS?.split(' ') ?? [])
  ]
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      // As bin/segment-personalize.js and `npm start` run it.
      '--max-semi-space-size=32',
      '--import',
      'tsx',
      path.join(ROOT, 'cli', 'main.ts'),
      'local',
      '--port',
      '0',
      '--delay-ms',
      '0'
    ].concat(['--data-dir', dataDir, '--destination', destinationFile]),
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }
  )
  // Not left running if the bench dies.
  process.once('exit', () => child.kill('SIGKILL'))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const ready = /ready at (http:\/\/\S+)/.exec(out)
      if (ready) resolve(ready[1]!)
    })
    child.once('exit', (code) => reject(new LocalBenchError(`segment-personalize local exited ${code}: ${out}`)))
  })
  return { child, url }
}

/** The workshop's dataset group, trained, with a campaign and an event tracker; the destination's settings for it. */
async function provision(url: string, dir: string): Promise<Settings> {
  const control = new PersonalizeClient({ region: 'us-west-2', endpoint: url, credentials, maxAttempts: 1 })
  const { campaignArn, trackingId } = await provisionWorkshopCampaign(control, dir)
  return localSettings(url, trackingId, { campaignArn })
}

async function stackStats(url: string): Promise<StackStats> {
  return (await (await fetch(`${url}/_local/stats`)).json()) as StackStats
}

/** User + system CPU seconds of a process, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  const USER_HZ = 100 // clock ticks per second, as Linux reports them in /proc
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ
}

// A sender: one analytics-node client sending identified users' events at a fixed rate, reporting acknowledgments.
// Plain JavaScript, evaluated in a worker thread (tsx does not load TypeScript into eval workers).
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads')
const { Analytics } = require(workerData.analyticsNode)
const { url, writeKey, rate, index } = workerData
// flushInterval small so that closeAndFlush does not wait for it; flushAt as Segment's batches go.
const analytics = new Analytics({ writeKey, host: url, flushAt: 100, flushInterval: 20, maxRetries: 3 })
let seed = 1234 + index
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
const product = () => {
  const n = Math.floor(rand() ** 2 * 500)
  return { product_id: 'prod-' + n, sku: 'SKU-' + n, name: 'Product ' + n, category: 'footwear', price: 5 + (n % 90) }
}
let sent = 0, acked = 0, errors = 0, stopping = false
const done = (error) => (error ? errors++ : acked++)
function send() {
  const user = Math.floor(rand() * 5000)
  const base = { userId: 'user-' + index + '-' + user, anonymousId: 'anon-' + index + '-' + user }
  const roll = rand()
  if (roll < 0.6) analytics.track({ ...base, event: 'Product Viewed', properties: product() }, done)
  else if (roll < 0.85) analytics.track({ ...base, event: 'Product Added', properties: { ...product(), quantity: 1 } }, done)
  else {
    const products = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => ({ ...product(), quantity: 1 }))
    analytics.track({ ...base, event: 'Order Completed', properties: { order_id: 'o-' + index + '-' + sent, revenue: 42, products } }, done)
  }
  sent++
}
const started = Date.now()
const tick = setInterval(() => {
  const due = Math.floor(((Date.now() - started) * rate) / 1000)
  while (sent < due) send()
  parentPort.postMessage({ sent, acked, errors })
}, 10)
parentPort.on('message', async () => {
  clearInterval(tick)
  await analytics.closeAndFlush({ timeout: 60000 })
  parentPort.postMessage({ sent, acked, errors, closed: true })
})
`

interface SenderCounts {
  sent: number
  acked: number
  errors: number
  closed?: boolean
}

function startSenders(url: string) {
  const counts: SenderCounts[] = []
  const workers = Array.from({ length: SENDERS }, (_, index) => {
    counts[index] = { sent: 0, acked: 0, errors: 0 }
    const workerData = {
      analyticsNode: require.resolve('@segment/analytics-node'),
      url,
      writeKey: WEB.writeKey,
      rate: RATE / SENDERS,
      index
    }
    const worker = new Worker(SENDER, { eval: true, workerData })
    worker.on('message', (message: SenderCounts) => (counts[index] = message))
    return worker
  })
  const total = () =>
    counts.reduce(
      (sum, c) => ({ sent: sum.sent + c.sent, acked: sum.acked + c.acked, errors: sum.errors + c.errors }),
      {
        sent: 0,
        acked: 0,
        errors: 0
      }
    )
  return {
    total,
    async stop(): Promise<void> {
      for (const worker of workers) worker.postMessage('stop')
      while (!counts.every((c) => c.closed)) await sleep(50)
      await Promise.all(workers.map((worker) => worker.terminate()))
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Probes: every PROBE_MS an Order Completed from a new identified user, sent alone (flushAt 1); from its
 * acknowledgment, the Profile API is read every 10 ms until the user has recommended_products.
 */
function startProbes(url: string) {
  const analytics = new Analytics({ writeKey: WEB.writeKey, host: url, flushAt: 1, flushInterval: 20 })
  const latencies: number[] = []
  // From the track call to the acknowledgment, and to the profile: analytics-node's callback is the acknowledgment,
  // but it can run late (after the client's own queueing), so the whole time is kept beside it.
  const acks: number[] = []
  const totals: number[] = []
  let timedOut = 0
  let failed = 0
  let n = 0
  const watching = new Set<Promise<void>>()
  const authorization = `Basic ${Buffer.from(`${PROFILE_TOKEN}:`).toString('base64')}`
  let unreadable = 0
  const visible = async (userId: string) => {
    try {
      const response = await fetch(`${url}/v1/spaces/local/collections/users/profiles/user_id:${userId}/traits`, {
        headers: { authorization }
      })
      const body = (await response.json()) as { traits?: Record<string, unknown> }
      return Array.isArray(body.traits?.recommended_products)
    } catch {
      // The stack did not answer (overloaded): try again, and say how often that happened.
      unreadable++
      return false
    }
  }
  const watch = async (userId: string, sent: number) => {
    const acked = performance.now()
    acks.push(acked - sent)
    while (performance.now() - acked < PROBE_TIMEOUT_MS) {
      if (await visible(userId)) {
        latencies.push(performance.now() - acked)
        return void totals.push(performance.now() - sent)
      }
      await sleep(10)
    }
    timedOut++
  }
  const probe = () => {
    const userId = `probe-${n++}`
    const properties = { order_id: `probe-${n}`, revenue: 10, products: [{ product_id: 'shoe-1', quantity: 1 }] }
    const sent = performance.now()
    analytics.track({ userId, anonymousId: `anon-${userId}`, event: 'Order Completed', properties }, (error) => {
      if (error) return void failed++
      const watched = watch(userId, sent).finally(() => watching.delete(watched))
      watching.add(watched)
    })
  }
  const timer = setInterval(probe, PROBE_MS)
  return {
    /** Forgets what was measured so far (the warm-up's probes). */
    reset(): void {
      latencies.length = 0
      acks.length = 0
      totals.length = 0
      timedOut = 0
      failed = 0
    },
    async stop() {
      clearInterval(timer)
      await analytics.closeAndFlush()
      await Promise.all(watching)
      const sorted = (values: number[]) => values.sort((a, b) => a - b)
      return { latencies: sorted(latencies), acks: sorted(acks), totals: sorted(totals), timedOut, failed, unreadable }
    }
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

export async function benchLocal(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'local-bench-'))
  const destinationFile = path.join(dir, 'destination.json')
  const { child, url } = await startStack(path.join(dir, 'data'), destinationFile)
  try {
    writeFileSync(destinationFile, JSON.stringify(await provision(url, dir)))
    console.error(`local: stack at ${url} provisioned; sending ${RATE} events/s`)
    const senders = startSenders(url)
    const probes = startProbes(url)
    await sleep(WARMUP_S * 1000)
    probes.reset()
    const start = {
      at: performance.now(),
      senders: senders.total(),
      stack: await stackStats(url),
      stackCpu: cpuSeconds(child.pid!),
      benchCpu: process.cpuUsage()
    }
    await sleep(WINDOW_S * 1000)
    const end = {
      at: performance.now(),
      senders: senders.total(),
      stack: await stackStats(url),
      stackCpu: cpuSeconds(child.pid!),
      benchCpu: process.cpuUsage(start.benchCpu)
    }
    console.error(`local: window over (backlog ${end.stack.delivery.pending}); stopping the senders and draining`)
    await senders.stop()
    const stoppedAt = performance.now()
    const probing = probes.stop()
    let drained = await stackStats(url)
    while (drained.delivery.pending > 0 && performance.now() - stoppedAt < DRAIN_TIMEOUT_MS) {
      await sleep(100)
      drained = await stackStats(url)
    }
    const drainS = (performance.now() - stoppedAt) / 1000
    const drainedCpu = cpuSeconds(child.pid!)
    const probed = await probing
    report({ start, end, probed, drained, drainS, drainedCpu, sent: senders.total() })
    const errors = senders.total().errors + probed.failed + drained.delivery.failed
    // A backlog left after the drain's time limit is a missed target, reported in the table, not an error.
    if (errors > 0)
      throw new LocalBenchError(
        `${errors} errors (sender ${senders.total().errors}, probe ${probed.failed}, delivery ${drained.delivery.failed})`
      )
  } finally {
    // SIGTERM makes the stack deliver its whole backlog before it exits (minutes after an overloaded run, competing
    // with whatever runs next); only a profiled run needs that clean exit, to write its profile.
    child.kill(process.env.BENCH_CPU_PROF ? 'SIGTERM' : 'SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    rmSync(dir, { recursive: true, force: true })
  }
}

interface Sample {
  at: number
  senders: { sent: number; acked: number; errors: number }
  stack: StackStats
  stackCpu: number
}

function report(run: {
  start: Sample
  end: Sample & { benchCpu: NodeJS.CpuUsage }
  probed: {
    latencies: number[]
    acks: number[]
    totals: number[]
    timedOut: number
    failed: number
    unreadable: number
  }
  drained: StackStats
  drainS: number
  drainedCpu: number
  sent: { sent: number; acked: number; errors: number }
}): void {
  const { start, end, probed, drained } = run
  const seconds = (end.at - start.at) / 1000
  const rate = (a: number, b: number) => Math.round((b - a) / seconds)
  // A message's delivery is over once it is no longer pending: stored minus pending, counted at both ends.
  const over = (s: StackStats) => s.segment.stored - s.delivery.pending
  const stackCpu = (end.stackCpu - start.stackCpu) / seconds
  const benchCpu = (end.benchCpu.user + end.benchCpu.system) / 1e6 / seconds
  console.log('\n## local: the local stack under load\n')
  console.log(
    `offered ${RATE} events/s from ${SENDERS} analytics-node senders (worker threads) + 1 probe every ${PROBE_MS} ms; ` +
      `window ${seconds.toFixed(1)} s after ${WARMUP_S} s of warm-up`
  )
  console.log('\n| measure | value |')
  console.log('| --- | --- |')
  const row = (name: string, value: string | number) => console.log(`| ${name} | ${value} |`)
  row(
    'events acknowledged by the local Segment (analytics-node callbacks), events/s',
    rate(start.senders.acked, end.senders.acked)
  )
  row(
    'messages stored (events + the round-trip’s identifies), messages/s',
    rate(start.stack.segment.stored, end.stack.segment.stored)
  )
  row(
    'messages whose delivery is over (delivered, or matched by no preset), messages/s',
    rate(over(start.stack), over(end.stack))
  )
  row(
    'events delivered to Personalize by the presets, events/s',
    rate(start.stack.delivery.delivered, end.stack.delivery.delivered)
  )
  row(
    'delivery backlog at the window’s start → end, messages',
    `${start.stack.delivery.pending} → ${end.stack.delivery.pending}`
  )
  row(
    'time to drain the backlog after the senders stopped, s',
    drained.delivery.pending > 0
      ? `over ${(DRAIN_TIMEOUT_MS / 1000).toFixed(0)} (${drained.delivery.pending} still pending, ${drained.delivery.retrying} of them waiting for a retry)`
      : run.drainS.toFixed(1)
  )
  row(
    'probe: acknowledgment → recommended_products on the profile, p50 / p99 ms',
    `${percentile(probed.latencies, 50).toFixed(0)} / ${percentile(probed.latencies, 99).toFixed(0)} (${probed.latencies.length} probes, ${probed.timedOut} not visible within ${PROBE_TIMEOUT_MS / 1000} s, ${probed.unreadable} Profile API reads unanswered)`
  )
  const p50p99 = (values: number[]) => `${percentile(values, 50).toFixed(0)} / ${percentile(values, 99).toFixed(0)}`
  row('probe: track call → acknowledgment, p50 / p99 ms', p50p99(probed.acks))
  row('probe: track call → recommended_products on the profile, p50 / p99 ms', p50p99(probed.totals))
  row('CPU, stack process / bench process (senders, probes), cores', `${stackCpu.toFixed(2)} / ${benchCpu.toFixed(2)}`)
  // Every message stored from the window's start on was delivered by the end of the drain: the stack's CPU per message.
  const perMessage = ((run.drainedCpu - start.stackCpu) * 1e6) / (over(drained) - over(start.stack))
  row('stack CPU per message, window start → drained, µs', perMessage.toFixed(0))
  row(
    'totals: sent / acknowledged / stored / delivered / failed / retried',
    `${run.sent.sent} / ${run.sent.acked} / ${drained.segment.stored} / ${drained.delivery.delivered} / ${drained.delivery.failed} / ${drained.delivery.retried}`
  )
  row('profiles', drained.profiles)
}
