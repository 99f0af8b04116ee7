import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPersonalizeEmulator, type Faults } from '../../emulators/personalize/server'
import { createDelivery } from '../../emulators/segment/delivery'
import { createSegmentEmulator, ROUND_TRIP_SOURCE } from '../../emulators/segment/server'
import type { Settings } from '../../destination/generated-types'
import { readFileSync, statSync } from 'node:fs'
import { defaultSource, SOURCE_NAMES } from '../../generators/sources'
import { DEFAULT_PORT } from './options'
export { DEFAULT_PORT, localOptions } from './options'

// The destination settings file (provision --json writes one), read again whenever it changes, so that the stack
// starts delivering once provisioning has created the tracker.
let cached: { file: string; mtime: number; settings: Settings | undefined } | undefined
function settingsFrom(file: string): Settings | undefined {
  let mtime: number
  try {
    mtime = statSync(file).mtimeMs
  } catch {
    return undefined
  }
  if (cached?.file !== file || cached.mtime !== mtime) {
    let settings: Settings | undefined
    try {
      settings = JSON.parse(readFileSync(file, 'utf8')) as Settings
    } catch (error) {
      console.error(`Cannot read --destination ${file}: ${(error as Error).message}`)
    }
    cached = { file, mtime, settings }
  }
  return cached.settings
}

// The generator's sources, with its default write keys: `generate --host <local url>` works as it is.
const SEGMENT_SOURCES = [...SOURCE_NAMES.map(defaultSource), ROUND_TRIP_SOURCE]

function integer(name: string, value: string | boolean | string[] | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 0)
    throw new RangeError(`--${name} must be a whole number, not "${String(value)}"`)
  return n
}

function fraction(name: string, value: string | boolean | string[] | undefined): number {
  if (value === undefined) return 0
  const n = Number(value)
  if (typeof value !== 'string' || !(n >= 0 && n <= 1))
    throw new RangeError(`--${name} must be a fraction from 0 to 1, not "${String(value)}"`)
  return n
}

/** Starts the local Personalize and keeps it running until the process is stopped. */
/** `--sigv4-key <id>:<secret>` values as a key table, or undefined (verification off). */
function sigv4Keys(values: unknown): Record<string, string> | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined
  const pairs = (values as string[]).map((value) => {
    const at = value.indexOf(':')
    if (at < 1 || at === value.length - 1)
      throw new RangeError(`--sigv4-key must be <access key id>:<secret access key>`)
    return [value.slice(0, at), value.slice(at + 1)]
  })
  return Object.fromEntries(pairs) as Record<string, string>
}

export async function runLocal(values: Record<string, string | boolean | string[] | undefined>): Promise<number> {
  let port: number
  let delayMs: number
  let faults: Faults
  let keys: Record<string, string> | undefined
  try {
    keys = sigv4Keys(values['sigv4-key'])
    port = integer('port', values.port, DEFAULT_PORT)
    delayMs = integer('delay-ms', values['delay-ms'], 1000)
    faults = {
      throttle: fraction('fail-throttle', values['fail-throttle']),
      error: fraction('fail-error', values['fail-error']),
      delay: fraction('fail-delay', values['fail-delay']),
      delayMs: integer('fail-delay-ms', values['fail-delay-ms'], 1000),
      seed: Date.now()
    }
  } catch (error) {
    console.error((error as Error).message)
    return 2
  }
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1'
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined
  const destinationFile = typeof values.destination === 'string' ? values.destination : undefined
  const delivery = createDelivery({ settings: () => (destinationFile ? settingsFrom(destinationFile) : undefined) })
  let emulator: ReturnType<typeof createPersonalizeEmulator>
  let segment: ReturnType<typeof createSegmentEmulator>
  try {
    emulator = createPersonalizeEmulator({ delayMs, faults, dataDir, keys })
    segment = createSegmentEmulator({
      dataDir,
      sources: SEGMENT_SOURCES,
      strict: values['strict-write-keys'] === true,
      onStored: (messages) => delivery.enqueue(messages)
    })
  } catch (error) {
    console.error(`Cannot use --data-dir ${dataDir ?? ''}: ${(error as Error).message}`)
    return 1
  }
  // One port for both: Segment's Tracking API is /v1/…, everything else is Personalize's.
  const server = http.createServer((req, res) => {
    if (req.url === '/_local/stats') {
      // What the local Segment stored and dropped, and what delivery sent, retried and finally failed.
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ segment: segment.stats, delivery: delivery.stats }, null, 2))
    }
    if (req.url?.startsWith('/v1/')) return segment.listener(req, res)
    emulator.listener(req, res)
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, resolve)
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    console.error(
      code === 'EADDRINUSE'
        ? `Port ${port} is in use: choose another with --port.`
        : `Could not listen on ${host}:${port}: ${(error as Error).message}`
    )
    return 1
  }
  const url = `http://${host}:${(server.address() as AddressInfo).port}`
  console.log(
    `local stack ready at ${url} (Personalize for the AWS SDKs; Segment's Tracking API at /v1/…, write keys ` +
      `${SEGMENT_SOURCES.map((source) => `${source.name}=${source.writeKey}`).join(', ')})`
  )
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve())
  })
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await segment.close()
  await emulator.close()
  return 0
}
