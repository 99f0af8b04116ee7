// One HTTP server for the three Personalize services, the way LocalStack serves many on one port: the real SDK
// clients are pointed at it with `endpoint`. restJson1 operations are told apart by path, awsJson1_1 ones by
// `X-Amz-Target`. Every request is checked in AWS's order: body size, JSON, operation, input shape, then the
// operation itself; nothing a client sends makes it crash, hang or answer 500.
import type http from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { controlOperations, type ControlOperation } from './controlPlane'
import { Journal, MUTATING, replay } from './journal'
import { DATA_OPERATIONS } from './dataPlane'
import { getPersonalizedRanking, getRecommendations } from './runtime'
import { seeded } from './random'
import { createLimitedServer, lingerAfterAnswer, readLimited } from '../http'
import { verifySignature } from './sigv4'
import { AwsError, ERRORS, parseJson, sendError, sendResult, type Protocol } from './protocol'
import { journaledExport } from './exports'
import { importedFile } from './training'
import { CONTROL_SHAPES, SHAPES } from './shapes'
import { Store } from './store'
import { validate, validationMessage, type Shape } from './validation'

export interface PersonalizeEmulatorOptions {
  /** How long a created resource takes to become ACTIVE; 0 in tests. */
  delayMs?: number
  account?: string
  region?: string
  /** The largest request body accepted. */
  maxBodyBytes?: number
  /** The folder that s3://bucket/key data locations map to (<s3Root>/bucket/key). */
  s3Root?: string
  /** When set, requests must be SigV4-signed with one of these keys (access key ID → secret access key). */
  keys?: Record<string, string>
  /** Where state is kept across restarts; in memory only without it. */
  dataDir?: string
  /** Fault injection for reliability tests: fractions of calls (0–1) that fail or are delayed. */
  faults?: Faults
  /** The clock requests are handled by (epoch milliseconds); tests step it to watch statuses move. */
  clock?: () => number
}

export interface Faults {
  /** Answered with ThrottlingException (HTTP 400), as Personalize throttles. */
  throttle?: number
  /** Answered with InternalFailure (HTTP 500). */
  error?: number
  /** Delayed by `delayMs` before being handled. */
  delay?: number
  delayMs?: number
  /** Seed of the random choice, so a test sees the same faults every run. */
  seed?: number
}

const REST_ROUTES: Record<string, keyof typeof SHAPES> = {
  '/events': 'PutEvents',
  '/users': 'PutUsers',
  '/items': 'PutItems',
  '/recommendations': 'GetRecommendations',
  '/personalize-ranking': 'GetPersonalizedRanking'
}
const TARGET_PREFIX = 'AmazonPersonalize.'

// The region a request is for: its SigV4 credential scope (Credential=<key>/<date>/<region>/<service>/aws4_request),
// as every AWS SDK and the CLI sign it; unsigned requests are for the emulator's default region. One local stack
// serves clients of every region, each seeing its own region's resources, as AWS's regional endpoints do.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-string-to-sign
const SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//
export function requestRegion(req: http.IncomingMessage, fallback: string): string {
  return SCOPE.exec(String(req.headers.authorization ?? ''))?.[1] ?? fallback
}

interface Routed {
  op: string
  protocol: Protocol
  shape: Extract<Shape, { type: 'structure' }>
  run: (store: Store, input: Record<string, unknown>) => Record<string, unknown> | AwsError
}

const REST_OPERATIONS: Record<keyof typeof SHAPES, Routed['run']> = {
  ...DATA_OPERATIONS,
  GetRecommendations: getRecommendations,
  GetPersonalizedRanking: getPersonalizedRanking
}

type ControlOperations = ReturnType<typeof controlOperations>

/** Every operation the emulator serves, by service (the docs' support table and the conformance test read this). */
export function servedOperations(): Record<'personalize' | 'personalize-events' | 'personalize-runtime', string[]> {
  const control = Object.keys(controlOperations('')).filter((op) => op in CONTROL_SHAPES)
  const rest = Object.values(REST_ROUTES)
  return {
    personalize: control.sort(),
    'personalize-events': rest.filter((op) => op in DATA_OPERATIONS).sort(),
    'personalize-runtime': rest.filter((op) => !(op in DATA_OPERATIONS)).sort()
  }
}

function route(req: http.IncomingMessage, controlPlane: ControlOperations): Routed | AwsError {
  const target = req.headers['x-amz-target']
  if (req.method === 'POST' && req.url === '/' && typeof target === 'string') {
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
    // Own names only: `AmazonPersonalize.constructor` (or toString, __proto__) is no operation.
    const run = Object.hasOwn(controlPlane, op) ? controlPlane[op] : undefined
    if (!run || !Object.hasOwn(CONTROL_SHAPES, op))
      return ERRORS.unknownOperation(`Operation ${target} is not supported.`)
    return { op, protocol: 'awsJson1_1', shape: CONTROL_SHAPES[op as ControlOperation], run }
  }
  const op = req.method === 'POST' && Object.hasOwn(REST_ROUTES, req.url ?? '') ? REST_ROUTES[req.url ?? ''] : undefined
  if (!op) return ERRORS.unknownOperation(`No operation at ${req.method ?? ''} ${req.url ?? ''}.`)
  return { op, protocol: 'restJson1', shape: SHAPES[op], run: REST_OPERATIONS[op] }
}

