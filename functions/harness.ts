// A local Functions runtime: loads a built function the way Segment's runtime does (the script inside a function
// whose parameters are the handler names, in a vm context with the runtime's globals and error classes, no
// `require`), runs a handler with the 5-second limit, and reports what Segment would do with the event.
// https://segment.com/docs/connections/functions/destination-functions/#errors-and-error-handling
import vm from 'node:vm'
import nodeCrypto, { webcrypto } from 'node:crypto'
import { RUNTIME_ERRORS, type RuntimeErrorName } from './runtime'

export const HANDLER_NAMES = [
  'onTrack',
  'onIdentify',
  'onPage',
  'onScreen',
  'onGroup',
  'onAlias',
  'onDelete',
  'onBatch'
] as const
export type HandlerName = (typeof HANDLER_NAMES)[number]

type Handler = (payload: unknown, settings: unknown) => Promise<unknown>

/** What Segment does with an event, by how the handler ended. */
export type Verdict = { outcome: 'delivered'; value: unknown } | { outcome: Failed; error: string; message: string }

type Failed = 'retried' | 'rejected' | 'unsupported' | 'failed'

// Thrown error class → Segment's handling (§4.3 of the platform notes): RetryError and timeouts are retried for up to
// 4 hours; ValidationError and InvalidEventPayload are discarded as Message Rejected; EventNotSupported as
// Unsupported Event Type; any other error as Bad Request.
const VERDICTS: Record<RuntimeErrorName | 'Timeout', Failed> = {
  RetryError: 'retried',
  Timeout: 'retried',
  ValidationError: 'rejected',
  InvalidEventPayload: 'rejected',
  EventNotSupported: 'unsupported'
}

function errorClass(name: string): new (message: string) => Error {
  return class extends Error {
    override name = name
  }
}

export interface Runtime {
  handlers: Partial<Record<HandlerName, Handler>>
  /** Runs a handler as Segment would; a missing handler is EventNotSupported. */
  run(handler: HandlerName, payload: unknown, settings: Record<string, unknown>): Promise<Verdict>
}

export interface RuntimeOptions {
  /** The limit per invocation (Segment's is 5 s). */
  timeoutMs?: number
  /** `process.env` inside the function. */
  env?: Record<string, string>
  /** `crypto`: current Node's WebCrypto global (the default), or Node's crypto module as Segment documents it. */
  crypto?: 'webcrypto' | 'module'
  /** `AWS`: an aws-sdk v2 (the tests pass 2.488.0, the version Segment documents); absent by default. */
  aws?: unknown
  /** `cache`: shared between loads to play a runtime that evaluates the script again in the same process. */
  cache?: FunctionCache
}

export interface FunctionCache {
  load(key: string, ttl: number, fn: () => Promise<unknown>): Promise<unknown>
  delete(key: string): boolean
}

/** The runtime's per-process cache: cache.load(key, ttl, fn) and cache.delete(key). */
export function functionCache(): FunctionCache {
  const store = new Map<string, { value: unknown; expires: number }>()
  return {
    async load(key, ttl, fn) {
      const hit = store.get(key)
      if (hit && hit.expires > Date.now()) return hit.value
      const value = await fn()
      store.set(key, { value, expires: Date.now() + ttl })
      return value
    },
    delete: (key) => store.delete(key)
  }
}

export function loadFunction(code: string, options: RuntimeOptions = {}): Runtime {
  const timeoutMs = options.timeoutMs ?? 5000
  const errors = Object.fromEntries(RUNTIME_ERRORS.map((name) => [name, errorClass(name)]))
  const context = vm.createContext({
    ...errors,
    fetch,
    Request,
    Response,
    Headers,
    FormData,
    URL,
    URLSearchParams,
    AbortController,
    AbortSignal,
    TextEncoder,
    TextDecoder,
    crypto: options.crypto === 'module' ? nodeCrypto : webcrypto,
    ...(options.aws === undefined ? {} : { AWS: options.aws }),
    Buffer,
    atob,
    btoa,
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    process: { env: { ...options.env } },
    cache: options.cache ?? functionCache()
  })
  const names = HANDLER_NAMES.join(', ')
  const wrapped = `(function (${names}) {\n${code}\n;return { ${names} }\n})()`
  const handlers = vm.runInContext(wrapped, context, { timeout: timeoutMs }) as Partial<Record<HandlerName, Handler>>
  return {
    handlers,
    async run(name, payload, settings) {
      const handler = handlers[name]
      if (typeof handler !== 'function')
        return { outcome: 'unsupported', error: 'EventNotSupported', message: `${name} is not defined` }
      let timer: NodeJS.Timeout | undefined
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new (errorClass('Timeout'))(`${name} ran past ${timeoutMs} ms`)), timeoutMs)
      })
      try {
        // Events reach the function as JSON.
        const value = await Promise.race([handler(structuredClone(payload), structuredClone(settings)), limit])
        return { outcome: 'delivered', value }
      } catch (error) {
        const { name: type, message } = error instanceof Error ? error : { name: 'Error', message: String(error) }
        const outcome: Failed = VERDICTS[type as RuntimeErrorName] ?? 'failed'
        return { outcome, error: type, message }
      } finally {
        clearTimeout(timer)
      }
    }
  }
}
