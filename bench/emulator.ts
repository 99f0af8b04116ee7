// npm run bench -- emulator
// The local Personalize in its own process: PutEvents ingestion over loopback (events/s), training on 1,000,000
// interactions from 100,000 users and 10,000 items (seconds), GetRecommendations latency against that model (p50,
// p99), and the emulator's peak memory in each phase. Clients are the real AWS SDK v3 for the control plane and
// node:http with keep-alive for the hot paths, so the figures are the emulator's, not the client's. Ingestion is
// measured twice: in memory, and durable (a second emulator with a data dir, as `local --data-dir` runs: every
// PutEvents journaled and fsynced before its answer), which is then restarted to time the journal's replay.
import { fork } from 'node:child_process'
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetImportJobCommand,
  CreateEventTrackerCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DescribeSolutionVersionCommand,
  PersonalizeClient
} from '@aws-sdk/client-personalize'
import { forEachConcurrently } from '../destination/personalize/batch'
import { measure } from './destination'
import { random } from './events'

const USERS = Number(process.env.BENCH_USERS ?? 100_000)
const ITEMS = 10_000
const INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 1_000_000)
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000)
const QUERIES = 5_000

function interactionsCsv(): string {
  const rand = random(11)
  const rows = ['USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP']
  for (let n = 0; n < INTERACTIONS; n++) {
    const user = Math.floor(rand() * USERS)
    // Each user leans to a slice of the catalogue; popularity is skewed within it.
    const item = (user * 37 + Math.floor(rand() ** 3 * ITEMS * 0.2)) % ITEMS
    rows.push(`u${user},i${item},View,${1_700_000_000 + n}`)
  }
  return rows.join('\n')
}

function post(agent: http.Agent, url: string, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () =>
          res.statusCode === 200 ? resolve(text) : reject(new TypeError(`${res.statusCode}: ${text}`))
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

/** The emulator in its own process (with a data dir: durable), and how to ask it for its peak memory. */
async function startEmulator(dir: string, dataDir?: string) {
  const child = fork(path.join(__dirname, 'emulatorServer.ts'), dataDir ? [dir, dataDir] : [dir], {
    // BENCH_NODE_FLAGS: more flags for the emulator's Node (e.g. --trace-gc, --cpu-prof).
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192', ...(process.env.BENCH_NODE_FLAGS?.split(' ') ?? [])]
  })
  const ask = <T>(message: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T))
      child.send(message)
    })
  const { url, openSeconds } = await new Promise<{ url: string; openSeconds: number }>((resolve) =>
    child.once('message', resolve)
  )
  const stop = () => new Promise<void>((resolve) => child.once('exit', () => resolve()).send('stop'))
  return { ask, url, openSeconds, stop }
}

const SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  fields: ['USER_ID', 'ITEM_ID', 'EVENT_TYPE', 'TIMESTAMP'].map((name) => ({ name, type: 'string' }))
})

/** A dataset group with an Interactions dataset and an event tracker, and EVENTS events to ingest. */
async function provision(control: PersonalizeClient) {
  const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'bench' }))
  const { schemaArn } = await control.send(new CreateSchemaCommand({ name: 'bench', schema: SCHEMA }))
  const { datasetArn } = await control.send(
    new CreateDatasetCommand({ name: 'bench', schemaArn, datasetGroupArn, datasetType: 'Interactions' })
  )
  const { trackingId } = await control.send(new CreateEventTrackerCommand({ name: 'bench', datasetGroupArn }))
  const rand = random(5)
  const bodies = Array.from({ length: EVENTS / 10 }, (_, c) =>
    JSON.stringify({
      trackingId,
      sessionId: `s${c % 5000}`,
      userId: `u${c % USERS}`,
      eventList: Array.from({ length: 10 }, (_, k) => ({
        eventType: 'View',
        itemId: `i${Math.floor(rand() * ITEMS)}`,
        sentAt: 1_800_000_000 + c * 10 + k
      }))
    })
  )
  return { datasetGroupArn, datasetArn, bodies }
}

/** PutEvents ingestion: 10 events per call, 16 calls in flight; seconds taken. */
async function ingest(agent: http.Agent, url: string, bodies: string[]): Promise<number> {
  const { seconds } = await measure(() =>
    forEachConcurrently(bodies, 16, async (body) => void (await post(agent, url, '/events', body)))
  )
  return seconds
}

const clientOf = (endpoint: string) =>
  new PersonalizeClient({ region: 'us-west-2', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })

