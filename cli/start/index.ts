// `segment-personalize start` (npm start): the workshop, offline, in one command. History into the data dir, the local
// stack, the backfill, provisioning and training, then a live day through the destination, with progress and a
// summary, and the explorer left open. What a run has done is recorded in the data dir so a re-run goes on from it.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { backfill } from '../../backfill/backfill'
import type { Settings } from '../../destination/generated-types'
import { startLocalStack, type LocalStack } from '../../emulators/localStack'
import { buildLambda } from '../../lambda/build'
import type { StoredMessage } from '../../emulators/segment/logStore'
import { ROUND_TRIP_SOURCE } from '../../emulators/segment/server'
import { dayOf, formatDay } from '../../generators/calendar'
import { DEFAULT_MIX, DEFAULTS, type ModelOptions } from '../../generators/model'
import { replay, replayToFiles } from '../../generators/replay'
import { trackingApiSink } from '../../generators/sinks/trackingApi'
import { defaultSource, SOURCE_NAMES } from '../../generators/sources'
import { provision } from '../../provision/provision'
import { destinationSettings } from '../../provision/settings'
import { DEFAULT_PORT } from '../local/options'
import { DEMO_DEFAULTS } from './options'

type Values = Record<string, string | boolean | string[] | undefined>

/** What earlier runs did, kept in the data dir; its presence also marks the dir as this command's. */
interface DemoState {
  history?: { from: number; to: number; messages: number }
  backfilled?: boolean
  /** The live day, and how far into it the stream got. */
  live?: { day: number; sent: number; flushed?: boolean }
}

const STATE_FILE = 'demo-state.json'
const NAME = 'segment-personalize-demo'
// --domain ecommerce provisions under another name, so one data dir can hold both (a dataset group's domain is fixed).
const DOMAIN_NAME = 'segment-personalize-shop'
const REGION = 'us-west-2'
// A live day stopped by a crash (not by Ctrl-C, which flushes) resumes this many seconds of messages before where it
// was last recorded: those in flight may not have been acknowledged, and Segment drops the ones it already has (same
// messageIds).
const RESUME_OVERLAP_S = 10

export class DemoError extends Error {
  override name = 'DemoError'
}

function whole(name: string, value: string | boolean | string[] | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min)
    throw new DemoError(`--${name} must be a whole number of at least ${min}, not "${String(value)}"`)
  return n
}

/** --domain: ecommerce (any case), or none. */
function domainOf(value: string | boolean | string[] | undefined): 'ECOMMERCE' | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && value.toUpperCase() === 'ECOMMERCE') return 'ECOMMERCE'
  throw new DemoError(`--domain takes ecommerce, not "${String(value)}"`)
}

/** Makes (or cleans, or reuses) the data dir, and reads what earlier runs did. */
function prepareDataDir(dir: string, clean: boolean): DemoState {
  const stateFile = path.join(dir, STATE_FILE)
  let entries: string[] = []
  try {
    entries = readdirSync(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw explainFs(error, dir)
  }
  const ours = entries.includes(STATE_FILE)
  if (entries.length > 0 && !ours)
    throw new DemoError(
      `${dir} is not empty and was not made by segment-personalize start: choose another --data-dir (nothing was changed)`
    )
  if (clean && ours) rmSync(dir, { recursive: true, force: true })
  try {
    mkdirSync(dir, { recursive: true })
    if (!existsSync(stateFile)) saveState(dir, {})
    return JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState
  } catch (error) {
    throw explainFs(error, dir)
  }
}

function explainFs(error: unknown, dir: string): DemoError {
  const code = (error as NodeJS.ErrnoException).code
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'a part of the path is a file',
    ENOSPC: 'no space left on the device'
  }
  return new DemoError(
    `Cannot use the data dir ${dir}: ${reasons[code ?? ''] ?? (error as Error).message}. Choose another with --data-dir.`
  )
}

function saveState(dir: string, state: DemoState): void {
  const file = path.join(dir, STATE_FILE)
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2))
  renameSync(`${file}.tmp`, file)
}

