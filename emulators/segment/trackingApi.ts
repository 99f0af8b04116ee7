// Segment's HTTP Tracking API, as Segment serves it: POST /v1/track|identify|page|screen|group|alias|batch|import,
// the write key by Basic auth or in the body, Segment's limits and answers, the fields its servers add, and dedupe on
// messageId. https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
import { randomUUID } from 'node:crypto'

export const CALLS = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const
export const BATCH_PATHS = ['batch', 'import'] // /v1/import is the older name of /v1/batch

// Segment's limits: 32 KB a message, 500 KB a batch request, 2500 messages a batch (more are accepted, then dropped).
export const MAX_MESSAGE_BYTES = 32 * 1024
export const MAX_BATCH_BYTES = 500 * 1024
export const MAX_BATCH_MESSAGES = 2500
const MAX_MESSAGE_ID = 100
/**
 * How deeply objects and arrays may nest in a request. 32 KB of `[` is 32,768 levels: JSON.parse takes them, but
 * storing the message (JSON.stringify) and delivering it (@segment/actions-core's mapping-kit walks values
 * recursively) overflow the stack, which was answered 500 storage_failed and retried by clients for ever. A request
 * nested deeper is refused with 400 before it is parsed; real events nest a few levels.
 */
export const MAX_DEPTH = 64

export type Message = Record<string, unknown>

/** A request Segment refuses with 400, and its answer. */
export class BadRequest extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

/** The write key: Basic auth's username (the password is empty), else `writeKey` in the body. */
export function writeKeyOf(authorization: string | undefined, body: Message): string {
  const basic = /^Basic (.+)$/i.exec(authorization ?? '')
  if (basic) return Buffer.from(basic[1]!, 'base64').toString().replace(/:.*$/, '')
  return typeof body.writeKey === 'string' ? body.writeKey : ''
}

/** The largest request body a call takes: 500 KB for a batch, 32 KB for one message. */
export const requestLimit = (call: string): number => (BATCH_PATHS.includes(call) ? MAX_BATCH_BYTES : MAX_MESSAGE_BYTES)

/** The 400 a request over its call's limit (requestLimit) is answered with. */
export const tooLarge = (call: string): BadRequest =>
  new BadRequest('request_too_large', `The request is over ${requestLimit(call) / 1024} KB.`)

/** How deeply a JSON text's objects and arrays nest, counted without parsing (so without recursion). */
export function jsonDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // a backslash escapes the next character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth)
    else if (c === 0x5d || c === 0x7d) depth--
  }
  return deepest
}

/** A message's context as stored: `"context": null` is taken as no context, as if it was not sent (a null context
 *  would reach @segment/actions-core, which reads properties of it while delivering, and throw). */
function withoutNullContext(message: Message): Message {
  if (message.context !== null) return message
  const rest = { ...message }
  delete rest.context
  return rest
}

/** The request's messages: one for a single call, the batch's items (with its context and integrations) for a batch. */
export function messagesOf(call: string, raw: string): { body: Message; messages: Message[] } {
  if (Buffer.byteLength(raw) > requestLimit(call)) throw tooLarge(call)
  if (jsonDepth(raw) > MAX_DEPTH)
    throw new BadRequest('too_deeply_nested', `The request nests objects or arrays more than ${MAX_DEPTH} levels deep.`)
  let body: unknown
  try {
    body = JSON.parse(raw)
  } catch {
    throw new BadRequest('invalid_json', 'The request body is not valid JSON.')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequest('invalid_json', 'The request body must be a JSON object.')
  const message = body as Message
  if (!BATCH_PATHS.includes(call)) return { body: message, messages: [{ ...message, type: call }] }
  if (!Array.isArray(message.batch)) throw new BadRequest('invalid_batch', 'A batch needs a "batch" array.')
  const shared = { context: message.context, integrations: message.integrations }
  const items = (message.batch as unknown[]).map((item) =>
    item !== null && typeof item === 'object'
      ? { ...item, context: { ...(shared.context as object), ...((item as Message).context as object) } }
      : { invalid: item }
  ) as Message[]
  for (const item of items)
    if (Buffer.byteLength(JSON.stringify(item)) > MAX_MESSAGE_BYTES)
      throw new BadRequest('message_too_large', 'A message in the batch is over 32 KB.')
  return { body: message, messages: items }
}

/** Why Segment would drop a message it accepted with 200, or undefined when it keeps it. */
export function rejection(message: Message): string | undefined {
  const type = message.type
  if (typeof type !== 'string' || !(CALLS as readonly string[]).includes(type)) return 'no valid type'
  const id = (key: string) => typeof message[key] === 'string' && message[key] !== ''
  if (type !== 'alias' && !id('userId') && !id('anonymousId')) return 'no_user_anon_id'
  if (type === 'track' && !id('event')) return 'track without event'
  if (type === 'alias' && (!id('previousId') || !id('userId'))) return 'alias without previousId and userId'
  if (type === 'group' && !id('groupId')) return 'group without groupId'
  if (
    message.messageId !== undefined &&
    (typeof message.messageId !== 'string' || message.messageId.length > MAX_MESSAGE_ID)
  )
    return 'messageId over 100 characters'
  return undefined
}

function iso(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN
  return Number.isNaN(ms) ? undefined : ms
}

// A Date holds ±8.64e15 ms around 1970 (https://tc39.es/ecma262/#sec-time-values-and-time-range): a corrected time
// beyond that has no ISO form (toISOString throws).
const MAX_TIME = 8.64e15

/**
 * The message as Segment stores it: receivedAt, a messageId if it had none, originalTimestamp (the client's time),
 * timestamp corrected for the client's clock (receivedAt − (sentAt − originalTimestamp)), version, the source's id
 * and write key. https://segment.com/docs/connections/spec/common/#timestamps
 */
export function stored(
  message: Message,
  batchSentAt: unknown,
  receivedAt: number,
  sourceId: string,
  writeKey: string
): Message {
  const original = iso(message.originalTimestamp) ?? iso(message.timestamp) ?? receivedAt
  const sent = iso(message.sentAt) ?? iso(batchSentAt)
  // A client clock so far off that the correction leaves Date's range: its own timestamp is kept, uncorrected.
  const corrected = sent === undefined ? original : receivedAt - (sent - original)
  const timestamp = Math.abs(corrected) <= MAX_TIME ? corrected : original
  return {
    ...withoutNullContext(message),
    messageId: typeof message.messageId === 'string' ? message.messageId : `api-${randomUUID()}`,
    originalTimestamp: new Date(original).toISOString(),
    ...(sent === undefined ? {} : { sentAt: new Date(sent).toISOString() }),
    receivedAt: new Date(receivedAt).toISOString(),
    timestamp: new Date(timestamp).toISOString(),
    projectId: sourceId,
    writeKey,
    version: 2
  }
}
