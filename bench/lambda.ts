// npm run bench -- lambda
// The Lambda build (lambda build's zip) against the loopback server that answers like Personalize and Segment (its own
// process, so CPU figures are the function's), on the workshop's events (Order Completed with one sku, for known
// users): each event is PutEvents, then GetRecommendations, then an identify with recommended_products, as the
// workshop's Lambda does. Warm invocations one after the other in one process, ours (index.handler, loaded from the
// unzipped bundle, with Lambda's environment) beside the workshop's Python Lambda (exercise4/app.py with boto3, when
// WORKSHOP_LAMBDA names it; bench/workshop/lambda_runner.py runs it) on the same events against the same server. Then
// cold starts: a fresh process, as Lambda starts one, to its first answer (lambda/invoke.ts), the median of several.
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import AdmZip from 'adm-zip'
import { buildLambda } from '../lambda/build'
import { environmentFor } from '../lambda/environment'
import { startLocalLambda } from '../lambda/invoke'
import { startStub } from './destination'

const run = promisify(execFile)
const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000)
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 9)
const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret', sessionToken: 'bench-token' }

// Invokes index.handler on each event in turn, warm, after a tenth as warm-up; prints what the Python runner prints.
const NODE_RUNNER = `
const { handler } = require(process.env.LAMBDA_TASK_ROOT + '/index.js')
const events = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'))
const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10000 }
;(async () => {
  const warm = events.slice(0, events.length / 10), timed = events.slice(events.length / 10)
  for (const event of warm) await handler(event, context)
  const start = process.hrtime.bigint(), cpu = process.cpuUsage()
  let failed = 0
  for (const event of timed) if (!(await handler(event, context)).ok) failed++
  const used = process.cpuUsage(cpu)
  console.log(JSON.stringify({ events: timed.length, failed, seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu_seconds: (used.user + used.system) / 1e6 }))
})()
`

interface Run {
  events: number
  seconds: number
  cpu_seconds: number
  failed?: number
}

function workshopEvents(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    type: 'track',
    event: 'Order Completed',
    userId: `user-${i % 200}`,
    anonymousId: `anon-${i % 200}`,
    messageId: `bench-${i}`,
    timestamp: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    properties: { sku: `sku-${(i * 7) % 50}` }
  }))
}

class BenchError extends Error {
  override name = 'BenchError'
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

export async function benchLambda(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-bench-'))
  const built = await buildLambda(path.join(dir, 'personalize.zip'))
  const task = path.join(dir, 'task')
  new AdmZip(built.zip).extractAllTo(task, true)
  const eventsFile = path.join(dir, 'events.json')
  writeFileSync(eventsFile, JSON.stringify(workshopEvents(EVENTS)))
  const runner = path.join(dir, 'runner.cjs')
  writeFileSync(runner, NODE_RUNNER)
  const stub = await startStub()
  const settings = {
    region: 'us-west-2',
    trackingId: 'tracker-bench',
    campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/bench',
    segmentWriteKey: 'bench-write-key',
    personalizeEventsEndpoint: stub.url,
    personalizeRuntimeEndpoint: stub.url,
    segmentEndpoint: `${stub.url}/v1`
  }
  const lambdaEnv = {
    ...environmentFor(settings),
    LAMBDA_TASK_ROOT: task,
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    PATH: process.env.PATH ?? ''
  }
  const ours = JSON.parse((await run(process.execPath, [runner, eventsFile], { env: lambdaEnv })).stdout) as Run
  const oursCalls = await stub.count()
  if (ours.failed) throw new BenchError(`${ours.failed} events failed in our Lambda`)

  let workshop: Run | undefined
  let workshopCalls: Awaited<ReturnType<typeof stub.count>> | undefined
  const app = process.env.WORKSHOP_LAMBDA
  if (app) {
    const { stdout } = await run('python3', [path.join(__dirname, 'workshop', 'lambda_runner.py'), app, eventsFile], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
        AWS_DEFAULT_REGION: 'us-west-2',
        // boto3 reads a service's endpoint from AWS_ENDPOINT_URL_<SERVICE>; app.py reads the runtime's itself.
        AWS_ENDPOINT_URL_PERSONALIZE_EVENTS: stub.url,
        endpoint_url: stub.url,
        region_name: 'us-west-2',
        personalize_tracking_id: settings.trackingId,
        personalize_campaign_arn: settings.campaignArn,
        connections_source_write_key: settings.segmentWriteKey,
        SEGMENT_STUB: stub.url
      },
      maxBuffer: 1 << 24
    })
    workshop = JSON.parse(stdout.trim().split('\n').pop()!) as Run
    workshopCalls = await stub.count()
  }

  // Cold starts, alternating with a function that does nothing (an empty handler in the same runtime): what Node
  // itself takes to start on this machine, measured beside ours.
  const empty = new AdmZip()
  empty.addFile('index.js', Buffer.from('exports.handler = async () => ({ ok: true })'))
  const lambdas = {
    ours: await startLocalLambda({ zip: built.zip, environment: environmentFor(settings), credentials, quiet: true }),
    empty: await startLocalLambda({ zip: empty.toBuffer(), environment: {}, credentials, quiet: true })
  }
  const coldStarts = { ours: [] as number[], empty: [] as number[] }
  for (let i = 0; i < COLD_STARTS; i++)
    for (const which of ['ours', 'empty'] as const) {
      lambdas[which].recycle()
      const invocation = await lambdas[which].invoke(workshopEvents(1)[0])
      if ('error' in invocation || !invocation.coldStart)
        throw new BenchError(`cold start failed: ${JSON.stringify(invocation)}`)
      coldStarts[which].push(invocation.durationMs)
    }
  await Promise.all(Object.values(lambdas).map((lambda) => lambda.close()))
  stub.stop()

  const perSecond = (r: Run) => r.events / r.seconds
  const cpuPerEvent = (r: Run) => ((r.cpu_seconds * 1e6) / r.events).toFixed(0)
  console.log(
    `\nlambda: ${EVENTS} workshop events (a tenth as warm-up), zip ${(built.zip.length / 1024).toFixed(1)} KB`
  )
  console.log('| Lambda | events | events/s | CPU per event (µs) | calls to the server per event | vs the workshop |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  const callsPerEvent = (calls: { calls: number }, r: Run) => (calls.calls / (r.events / 0.9)).toFixed(2)
  const ratio = workshop ? `${(perSecond(ours) / perSecond(workshop)).toFixed(1)}×` : '(set WORKSHOP_LAMBDA)'
  console.log(
    `| ours, index.handler (Node ${process.version}) | ${ours.events} | ${perSecond(ours).toFixed(0)} | ${cpuPerEvent(ours)} | ${callsPerEvent(oursCalls, ours)} | ${ratio} |`
  )
  if (workshop && workshopCalls)
    console.log(
      `| workshop exercise4/app.py (Python, boto3) | ${workshop.events} | ${perSecond(workshop).toFixed(0)} | ${cpuPerEvent(workshop)} | ${callsPerEvent(workshopCalls, workshop)} | 1× |`
    )
  console.log(
    `cold start (a fresh process to its first answer, PutEvents, GetRecommendations and the identify included), median of ${COLD_STARTS}: ` +
      `${median(coldStarts.ours)} ms (min ${Math.min(...coldStarts.ours)}, max ${Math.max(...coldStarts.ours)}); ` +
      `an empty handler's in the same runs: ${median(coldStarts.empty)} ms`
  )
}