export function createPersonalizeEmulator(options: PersonalizeEmulatorOptions = {}) {
  const defaultRegion = options.region ?? 'us-west-2'
  const store = new Store(defaultRegion, options.account ?? '000000000000', options.delayMs ?? 1000)
  const maxBodyBytes = options.maxBodyBytes ?? 6 * 1024 * 1024
  const s3Root = options.s3Root ?? path.resolve('s3')
  const operations = controlOperations(s3Root)
  const journal = options.dataDir ? new Journal(options.dataDir) : undefined
  if (journal) {
    const all: Record<string, Routed['run']> = { ...operations, ...REST_OPERATIONS }
    // Entries written before regions were recorded are the default region's (it was the only one then).
    replay(
      store,
      journal.takeEntries(),
      defaultRegion,
      (op, input) => all[op]?.(store, input),
      (entry, result) => journal.diverged(entry, result)
    )
  }

  /** Runs an operation at one instant, and journals it when it changed state: `durable` resolves once the journal
   *  entry is fsynced, and the answer waits for it; if the entry cannot be kept, the store's changes are taken back
   *  and the request fails (journal.ts). */
  const clock = options.clock ?? Date.now
  store.now = clock
  const execute = (routed: Routed, input: Record<string, unknown>, region: string) => {
    const at = clock()
    store.now = () => at
    store.ids = []
    store.region = region
    try {
      // Only a file the import will read is copied into the data dir: not a directory, not before the dataset is
      // known to exist.
      const imported =
        journal && routed.op === 'CreateDatasetImportJob' ? importedFile(store, input, s3Root) : undefined
      const stored = journal && imported ? journal.keepImport(input, imported) : input
      if (!journal || !MUTATING.test(routed.op)) return { result: routed.run(store, stored), durable: undefined }
      const { result, undo } = store.transaction(() => routed.run(store, stored))
      // A refused operation changes nothing (and is not journaled).
      if (result instanceof AwsError) {
        undo()
        return { result, durable: undefined }
      }
      // An export's entry keeps its failure reason: a replay restores it rather than writing the files again.
      const journaled = routed.op === 'CreateDatasetExportJob' ? journaledExport(store, stored, result) : stored
      const entry = { op: routed.op, input: journaled, at, ids: store.ids, region, delayMs: store.delayMs }
      return { result, durable: journal.append(entry, undo) }
    } finally {
      store.now = clock
      store.region = defaultRegion
    }
  }
  const faults = options.faults ?? {}
  const roll = seeded(faults.seed ?? 1)
  const injectFault = (): AwsError | 'delay' | undefined => {
    const r = roll()
    const [throttle, error, delay] = [faults.throttle ?? 0, faults.error ?? 0, faults.delay ?? 0]
    if (r < throttle) return ERRORS.throttling()
    if (r < throttle + error) return ERRORS.internal()
    if (r < throttle + error + delay) return 'delay'
    return undefined
  }
  const listener: http.RequestListener = (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 'restJson1', ERRORS.internal())
    })
  }
  const server = createLimitedServer(listener)

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const routed = route(req, operations)
    const protocol: Protocol = !(routed instanceof AwsError)
      ? routed.protocol
      : req.headers['x-amz-target']
        ? 'awsJson1_1'
        : 'restJson1'
    // Refused as soon as it is over the limit: the rest is dropped, never held.
    const raw = await readLimited(req, maxBodyBytes)
    if (raw === undefined) {
      lingerAfterAnswer(req, res)
      return sendError(res, protocol, ERRORS.serialization(`Request body exceeds ${maxBodyBytes} bytes`))
    }
    const body = raw.toString('utf8')
    const fault = injectFault()
    if (fault === 'delay') await new Promise((resolve) => setTimeout(resolve, faults.delayMs ?? 1000))
    else if (fault) return sendError(res, protocol, fault)
    const unsigned = options.keys ? verifySignature(req, raw, options.keys) : undefined
    if (unsigned) return sendError(res, protocol, unsigned)
    if (routed instanceof AwsError) return sendError(res, protocol, routed)
    const input = parseJson(body)
    if (input instanceof AwsError) return sendError(res, protocol, input)
    const checked = validate(routed.shape, input)
    if (checked.serialization) return sendError(res, protocol, ERRORS.serialization(checked.serialization))
    if (checked.violations.length > 0)
      return sendError(res, protocol, ERRORS.invalidInput(validationMessage(checked.violations)))
    const { result, durable } = execute(routed, input, requestRegion(req, defaultRegion))
    await durable
    if (result instanceof AwsError) return sendError(res, protocol, result)
    sendResult(res, protocol, protocol === 'restJson1' && Object.keys(result).length === 0 ? undefined : result)
  }

  return {
    store,
    /** The journal under --data-dir: its stats tell what was skipped, cut and failed. */
    journal,
    server,
    /** The request handler, for a server that serves other APIs beside this one (segment-personalize local). */
    listener,
    async listen(port = 0, host = '127.0.0.1'): Promise<string> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, resolve)
      })
      const address = server.address() as AddressInfo
      return `http://${host}:${address.port}`
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          void (journal?.close() ?? Promise.resolve()).finally(resolve)
        })
      })
  }
}