/** Counts, for the progress lines and the summary, what the live stream caused. */
function liveCounters(stack: () => LocalStack | undefined) {
  const counts = { sent: 0, recommendations: 0, profiles: new Set<string>() }
  const observe = (message: StoredMessage) => {
    if (!stack() || message.projectId !== ROUND_TRIP_SOURCE.sourceId || message.type !== 'identify') return
    counts.recommendations++
    counts.profiles.add(
      typeof message.userId === 'string' ? message.userId : `anonymous:${String(message.anonymousId)}`
    )
  }
  const recorded = () => {
    let total = 0
    for (const events of stack()?.personalize.store.events.values() ?? []) total += events.length
    return total
  }
  const line = () => {
    const { segment, delivery } = stack()!.stats()
    return [
      `${counts.sent.toLocaleString('en-US')} events sent`,
      `${segment.stored.toLocaleString('en-US')} stored by Segment`,
      `${delivery.delivered.toLocaleString('en-US')} delivered through the destination`,
      `${recorded().toLocaleString('en-US')} interactions in Personalize`,
      `${counts.recommendations.toLocaleString('en-US')} recommendations written to ${counts.profiles.size.toLocaleString('en-US')} profiles`,
      `${delivery.failed} failed`,
      // Counted in messages; a message waiting for a retry (Segment's four hours) is neither delivered nor failed.
      ...(delivery.retrying > 0 ? [`${delivery.retrying.toLocaleString('en-US')} waiting for a retry`] : [])
    ].join(' · ')
  }
  return { counts, observe, line }
}

function portInUse(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(false)
  return new Promise((resolve) => {
    const probe = net.createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)))
  })
}

