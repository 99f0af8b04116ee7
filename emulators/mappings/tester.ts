// The event tester, as Segment's Event Tester for an Actions destination: an event as Segment would hold it, run
// through every subscription with the real definition and framework (Destination.onBatch, as delivery runs it),
// showing which triggers match, what the mapping makes of the event, every request the action would send and the
// event's result. Nothing is sent: the tester's Destination sends through an HTTP agent that connects every request to
// a capture server of its own, which records it and answers as the service would.
// https://segment.com/docs/connections/destinations/actions/#testing-mappings
import http from 'node:http'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import { Destination, transform, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import { parseFql, validate } from '@segment/destination-subscriptions'
import definition from '../../destination'
import type { Settings } from '../../destination/generated-types'
import { endpointFor } from '../../destination/personalize/endpoints'
import { ACTION_CAN_ACT, type ActionName } from '../../destination/presets'
import type { Subscription } from '../segment/delivery'
import { readBody } from '../personalize/protocol'
import { rejection, stored, type Message } from '../segment/trackingApi'

export interface TesterOptions {
  /** The destination's settings, or undefined while it is not configured (placeholder settings are used then). */
  settings: () => Settings | undefined
  subscriptions: () => Subscription[]
  /** The local Personalize's URL: GetRecommendations addressed to it are answered by it (a read: it records nothing). */
  localPersonalize?: () => string | undefined
}

/** A request the action would have sent, with the answer the tester gave in its place. */
export interface CapturedRequest {
  /** PutEvents, PutUsers, PutItems, GetRecommendations, Segment batch, STS AssumeRole… */
  operation: string
  method: string
  url: string
  /** As sent, but for the credentials: Authorization's key ID and signature, session tokens. */
  headers: Record<string, string>
  /** Parsed when JSON, else the text. */
  body: unknown
  response: { status: number; body: unknown; answeredBy: 'tester' | 'local Personalize' }
}

/** The event's result from the framework: its multistatus entry, or the error it threw. */
export interface TestResult {
  ok: boolean
  status: number
  errortype?: string
  message?: string
  /** What the destination reports it sent. */
  sent?: unknown
}

export interface SubscriptionTest {
  name: string
  partnerAction: ActionName
  subscribe: string
  enabled: boolean
  /** Whether the trigger matches the event. */
  matched: boolean
  /** Why a matching subscription was not run: disabled, or its action cannot act with the settings. */
  skipped?: string
  /** What the mapping makes of the event (before the framework drops empty values and checks the fields). */
  payload?: JSONObject
  requests: CapturedRequest[]
  result?: TestResult
}

export interface TestReport {
  /** The event as Segment would hold it (messageId, timestamp, receivedAt… filled in when absent). */
  event: SegmentEvent
  /** `placeholder` when the destination is not configured: its requests show where they would go once it is. */
  settings: 'destination' | 'placeholder'
  note?: string
  subscriptions: SubscriptionTest[]
}

/** An event the tester cannot take: not a JSON object, or one Segment would not deliver. */
export class InvalidTestEvent extends Error {
  override name = 'InvalidTestEvent'
}

// Settings that let every action act, for a destination that is not configured yet. Never sent anywhere.
export const PLACEHOLDER_SETTINGS: Settings = {
  region: 'us-west-2',
  accessKeyId: 'AKIAPLACEHOLDER00000',
  secretAccessKey: 'placeholder-secret-access-key',
  trackingId: 'placeholder-tracking-id',
  campaignArn: 'arn:aws:personalize:us-west-2:000000000000:campaign/placeholder',
  usersDatasetArn: 'arn:aws:personalize:us-west-2:000000000000:dataset/placeholder/USERS',
  itemsDatasetArn: 'arn:aws:personalize:us-west-2:000000000000:dataset/placeholder/ITEMS',
  segmentWriteKey: 'placeholder-write-key'
}

const CANNOT_ACT: Record<ActionName, string> = {
  trackEvent: '',
  identifyUser: 'its action cannot act: the Users Dataset ARN setting is empty',
  syncItems: 'its action cannot act: the Items Dataset ARN setting is empty',
  syncRecommendations: 'its action cannot act: neither Campaign ARN nor Recommender ARN is set'
}

// Recommendations for GetRecommendations calls that are not addressed to the local Personalize (AWS, or placeholder
// settings): the tester sends nothing out, so it answers with these.
const SAMPLE_RECOMMENDATIONS = {
  itemList: [{ itemId: 'sample-item-1' }, { itemId: 'sample-item-2' }, { itemId: 'sample-item-3' }],
  recommendationId: 'RID-event-tester-sample'
}
const TESTER_SOURCE = 'event-tester'
// Personalize's largest request body (a PutEvents of ten events is far below it).
const MAX_BODY_BYTES = 6 * 1024 * 1024

/** The event as Segment would hold it once received, or why it cannot be tested. */
export function segmentEventOf(input: unknown): SegmentEvent {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new InvalidTestEvent(
      'The event must be a JSON object, as Segment shows one (type, event, properties, userId…).'
    )
  const reason = rejection(input as Message)
  if (reason) throw new InvalidTestEvent(`Segment would not deliver this event: ${reason}.`)
  const event = stored(input as Message, undefined, Date.now(), TESTER_SOURCE, '')
  delete event.writeKey
  return event as unknown as SegmentEvent
}

/** Segment's and AWS's credentials never reach the page: the key ID, the signature and session tokens are hidden. */
export function redactHeader(name: string, value: string): string {
  if (name === 'x-amz-security-token') return '(redacted)'
  if (name !== 'authorization') return value
  if (/^Basic /i.test(value)) return 'Basic (redacted)'
  return value.replace(/Credential=[^/,\s]+/, 'Credential=(redacted)').replace(/Signature=\w+/, 'Signature=(redacted)')
}

// Names of fields that hold secrets, in any case and with or without separators: STS's ExternalId (which the role's
// trust policy checks: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html),
// SecretAccessKey and SessionToken, write keys, tokens, passwords.
const SECRET_FIELD =
  /^(external[-_]?id|secret[-_]?access[-_]?key|session[-_]?token|write[-_]?key|.*token|.*password|.*secret)$/i
const REDACTED = '(redacted)'

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_FIELD.test(key) ? REDACTED : redactJson(item)])
  )
}

