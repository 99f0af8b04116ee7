import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Settings } from '../../destination/generated-types'
import {
  LOCAL_SOURCES,
  LocalStackError,
  startLocalStack,
  type LocalStack,
  type LocalStackOptions
} from '../../emulators/localStack'
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

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `--retry-for 4h` (or 30m, 90s, 500ms, 0) in milliseconds; undefined without the flag (delivery's default). */
function duration(name: string, value: string | boolean | string[] | undefined): number | undefined {
  if (value === undefined) return undefined
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value) : null
  if (!match || (match[2] === undefined && match[1] !== '0'))
    throw new RangeError(`--${name} must be a duration such as 4h, 30m, 90s or 500ms, not "${String(value)}"`)
  return Math.round(Number(match[1]) * UNITS_MS[match[2] ?? 'ms']!)
}

/** `--profile-token <token>`: the Profile API's access token, or undefined (the documented default). Segment's
 *  tokens are long random strings; a short one would be guessed. */
function profileToken(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length < 16 || /[\s:]/.test(value))
    throw new RangeError('--profile-token must be at least 16 characters, without spaces or colons')
  return value
}

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
  let options: LocalStackOptions
  try {
    options = {
      keys: sigv4Keys(values['sigv4-key']),
      port: integer('port', values.port, DEFAULT_PORT),
      host: typeof values.host === 'string' ? values.host : '127.0.0.1',
      dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined,
      strictWriteKeys: values['strict-write-keys'] === true,
      profileToken: profileToken(values['profile-token']),
      catalogueFile: typeof values.catalogue === 'string' ? values.catalogue : undefined,
      delayMs: integer('delay-ms', values['delay-ms'], 1000),
      retryForMs: duration('retry-for', values['retry-for']),
      faults: {
        throttle: fraction('fail-throttle', values['fail-throttle']),
        error: fraction('fail-error', values['fail-error']),
        delay: fraction('fail-delay', values['fail-delay']),
        delayMs: integer('fail-delay-ms', values['fail-delay-ms'], 1000),
        seed: Date.now()
      }
    }
  } catch (error) {
    console.error((error as Error).message)
    return 2
  }
  // Without --destination, the settings npm start (segment-personalize start) keeps in the data dir.
  const destinationFile =
    typeof values.destination === 'string'
      ? values.destination
      : options.dataDir && path.join(options.dataDir, 'destination.json')
  if (typeof values.lambda === 'string') {
    try {
      options.lambdaZip = readFileSync(values.lambda)
    } catch (error) {
      console.error(
        `Cannot read --lambda ${values.lambda}: ${(error as Error).message} (segment-personalize lambda build writes one)`
      )
      return 2
    }
  }
  let stack: LocalStack
  try {
    stack = await startLocalStack({
      ...options,
      settings: () => (destinationFile ? settingsFrom(destinationFile) : undefined)
    })
  } catch (error) {
    if (!(error instanceof LocalStackError)) throw error
    console.error(error.message)
    return 1
  }
  console.log(
    `local stack ready at ${stack.url} (Personalize for the AWS SDKs; Segment's Tracking API at /v1/…, write keys ` +
      `${LOCAL_SOURCES.map((source) => `${source.name}=${source.writeKey}`).join(', ')})`
  )
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve())
  })
  await stack.close()
  return 0
}