export async function benchEmulator(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-emulator-'))
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })
  const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`

  // 1. Durable PutEvents ingestion, as users run the stack (--data-dir), then a restart that replays the journal.
  const dataDir = path.join(dir, 'data')
  const durable = await startEmulator(dir, dataDir)
  const { bodies: durableBodies } = await provision(clientOf(durable.url))
  await durable.ask('peak')
  const durableSeconds = await ingest(agent, durable.url, durableBodies)
  const durablePeak = (await durable.ask<{ peak: number }>('peak')).peak
  await durable.stop()
  const journalBytes = statSync(path.join(dataDir, 'journal.ndjson')).size
  const reopened = await startEmulator(dir, dataDir)
  const replaySeconds = reopened.openSeconds
  const replayPeak = (await reopened.ask<{ peak: number }>('peak')).peak
  await reopened.stop()

  // 2. In memory: ingestion, training and latency.
  const { ask, url, stop } = await startEmulator(dir)
  const control = clientOf(url)
  const { datasetGroupArn, datasetArn, bodies } = await provision(control)
  await ask('peak')
  const ingestSeconds = await ingest(agent, url, bodies)
  const ingestPeak = (await ask<{ peak: number }>('peak')).peak

  // 2. Import and train on INTERACTIONS interactions.
  const file = path.join(dir, 'interactions.csv')
  writeFileSync(file, interactionsCsv())
  await control.send(
    new CreateDatasetImportJobCommand({ jobName: 'bench', datasetArn, dataSource: { dataLocation: file } })
  )
  const { solutionArn } = await control.send(
    new CreateSolutionCommand({
      name: 'bench',
      datasetGroupArn,
      recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization'
    })
  )
  const started = process.hrtime.bigint()
  const { solutionVersionArn } = await control.send(new CreateSolutionVersionCommand({ solutionArn }))
  const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9
  const { solutionVersion } = await control.send(new DescribeSolutionVersionCommand({ solutionVersionArn }))
  if (solutionVersion?.status !== 'ACTIVE') throw new TypeError(`training failed: ${solutionVersion?.failureReason}`)
  const trainPeak = (await ask<{ peak: number }>('peak')).peak

  // 3. GetRecommendations latency, one at a time, for random users.
  const { campaignArn } = await control.send(new CreateCampaignCommand({ name: 'bench', solutionVersionArn }))
  const latencies: number[] = []
  const users = random(9)
  for (let q = 0; q < QUERIES + 200; q++) {
    const body = JSON.stringify({ campaignArn, userId: `u${Math.floor(users() * USERS)}`, numResults: 25 })
    const t = process.hrtime.bigint()
    await post(agent, url, '/recommendations', body)
    if (q >= 200) latencies.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  latencies.sort((a, b) => a - b)
  const queryPeak = (await ask<{ peak: number }>('peak')).peak
  await stop()
  agent.destroy()

  console.log(
    `\nbench emulator: ${EVENTS} events ingested; trained on ${INTERACTIONS} interactions, ${USERS} users, ${ITEMS} items`
  )
  console.log('| measure | value | target | emulator peak RSS |')
  console.log('|---|---|---|---|')
  console.log(
    `| PutEvents ingestion, in memory (10 per call, 16 in flight) | ${Math.round(EVENTS / ingestSeconds)} events/s | ≥ 20,000 events/s | ${mb(ingestPeak)} |`
  )
  console.log(
    `| PutEvents ingestion, durable (--data-dir: journaled, fsynced before each answer) | ${Math.round(EVENTS / durableSeconds)} events/s (${((ingestSeconds / durableSeconds) * 100).toFixed(0)}% of in memory) | ≥ 20,000 events/s | ${mb(durablePeak)} |`
  )
  console.log(
    `| restart: reading and replaying the journal (${durableBodies.length} entries, ${mb(journalBytes)}) | ${replaySeconds.toFixed(2)} s | | ${mb(replayPeak)} |`
  )
  console.log(`| training, CreateSolutionVersion | ${trainSeconds.toFixed(1)} s | ≤ 20 s | ${mb(trainPeak)} |`)
  console.log(
    `| GetRecommendations latency, p50 / p99 (${QUERIES} calls) | ${percentile(latencies, 50).toFixed(2)} / ${percentile(latencies, 99).toFixed(2)} ms | p99 ≤ 5 ms | ${mb(queryPeak)} |`
  )
}