/** A body as the page shows it: JSON with secret fields replaced, a form (STS's Query protocol) likewise, XML
 *  elements named like them emptied; anything else as it is. */
export function redactBody(text: string, contentType: string): unknown {
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(text)
    for (const key of [...form.keys()]) if (SECRET_FIELD.test(key)) form.set(key, REDACTED)
    return form.toString()
  }
  const value = parsed(text)
  if (typeof value !== 'string') return redactJson(value)
  return value.replace(/<([A-Za-z]+)>[^<]*<\/\1>/g, (element, name: string) =>
    SECRET_FIELD.test(name) ? `<${name}>${REDACTED}</${name}>` : element
  )
}

/** A URL as the page shows it: query parameters named like secrets replaced. */
export function redactUrl(url: URL): string {
  const shown = new URL(url.href)
  for (const key of [...shown.searchParams.keys()]) if (SECRET_FIELD.test(key)) shown.searchParams.set(key, REDACTED)
  return shown.href
}

function operationOf(url: URL, contentType: string, body: string): string {
  // STS's Query protocol: the operation is the form's Action.
  if (contentType.startsWith('application/x-www-form-urlencoded'))
    return `STS ${new URLSearchParams(body).get('Action') ?? 'unknown'}`
  const operation = (
    {
      '/events': 'PutEvents',
      '/users': 'PutUsers',
      '/items': 'PutItems',
      '/recommendations': 'GetRecommendations',
      '/batch': 'Segment batch'
    } as Record<string, string>
  )[url.pathname.replace(/^.*(?=\/[a-z]+$)/, '')]
  return operation ?? 'unknown'
}

// What the service would answer, by operation. PutEvents/PutUsers/PutItems answer 200 with an empty body
// (https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_PutEvents.html); Segment's Tracking API answers
// 200 {"success": true}; STS AssumeRole answers XML (credentials that expire at once, so none are reused).
function answerOf(operation: string): { status: number; contentType: string; body: string } {
  switch (operation) {
    case 'PutEvents':
    case 'PutUsers':
    case 'PutItems':
      return { status: 200, contentType: 'application/json', body: '{}' }
    case 'Segment batch':
      return { status: 200, contentType: 'application/json', body: '{"success":true}' }
    case 'GetRecommendations':
      return { status: 200, contentType: 'application/json', body: JSON.stringify(SAMPLE_RECOMMENDATIONS) }
    case 'STS AssumeRole':
      return {
        status: 200,
        contentType: 'text/xml',
        body:
          '<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAEVENTTESTER00000</AccessKeyId>' +
          '<SecretAccessKey>event-tester</SecretAccessKey><SessionToken>event-tester</SessionToken>' +
          `<Expiration>${new Date().toISOString()}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`
      }
    default:
      return {
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ message: 'The event tester does not know what this endpoint answers.' })
      }
  }
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]']
const sameServer = (a: URL, b: URL) =>
  a.port === b.port && (a.hostname === b.hostname || (LOOPBACK.includes(a.hostname) && LOOPBACK.includes(b.hostname)))