const step = (n: number, text: string) => console.log(`[${n}/5] ${text}`)
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`

export async function runStart(values: Values): Promise<number> {
  let options: {
    port: number
    days: number
    usersPerDay: number
    rate: number
    seed: number
    delayMs: number
    domain?: 'ECOMMERCE'
  }
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : DEMO_DEFAULTS.dataDir
  let state: DemoState
  try {
    options = {
      port: whole('port', values.port, DEFAULT_PORT),
      days: whole('days', values.days, DEMO_DEFAULTS.days, 7),
      usersPerDay: whole('users-per-day', values['users-per-day'], DEMO_DEFAULTS.usersPerDay, 50),
      rate: whole('rate', values.rate, DEMO_DEFAULTS.rate, 1),
      seed: whole('seed', values.seed, DEMO_DEFAULTS.seed),
      delayMs: whole('delay-ms', values['delay-ms'], 300),
      domain: domainOf(values.domain)
    }
    state = prepareDataDir(dataDir, values.clean === true)
  } catch (error) {
    if (!(error instanceof DemoError)) throw error
    console.error(error.message)
    return 2
  }
  // A port in use is found before the history is made, not after.
  const busy = await portInUse(options.port)
  if (busy) {
    console.error(`Port ${options.port} is in use: choose another with --port (or stop what is using it).`)
    return 1
  }
  const started = performance.now()
  const today = dayOf(Date.now())
  const model: ModelOptions = {
    ...DEFAULTS,
    mix: DEFAULT_MIX,
    seed: options.seed,
    usersPerDay: options.usersPerDay,
    from: today - options.days,
    sources: SOURCE_NAMES.map(defaultSource)
  }

  // 1. History, straight into the data dir's segment-logs/: the local Segment reads it as what it stored before.
  if (state.history)
    step(1, `history: kept from the last run (${state.history.messages.toLocaleString('en-US')} messages)`)
  else {
    const at = performance.now()
    let messages = 0
    await replayToFiles({ ...model, to: today - 1 }, dataDir, (progress) => (messages = progress.events))
    state.history = { from: model.from, to: today - 1, messages }
    saveState(dataDir, state)
    step(
      1,
      `history: ${messages.toLocaleString('en-US')} messages, ${formatDay(model.from)}..${formatDay(today - 1)}, ` +
        `into ${path.join(dataDir, 'segment-logs')} (${seconds(at)})`
    )
  }

  // 2. The stack. Delivery starts once provisioning has given it settings.
  let settings: Settings | undefined
  let stack: LocalStack | undefined
  const live = liveCounters(() => stack)
  try {
    // --lambda: the classic path, Segment's Lambda destination invoking the function `lambda build` makes.
    const lambdaZip =
      values.lambda === true ? (await buildLambda(path.join(dataDir, 'lambda', 'personalize.zip'))).zip : undefined
    stack = await startLocalStack({
      lambdaZip,
      port: options.port,
      dataDir,
      delayMs: options.delayMs,
      settings: () => settings,
      observe: live.observe,
      // On a re-run, the backfill's catalogue names the explorer's items from the start.
      catalogueFile: state.backfilled ? path.join(dataDir, 'backfill', 'items.csv') : undefined
    })
  } catch (error) {
    console.error((error as Error).message)
    return 1
  }
  step(
    2,
    `local stack ready at ${stack.url} (explorer: ${stack.url}/ )` +
      (values.lambda === true ? '; delivery through the Lambda build, invoked as Lambda does' : '')
  )
  const stopped = stopSignal()
  try {
    // 3. Backfill: the logs as Personalize's CSVs.
    const csv = path.join(dataDir, 'backfill')
    if (!state.backfilled) {
      const at = performance.now()
      const report = await backfill({ input: path.join(dataDir, 'segment-logs'), out: csv })
      state.backfilled = true
      saveState(dataDir, state)
      step(
        3,
        `backfill: ${report.interactions.toLocaleString('en-US')} interactions, ${report.users} users, ` +
          `${report.items} items → ${csv} (${seconds(at)})`
      )
    } else step(3, `backfill: kept from the last run (${csv})`)

    // 4. Provision and train (each resource reused when it exists).
    const at = performance.now()
    const name = options.domain ? DOMAIN_NAME : NAME
    const provisioned = await provision({
      name,
      domain: options.domain,
      personalize: new PersonalizeClient({
        region: REGION,
        endpoint: stack.url,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' }
      }),
      csv: {
        Interactions: path.join(csv, 'interactions.csv'),
        Users: path.join(csv, 'users.csv'),
        Items: path.join(csv, 'items.csv')
      },
      pollMs: 100
    })
    settings = destinationSettings(provisioned, REGION, stack.url)
    writeFileSync(path.join(dataDir, 'destination.json'), JSON.stringify(settings, null, 2))
    const reused = provisioned.steps.filter((line) => line.startsWith('reused')).length
    step(
      4,
      `provisioned ${name}: ${options.domain ? 'recommenders' : 'campaign'} and event tracker ACTIVE${reused > 0 ? ` (${reused} resources reused)` : ''} ` +
        `(${seconds(at)}); set-up took ${seconds(started)}`
    )

    // 5. Live: today's clickstream through the local Segment and the destination.
    const { live: last } = state
    const overlap = last?.flushed ? 0 : RESUME_OVERLAP_S * options.rate
    const resumeAt = last?.day === today ? Math.max(0, last.sent - overlap) : 0
    step(
      5,
      `live: streaming ${formatDay(today)} at ${options.rate} events/s${resumeAt > 0 ? ` from message ${resumeAt}` : ''}` +
        ` (Ctrl-C stops the stream; the explorer stays open)`
    )
    const ticker = setInterval(() => {
      console.log(`  ${live.line()}`)
      saveState(dataDir, { ...state, live: { day: today, sent: resumeAt + live.counts.sent } })
    }, 5000)
    try {
      await replay(
        { ...model, to: today, rate: options.rate, resumeAt, signal: stopped.signal },
        trackingApiSink({ host: stack.url, sources: model.sources }),
        (progress) => (live.counts.sent = progress.events - resumeAt)
      )
    } finally {
      clearInterval(ticker)
    }
    state.live = { day: today, sent: resumeAt + live.counts.sent, flushed: true }
    saveState(dataDir, state)
    // Everything tried once; what waits for a retry is said in the summary, not waited for (up to four hours).
    await stack.delivery.flushed()
    console.log(`summary: ${live.line()}`)
    console.log(`\nExplorer: ${stack.url}/ (Ctrl-C to stop)`)
    await stopped.next()
    return 0
  } catch (error) {
    console.error(`${(error as Error).name}: ${(error as Error).message}`)
    return 1
  } finally {
    await stack.close()
  }
}

/** Ctrl-C (or SIGTERM): while the live stream runs, it stops the stream; after, it stops the command. */
function stopSignal() {
  const controller = new AbortController()
  let streaming = true
  let wake: (() => void) | undefined
  let pending = false
  const onSignal = () => {
    if (streaming && !controller.signal.aborted) return controller.abort()
    if (wake) wake()
    else pending = true
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    /** Resolves on the next signal after the stream has ended. */
    next: () => {
      streaming = false
      return new Promise<void>((resolve) => {
        wake = () => {
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
          resolve()
        }
        if (pending) wake()
      })
    }
  }
}
