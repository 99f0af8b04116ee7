// One generated Segment message, and how it looks once Segment has stored it: the line its S3 destination writes,
// with the fields Segment's servers add (receivedAt, the corrected timestamp, version, projectId, writeKey).
// https://segment.com/docs/connections/spec/common/#timestamps
import { dayOf } from './calendar'
import type { Source } from './sources'

export interface Sender {
  source: Source
  /** The device's anonymousId; the email service's messages have none. */
  anonymousId?: string
  /** `context` as JSON. */
  context: string
  /** The parts of its lines that never change, encoded once (see Lines). */
  head: Buffer
  projectId: Buffer
  tail: Buffer
}

export interface Message {
  /** When it happened, on the sender's clock (epoch ms): originalTimestamp. */
  at: number
  /** How long the library held it before sending (batching) and how long the request took, in ms. */
  sendDelay: number
  latency: number
  sender: Sender
  userId?: string
  type: 'track' | 'identify'
  /** The event name (track only). */
  event?: string
  /**
   * `"properties":{…` or `"traits":{…` up to where messages differ (often shared between messages, and flat: see
   * `flat`), and the rest, closing brace included. Two strings, so that the shared part is never copied into a new one.
   */
  body: string
  rest: string
  messageId: string
}

export function receivedAt(message: Message): number {
  return message.at + message.sendDelay + message.latency
}

export function receivedDay(message: Message): number {
  return dayOf(receivedAt(message))
}

// The parts of a line that repeat from message to message are encoded once: a sender's opening fields, a source's
// closing ones, each event name. Rendering is then mostly copying bytes, which is what makes the generator fast
// (building each line as a string costs several times more: ../docs/performance.md#event-generator).
const sourceParts = new WeakMap<Source, { projectId: Buffer; tail: Buffer }>()
const eventParts = new Map<string, Buffer>()

/** A device (or service) that sends messages to a source. */
export function makeSender(source: Source, context: string, anonymousId?: string): Sender {
  let parts = sourceParts.get(source)
  if (!parts) {
    parts = {
      projectId: Buffer.from(`","projectId":"${source.sourceId}",`),
      tail: Buffer.from(`"version":2,"writeKey":"${source.writeKey}"}\n`)
    }
    sourceParts.set(source, parts)
  }
  const anonymous = anonymousId ? `"anonymousId":"${anonymousId}",` : ''
  const head = Buffer.from(`{${anonymous}"channel":"${source.channel}","context":${context},`)
  return { source, anonymousId, context, head, ...parts }
}

function eventPart(event: string | undefined): Buffer {
  const key = event ?? ''
  let part = eventParts.get(key)
  if (!part) {
    part = Buffer.from(
      `${event === undefined ? '' : `"event":${JSON.stringify(event)},`}"integrations":{},"messageId":"`
    )
    eventParts.set(key, part)
  }
  return part
}

const RECEIVED_AT = Buffer.from(',"receivedAt":"')
const SENT_AT = Buffer.from('","sentAt":"')
const TIMESTAMP = Buffer.from('","timestamp":"')
const ORIGINAL_TIMESTAMP = Buffer.from('","originalTimestamp":"')
const TYPES = { track: Buffer.from('","type":"track",'), identify: Buffer.from('","type":"identify",') }
const USER_ID = Buffer.from('"userId":"')
const QUOTE_COMMA = Buffer.from('",')

/**
 * Newline-delimited JSON lines of messages, written straight into a growing buffer. `timestamp` is Segment's
 * correction, receivedAt − (sentAt − originalTimestamp): with a correct client clock, the event time plus latency.
 */
export class Lines {
  private buffer: Buffer
  private length = 0

  constructor(capacity = 1024 * 1024) {
    this.buffer = Buffer.allocUnsafe(capacity)
  }

  add(message: Message): void {
    const { at, sender, userId } = message
    const sentAt = at + message.sendDelay
    this.reserve(1024 + sender.head.length + (message.body.length + message.rest.length) * 3)
    this.put(sender.head)
    this.put(eventPart(message.event))
    this.text(message.messageId)
    this.put(ORIGINAL_TIMESTAMP)
    this.time(at)
    this.put(sender.projectId)
    this.text(message.body)
    this.text(message.rest)
    this.put(RECEIVED_AT)
    this.time(sentAt + message.latency)
    this.put(SENT_AT)
    this.time(sentAt)
    this.put(TIMESTAMP)
    this.time(at + message.latency)
    this.put(TYPES[message.type])
    if (userId) {
      this.put(USER_ID)
      this.text(userId)
      this.put(QUOTE_COMMA)
    }
    this.put(sender.tail)
  }

  /** The lines so far (a view of the buffer, valid until the next add). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes))
    this.buffer.copy(grown, 0, 0, this.length)
    this.buffer = grown
  }

  private put(bytes: Buffer): void {
    this.buffer.set(bytes, this.length)
    this.length += bytes.length
  }

  private text(text: string): void {
    this.length += (this.buffer as unknown as { utf8Write(s: string, o: number): number }).utf8Write(text, this.length)
  }

  private time(ms: number): void {
    this.length = writeIsoTime(this.buffer, this.length, ms)
  }
}

// ISO-8601 times written as bytes: the date formatted once per day, the time of day from digits.
const datePrefix = Buffer.alloc(11)
let prefixDay = NaN

/** Writes `ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (what Date.prototype.toISOString gives) at `at`; returns the end. */
export function writeIsoTime(buffer: Buffer, at: number, ms: number): number {
  const day = Math.floor(ms / 86_400_000)
  if (day !== prefixDay) {
    prefixDay = day
    datePrefix.write(new Date(day * 86_400_000).toISOString().slice(0, 11), 'latin1')
  }
  buffer.set(datePrefix, at)
  let rest = ms - day * 86_400_000
  const hours = Math.floor(rest / 3_600_000)
  rest -= hours * 3_600_000
  const minutes = Math.floor(rest / 60_000)
  rest -= minutes * 60_000
  const seconds = Math.floor(rest / 1000)
  const millis = rest - seconds * 1000
  buffer[at + 11] = 48 + Math.floor(hours / 10)
  buffer[at + 12] = 48 + (hours % 10)
  buffer[at + 13] = 58 // :
  buffer[at + 14] = 48 + Math.floor(minutes / 10)
  buffer[at + 15] = 48 + (minutes % 10)
  buffer[at + 16] = 58 // :
  buffer[at + 17] = 48 + Math.floor(seconds / 10)
  buffer[at + 18] = 48 + (seconds % 10)
  buffer[at + 19] = 46 // .
  buffer[at + 20] = 48 + Math.floor(millis / 100)
  buffer[at + 21] = 48 + (Math.floor(millis / 10) % 10)
  buffer[at + 22] = 48 + (millis % 10)
  buffer[at + 23] = 90 // Z
  return at + 24
}

/**
 * The string as one piece of memory. V8 keeps a concatenation as a tree of its parts and walks the tree each time the
 * string is written out; strings written once per message are flattened once, up front.
 */
export function flat(text: string): string {
  return Buffer.from(text).toString()
}

/** One message as a line of a Segment log file, without the newline. */
export function renderLine(message: Message): string {
  const lines = new Lines(4096)
  lines.add(message)
  const bytes = lines.bytes()
  return bytes.toString('utf8', 0, bytes.length - 1)
}