/**
 * Connects every request to the capture server instead of its host, and remembers the origin it was for. With no
 * protocol of its own it serves http: and https: URLs alike (Node compares a URL's protocol with the agent's only when
 * the agent has one), and the TLS an https.Agent would add is skipped: the capture server speaks plain HTTP.
 */
class CaptureAgent extends https.Agent {
  constructor(
    private readonly port: () => number,
    private readonly origins: Map<number, string>
  ) {
    super({ keepAlive: false })
    Object.assign(this, { protocol: undefined })
    // Node 22 and later also put `protocol: 'https:'` in the agent's options, which Agent#createSocket spreads over
    // each request's own (https://github.com/nodejs/node/blob/v22.x/lib/https.js, Agent; lib/_http_agent.js,
    // createSocket): without this, an http: request would be reported as https:.
    Reflect.deleteProperty(this.options, 'protocol')
  }

  override createConnection(options: http.ClientRequestArgs): net.Socket {
    const host = options.host ?? 'localhost'
    const origin = new URL(
      `${options.protocol ?? 'http:'}//${host.includes(':') ? `[${host}]` : host}:${options.port ?? ''}`
    ).origin
    const socket = net.connect(this.port(), '127.0.0.1')
    // Registered before the request writes anything: its writes wait for 'connect', and run after this listener.
    socket.once('connect', () => {
      const local = socket.localPort!
      this.origins.set(local, origin)
      socket.once('close', () => this.origins.delete(local))
    })
    return socket
  }
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A request passed on to the local Personalize as it was signed (same Host header, so SigV4 still verifies). */
function forward(target: URL, req: http.IncomingMessage, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const out = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        timeout: 10_000
      },
      (res) => {
        readBody(res, MAX_BODY_BYTES).then(
          (text) => resolve({ status: res.statusCode ?? 502, text: text ?? '' }),
          (error: Error) => resolve({ status: 502, text: JSON.stringify({ message: error.message }) })
        )
      }
    )
    out.on('timeout', () => out.destroy(new Error('the local Personalize did not answer in time')))
    out.on('error', (error) =>
      resolve({ status: 502, text: JSON.stringify({ message: `the local Personalize: ${error.message}` }) })
    )
    out.end(body)
  })
}

export type Tester = ReturnType<typeof createTester>

