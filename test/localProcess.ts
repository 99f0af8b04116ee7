// `segment-personalize local` as a child process, for the tests that run the whole pipeline through it: started on a
// data dir, its URL read from the ready line, its stats polled until delivery is idle.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import {
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateEventTrackerCommand,
  CreateSchemaCommand,
  type PersonalizeClient
} from '@aws-sdk/client-personalize'
import type { Settings } from '../destination/generated-types'
import type { DeliveryStats } from '../emulators/segment/delivery'
import { credentials, INTERACTIONS_SCHEMA } from '../emulators/personalize/__tests__/fixtures'
import { ROUND_TRIP_SOURCE } from '../emulators/segment/server'

const CLI = path.join(__dirname, '..', 'cli', 'main.ts')

export class LocalProcessError extends Error {
  override name = 'LocalProcessError'
}

export interface LocalProcess {
  child: ChildProcess
  url: string
  /** Kills it (SIGKILL: nothing is flushed) or stops it (SIGTERM), and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>
}

/** Starts `segment-personalize local --data-dir <dataDir> <args…>` and resolves once it prints its ready line. */
export async function startLocal(dataDir: string, ...args: string[]): Promise<LocalProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'local',
      '--data-dir',
      dataDir,
      ...(args.includes('--port') ? [] : ['--port', '0']),
      ...args
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /ready at (http:\/\/[^:]+:\d+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new LocalProcessError(`local exited ${String(code)}: ${out}`)))
  })
  return {
    child,
    url,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    }
  }
}

/** A port nothing listens on now, so that a restarted process keeps the URL its destination settings name. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface LocalStats {
  segment: { stored: number; duplicates: number; dropped: Record<string, number> }
  profiles: number
  delivery: DeliveryStats
}

export async function localStats(url: string): Promise<LocalStats> {
  return (await (await fetch(`${url}/_local/stats`)).json()) as LocalStats
}

/**
 * Resolves once the local Segment has stored at least `stored` messages since the process started and delivery has
 * nothing pending (queued, in a batch or waiting to be retried); throws with the last stats after the deadline.
 */
export async function untilDeliveryIdle(url: string, stored: number, deadlineMs = 40_000): Promise<LocalStats> {
  const deadline = Date.now() + deadlineMs
  for (;;) {
    const stats = await localStats(url)
    if (stats.segment.stored >= stored && stats.delivery.pending === 0) return stats
    if (Date.now() > deadline) throw new LocalProcessError(`delivery not idle: ${JSON.stringify(stats)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The destination's settings for the local stack at `url` (what `provision --endpoint <url> --json` prints). */
export function localSettings(url: string, trackingId: string, extra: Partial<Settings> = {}): Settings {
  return {
    region: 'us-west-2',
    trackingId,
    personalizeEventsEndpoint: url,
    personalizeRuntimeEndpoint: url,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    segmentEndpoint: `${url}/v1`,
    segmentWriteKey: ROUND_TRIP_SOURCE.writeKey,
    ...extra
  }
}

/** The smallest Personalize that takes events: a dataset group with the workshop's Interactions dataset and a tracker. */
export async function provisionTracker(control: PersonalizeClient, name: string) {
  const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name }))
  const { schemaArn } = await control.send(
    new CreateSchemaCommand({ name: `${name}-interactions`, schema: INTERACTIONS_SCHEMA })
  )
  const { datasetArn } = await control.send(
    new CreateDatasetCommand({ name: 'interactions', schemaArn, datasetGroupArn, datasetType: 'Interactions' })
  )
  const { trackingId } = await control.send(new CreateEventTrackerCommand({ name: 'tracker', datasetGroupArn }))
  return { datasetGroupArn: datasetGroupArn!, datasetArn: datasetArn!, trackingId: trackingId! }
}
