// The child side of the Node 14 harness (index.ts): runs under a real Node 14 binary, compiled for Node 14 by esbuild,
// and loads the built function the way Segment's runtime does: the script inside a function whose parameters are the
// handler names (so handlers must be function declarations), in a vm context without `require`, with the documented
// dependencies (https://segment.com/docs/connections/functions/dependencies/): node-fetch 2.6.0 as `fetch`, Node's
// crypto module as `crypto`, aws-sdk 2.488.0 as `AWS`, `atob`/`btoa`, the runtime's `cache` and its error classes.
// Whether those reach the script as globals or as parameters of the wrapper is not documented, so both are run:
// "globals" puts them in the context, "parameters" passes them to the wrapper and leaves them out of the context.
// Protocol: one JSON request a line on stdin ({id, op: 'load', code, mode} or {id, op: 'run', handler, payload,
// settings} or {id, op: 'cpu'}), one JSON answer a line on stdout ({id, verdict}, {id, cpuMicros} or {id, error}).
import crypto from 'crypto'
import readline from 'readline'
import vm from 'vm'

const HANDLERS = ['onTrack', 'onIdentify', 'onPage', 'onScreen', 'onGroup', 'onAlias', 'onDelete', 'onBatch']
const ERROR_NAMES = ['RetryError', 'ValidationError', 'InvalidEventPayload', 'EventNotSupported']
const VERDICTS: Record<string, string> = {
  RetryError: 'retried',
  Timeout: 'retried',
  ValidationError: 'rejected',
  InvalidEventPayload: 'rejected',
  EventNotSupported: 'unsupported'
}
const TIMEOUT_MS = Number(process.env.FUNCTION_TIMEOUT_MS ?? 5000)

type Handler = (payload: unknown, settings: unknown) => Promise<unknown>
type Request =
  | { id: number; op: 'load'; code: string; mode: 'globals' | 'parameters' }
  | { id: number; op: 'run'; handler: string; payload: unknown; settings: unknown }
  | { id: number; op: 'cpu' }

// Loaded by absolute path: the harness passes where npm put the pinned versions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fetch = require(process.env.NODE_FETCH_PATH!) as unknown
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AWS = require(process.env.AWS_SDK_PATH!) as unknown

function errorClass(name: string): new (message: string) => Error {
  const Class = class extends Error {}
  Object.defineProperty(Class.prototype, 'name', { value: name })
  return Class
}

const atob = (text: string) => Buffer.from(text, 'base64').toString('binary')
const btoa = (text: string) => Buffer.from(text, 'binary').toString('base64')

function makeCache() {
  const store = new Map<string, { value: unknown; expires: number }>()
  return {
    async load(key: string, ttl: number, fn: () => Promise<unknown>) {
      const hit = store.get(key)
      if (hit && hit.expires > Date.now()) return hit.value
      const value = await fn()
      store.set(key, { value, expires: Date.now() + ttl })
      return value
    },
    delete: (key: string) => store.delete(key)
  }
}

let handlers: Record<string, Handler | undefined> = {}

function load(code: string, mode: 'globals' | 'parameters'): void {
  const errors: Record<string, unknown> = {}
  for (const name of ERROR_NAMES) errors[name] = errorClass(name)
  const dependencies: Record<string, unknown> = { fetch, crypto, AWS, atob, btoa, cache: makeCache() }
  // What any Node process has, whatever the runtime adds.
  const node = {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    Buffer,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder
  }
  const given = { ...errors, ...dependencies }
  const context = vm.createContext(mode === 'globals' ? { ...node, ...given } : node)
  const names = Object.keys(given)
  const params = mode === 'globals' ? HANDLERS : [...HANDLERS, ...names]
  const wrapper = vm.runInContext(
    `(function (${params.join(', ')}) {\n${code}\n;return { ${HANDLERS.join(', ')} }\n})`,
    context,
    {
      timeout: TIMEOUT_MS
    }
  ) as (...args: unknown[]) => Record<string, Handler | undefined>
  const args = mode === 'globals' ? [] : [...HANDLERS.map(() => undefined), ...names.map((name) => given[name])]
  handlers = wrapper(...args)
}

async function run(name: string, payload: unknown, settings: unknown) {
  const handler = handlers[name]
  if (typeof handler !== 'function')
    return { outcome: 'unsupported', error: 'EventNotSupported', message: `${name} is not defined` }
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new (errorClass('Timeout'))(`${name} ran past ${TIMEOUT_MS} ms`)), TIMEOUT_MS)
  })
  try {
    const value = await Promise.race([handler(payload, settings), limit])
    return { outcome: 'delivered', value }
  } catch (error) {
    const { name: type, message } =
      error !== null && typeof error === 'object' && 'name' in error && 'message' in error
        ? { name: String(error.name), message: String(error.message) }
        : { name: 'Error', message: String(error) }
    return { outcome: VERDICTS[type] ?? 'failed', error: type, message }
  } finally {
    clearTimeout(timer)
  }
}

const lines = readline.createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const request = JSON.parse(line) as Request
  const answer = (body: object) => process.stdout.write(`${JSON.stringify({ id: request.id, ...body })}\n`)
  if (request.op === 'cpu') {
    // For the benchmark: this process's CPU time so far, in µs.
    const { user, system } = process.cpuUsage()
    answer({ cpuMicros: user + system })
    return
  }
  if (request.op === 'load') {
    try {
      load(request.code, request.mode)
      answer({ loaded: true })
    } catch (error) {
      answer({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
    }
    return
  }
  run(request.handler, request.payload, request.settings).then(
    (verdict) => answer({ verdict }),
    (error: unknown) => answer({ error: String(error) })
  )
})
lines.on('close', () => process.exit(0))