export function createTester(options: TesterOptions) {
  const origins = new Map<number, string>()
  let port = 0
  const agent = new CaptureAgent(() => port, origins)
  // The tester's own Destination: its requests go through the capture agent; delivery's Destination is not touched.
  const destination = new Destination<Settings>({
    ...definition,
    extendRequest: (data) => ({ ...definition.extendRequest?.(data), agent })
  })
  // The requests of the subscription being run (runs are one at a time).
  let current: CapturedRequest[] | undefined
  const server = http.createServer((req, res) => {
    capture(req, res).catch((error: Error) => {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: error.message }))
    })
  })
  let listening: Promise<void> | undefined
  let queue: Promise<unknown> = Promise.resolve()

  async function capture(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requests = current
    const text = (await readBody(req, MAX_BODY_BYTES)) ?? ''
    const url = new URL(req.url ?? '/', origins.get(req.socket.remotePort ?? -1) ?? `http://${req.headers.host ?? ''}`)
    const operation = operationOf(url, req.headers['content-type'] ?? '', text)
    const local = options.localPersonalize?.()
    let answer = answerOf(operation)
    let answeredBy: CapturedRequest['response']['answeredBy'] = 'tester'
    if (operation === 'GetRecommendations' && local && sameServer(url, new URL(local))) {
      const { status, text: body } = await forward(new URL(local), req, text)
      answer = { status, contentType: 'application/json', body }
      answeredBy = 'local Personalize'
    }
    requests?.push({
      operation,
      method: req.method ?? 'GET',
      url: redactUrl(url),
      headers: Object.fromEntries(
        Object.entries(req.headers)
          .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
          .map(([name, value]) => [name, redactHeader(name, value)])
      ),
      body: redactBody(text, req.headers['content-type'] ?? ''),
      response: { status: answer.status, body: redactBody(answer.body, answer.contentType), answeredBy }
    })
    res.writeHead(answer.status, { 'content-type': answer.contentType })
    res.end(answer.body)
  }

  async function runSubscription(
    subscription: Subscription,
    event: SegmentEvent,
    settings: Settings
  ): Promise<SubscriptionTest> {
    const { name, subscribe, partnerAction, mapping, enabled } = subscription
    const shown = (test: Omit<SubscriptionTest, 'name' | 'subscribe' | 'partnerAction' | 'enabled' | 'requests'>) => ({
      name,
      subscribe,
      partnerAction,
      enabled,
      ...test,
      requests
    })
    const requests: CapturedRequest[] = []
    const trigger = parseFql(subscribe)
    if ('error' in trigger) return shown({ matched: false, skipped: 'the trigger is not valid FQL' })
    if (!validate(trigger, event)) return shown({ matched: false })
    let payload: JSONObject | undefined
    try {
      payload = transform(mapping, event as unknown as JSONObject)
    } catch {
      payload = undefined // the framework's own error is the result below
    }
    if (!enabled) return shown({ matched: true, skipped: 'disabled: delivery does not run it', payload })
    if (!ACTION_CAN_ACT[partnerAction](settings))
      return shown({ matched: true, skipped: CANNOT_ACT[partnerAction], payload })
    current = requests
    let result: TestResult
    try {
      const [outcome] = await destination.onBatch([event], {
        ...settings,
        subscription: { subscribe, partnerAction, mapping }
      })
      result = resultOf(outcome?.multistatus?.[0])
    } catch (error) {
      const status = (error as { status?: number }).status
      result = { ok: false, status: typeof status === 'number' ? status : 500, message: (error as Error).message }
    } finally {
      current = undefined
      destination.responses.splice(0)
    }
    return { ...shown({ matched: true, payload }), result }
  }

  async function run(input: unknown): Promise<TestReport> {
    const event = segmentEventOf(input)
    listening ??= new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port
        resolve()
      })
    })
    await listening
    const configured = options.settings()
    const settings = apartFromDelivery(configured ?? PLACEHOLDER_SETTINGS)
    const subscriptions: SubscriptionTest[] = []
    for (const subscription of options.subscriptions())
      subscriptions.push(await runSubscription(subscription, event, settings))
    return {
      event,
      settings: configured ? 'destination' : 'placeholder',
      ...(configured
        ? {}
        : {
            note: 'The destination is not configured yet: these are placeholder settings, so the requests show their shape but not your endpoints, tracking ID or ARNs.'
          }),
      subscriptions
    }
  }

  return {
    /** Runs an event through every subscription without sending anything; one test at a time. */
    test(input: unknown): Promise<TestReport> {
      const report = queue.then(() => run(input))
      queue = report.catch(() => undefined)
      return report
    },
    async close(): Promise<void> {
      await queue
      agent.destroy()
      if (!server.listening) return
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}

/**
 * The settings the tester runs with. Assumed-role credentials are cached per role and STS endpoint in the process
 * (destination/personalize/credentials.ts), shared with delivery: the tester names the same STS endpoint with an
 * upper-case scheme, which is another cache entry but the same URL once parsed, so its stand-in credentials never
 * reach delivery.
 */
function apartFromDelivery(settings: Settings): Settings {
  if (!settings.iamRoleArn) return settings
  return { ...settings, stsEndpoint: endpointFor('sts', settings).replace(/^http/i, (scheme) => scheme.toUpperCase()) }
}

type MultiStatus = { status: number; errortype?: string; errormessage?: string; sent?: unknown; body?: unknown }

function resultOf(status: MultiStatus | undefined): TestResult {
  if (!status) return { ok: false, status: 500, message: 'the framework gave no result for the event' }
  if (status.errormessage !== undefined)
    return {
      ok: false,
      status: status.status,
      errortype: status.errortype,
      message: status.errormessage,
      sent: status.sent
    }
  return { ok: status.status < 300, status: status.status, sent: status.sent }
}
