import { dayOf, formatDay, parseDay } from '../../generators/calendar'
import { DEFAULT_MIX, DEFAULTS, type Mix } from '../../generators/model'
import { progressBar } from '../../generators/progress'
import { replay, replayToFiles, type Progress, type ReplayOptions } from '../../generators/replay'
import { GeneratorError, type Sink } from '../../generators/sinks/sink'
import { OutputClosed, streamSink } from '../../generators/sinks/stream'
import { checkReachable, trackingApiSink } from '../../generators/sinks/trackingApi'
import { defaultSource, isSourceName, SOURCE_NAMES, type Source } from '../../generators/sources'

type Values = Record<string, string | boolean | string[] | undefined>

/** Numeric flags: the smallest value each takes, and whether it must be whole. */
const NUMBERS: Record<string, { min: number; whole: boolean; above?: boolean; max?: number }> = {
  seed: { min: 0, whole: true, max: 2 ** 32 - 1 },
  'users-per-day': { min: 1, whole: true },
  'sessions-per-user': { min: 1, whole: false },
  catalogue: { min: 1, whole: true },
  rate: { min: 0, whole: false, above: true }
}

function numberFlag(values: Values, flag: string, fallback: number): number
function numberFlag(values: Values, flag: string, fallback?: number): number | undefined
function numberFlag(values: Values, flag: string, fallback?: number): number | undefined {
  const text = values[flag]
  if (text === undefined) return fallback
  const rule = NUMBERS[flag]!
  const n = Number(text)
  const ok =
    typeof text === 'string' &&
    text.trim() !== '' &&
    Number.isFinite(n) &&
    (rule.above ? n > rule.min : n >= rule.min) &&
    n <= (rule.max ?? Infinity)
  if (!ok || (rule.whole && !Number.isInteger(n))) {
    const range = `${rule.above ? 'above' : 'of at least'} ${rule.min}${rule.max === undefined ? '' : ` and at most ${rule.max}`}`
    throw new GeneratorError(
      `--${flag} must be ${rule.whole ? 'a whole number' : 'a number'} ${range}, not "${String(text)}"`
    )
  }
  return n
}

const MIX_RULES: Record<keyof Mix, { min: number; max: number }> = {
  views: { min: 1, max: 100 },
  click: { min: 0, max: 1 },
  add: { min: 0, max: 1 },
  order: { min: 0, max: 1 }
}

function parseMix(text: string | undefined): Mix {
  const mix = { ...DEFAULT_MIX }
  for (const pair of text ? text.split(',') : []) {
    const [key = '', value = ''] = pair.split('=')
    const rule = MIX_RULES[key as keyof Mix] as { min: number; max: number } | undefined
    const n = Number(value)
    if (!rule) throw new GeneratorError(`--mix takes ${Object.keys(MIX_RULES).join(', ')}, not "${key}"`)
    if (value.trim() === '' || !(n >= rule.min && n <= rule.max))
      throw new GeneratorError(`--mix ${key} must be from ${rule.min} to ${rule.max}, not "${value}"`)
    mix[key as keyof Mix] = n
  }
  return mix
}

// Write keys and source ids end up in JSON, in Basic auth headers and in folder names: letters, digits, - and _.
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,100}$/

/** `<source>=<value>` pairs of a repeatable flag. */
function perSource(flag: string, values: string[] | undefined): Map<string, string> {
  const pairs = new Map<string, string>()
  for (const pair of values ?? []) {
    const at = pair.indexOf('=')
    const name = pair.slice(0, Math.max(at, 0))
    const value = pair.slice(at + 1)
    if (at < 0 || !isSourceName(name))
      throw new GeneratorError(
        `--${flag} takes <source>=<value> with a source of ${SOURCE_NAMES.join(', ')}, not "${pair}"`
      )
    if (!KEY_PATTERN.test(value))
      throw new GeneratorError(`--${flag} for ${name} must be 1 to 100 letters, digits, - or _, not "${value}"`)
    pairs.set(name, value)
  }
  return pairs
}

function parseSources(values: Values): Source[] {
  const names =
    typeof values.sources === 'string' ? values.sources.split(',').map((name) => name.trim()) : [...SOURCE_NAMES]
  const unknown = names.filter((name) => !isSourceName(name))
  if (unknown.length > 0)
    throw new GeneratorError(`--sources takes ${SOURCE_NAMES.join(', ')}, not "${unknown.join(', ')}"`)
  if (!names.some((name) => name !== 'email'))
    throw new GeneratorError('--sources needs at least one of web, ios, android: visitors arrive on them')
  const writeKeys = perSource('write-key', values['write-key'] as string[] | undefined)
  const sourceIds = perSource('source-id', values['source-id'] as string[] | undefined)
  return SOURCE_NAMES.filter((name) => names.includes(name)).map((name) => {
    const source = defaultSource(name)
    return {
      ...source,
      writeKey: writeKeys.get(name) ?? source.writeKey,
      sourceId: sourceIds.get(name) ?? source.sourceId
    }
  })
}

export interface GenerateRun {
  options: ReplayOptions
  sink: 'out' | 'stdout' | 'host'
  target?: string
}

/** The flags as a replay, or a GeneratorError saying which flag is wrong and why. */
export function parseGenerate(values: Values, today = dayOf(Date.now())): GenerateRun {
  const sinks = (['out', 'stdout', 'host'] as const).filter((flag) => values[flag] !== undefined)
  if (sinks.length !== 1)
    throw new GeneratorError('Choose where the messages go: one of --out <dir>, --stdout, --host <url>')
  const rate = numberFlag(values, 'rate')
  if (rate !== undefined && sinks[0] === 'out')
    throw new GeneratorError('--rate streams live: use it with --stdout or --host, not --out')
  const to = typeof values.to === 'string' ? parseDay('to', values.to) : rate ? today : today - 1
  if (to > today) throw new GeneratorError(`--to ${formatDay(to)} is in the future (today is ${formatDay(today)}, UTC)`)
  const from = typeof values.from === 'string' ? parseDay('from', values.from) : to - 29
  if (from > to) throw new GeneratorError(`--from ${formatDay(from)} is after --to ${formatDay(to)}`)
  if (values.compat !== undefined && values.compat !== 'workshop')
    throw new GeneratorError(`--compat takes "workshop", not "${String(values.compat)}"`)
  const target = sinks[0] === 'stdout' ? undefined : String(values[sinks[0]!])
  return {
    sink: sinks[0]!,
    target,
    options: {
      seed: numberFlag(values, 'seed', DEFAULTS.seed),
      from,
      to,
      rate,
      usersPerDay: numberFlag(values, 'users-per-day', DEFAULTS.usersPerDay),
      sessionsPerUser: numberFlag(values, 'sessions-per-user', DEFAULTS.sessionsPerUser),
      catalogueSize: numberFlag(values, 'catalogue', DEFAULTS.catalogueSize),
      mix: parseMix(values.mix as string | undefined),
      sources: parseSources(values),
      compat: values.compat === 'workshop' ? 'workshop' : undefined
    }
  }
}

async function openSink(run: GenerateRun): Promise<Sink> {
  if (run.sink === 'stdout') return streamSink(process.stdout)
  await checkReachable(run.target!)
  return trackingApiSink({ host: run.target!, sources: run.options.sources })
}

export async function runGenerate(values: Values): Promise<number> {
  let run: GenerateRun
  try {
    run = parseGenerate(values)
  } catch (error) {
    console.error((error as Error).message)
    return 2
  }
  const { options } = run
  const bar = progressBar(process.stderr)
  const stop = new AbortController()
  const interrupt = () => stop.abort()
  process.once('SIGINT', interrupt)
  const started = performance.now()
  try {
    const replayOptions = { ...options, signal: stop.signal }
    const onProgress = (progress: Progress) => bar.update(progress)
    const summary =
      run.sink === 'out'
        ? await replayToFiles(replayOptions, run.target!, onProgress)
        : await replay(replayOptions, await openSink(run), onProgress)
    bar.clear()
    const seconds = (performance.now() - started) / 1000
    const days = options.rate ? `${formatDay(options.to)} live` : `${formatDay(options.from)}..${formatDay(options.to)}`
    console.error(`generated ${days}: ${summary} in ${seconds.toFixed(1)} s`)
    return 0
  } catch (error) {
    bar.clear()
    if (error instanceof OutputClosed) return 0
    if (error instanceof GeneratorError) {
      console.error(error.message)
      return 1
    }
    throw error
  } finally {
    process.off('SIGINT', interrupt)
  }
}
