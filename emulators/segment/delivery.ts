// Delivery through the destination, as Segment delivers to an Actions destination: the real definition run by the
// framework (Destination.onBatch), each preset a subscription, messages batched, retryable failures retried with
// backoff, and what finally fails kept where it can be seen.
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Destination, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import definition from '../../destination'
import type { Settings } from '../../destination/generated-types'
import { ACTION_CAN_ACT, presets, type ActionName } from '../../destination/presets'
import { GroupCommit } from '../groupCommit'
import type { StoredMessage } from './logStore'

/** A subscription, as Segment's UI shows one: a trigger (FQL), an action and its field mappings. */
export interface Subscription {
  name: string
  subscribe: string
  partnerAction: ActionName
  mapping: JSONObject
  enabled: boolean
}

/** The destination's presets, as the subscriptions a new Segment destination starts with. */
export const defaultSubscriptions = (): Subscription[] =>
  presets.flatMap((preset) =>
    preset.type === 'automatic'
      ? [
          {
            name: preset.name ?? preset.partnerAction,
            subscribe: preset.subscribe,
            partnerAction: preset.partnerAction as ActionName,
            mapping: preset.mapping as JSONObject,
            enabled: true
          }
        ]
      : []
  )

export interface DeliveryOptions {
  /** The destination's settings, or undefined while it is not configured (messages are then not delivered). */
  settings: () => Settings | undefined
  /** Messages per onBatch call, and how long a partial batch waits. */
  batchSize?: number
  lingerMs?: number
  /** Batches delivered at once (default 16: a batch mostly waits on HTTP calls and fsyncs), each user's messages always in order. */
  lanes?: number
  /** Attempts per message for retryable failures, and the first backoff (doubled each time). */
  attempts?: number
  backoffMs?: number
  /** The active subscriptions (default: the presets). */
  subscriptions?: () => Subscription[]
  /** Where what was delivered (or finally failed, or predates the destination's settings) is recorded, so that a
   *  restart delivers what was stored but not yet delivered, and nothing twice. In memory only without it. */
  dataDir?: string
  /** How a batch is delivered: by default through the Actions destination's subscriptions; `local --lambda` invokes
   *  the Lambda build instead (lambda/delivery.ts). */
  attempt?: Attempt
}

/** Delivers a batch once: which messages to retry (by index), the final failures, and how many were delivered. */
export type Attempt = (
  messages: StoredMessage[],
  settings: Settings,
  last: boolean
) => Promise<{ again: Set<number>; failures: DeliveryFailure[]; delivered: number }>

export interface DeliveryFailure {
  messageId: string
  event: string
  preset: string
  status: number
  message: string
}

export interface DeliveryStats {
  delivered: number
  retried: number
  failed: number
  /** The latest failures, newest last (at most 100). */
  failures: DeliveryFailure[]
  notConfigured: number
  /** Messages stored whose delivery is not over yet (queued, in a batch, or waiting to be retried): the backlog. */
  pending: number
}

// Statuses Segment retries (408, 423, 429 and 5xx but 501).
export const retryable = (status: number) => [408, 423, 429].includes(status) || (status >= 500 && status !== 501)
const NOT_SUBSCRIBED = 'does not match the subscription'

/**
 * The delivery log: the ids of messages whose delivery is over (delivered, finally failed, or stored while the
 * destination had no settings), appended and fsynced after each batch, and the final failures in full. A kill
 * between a batch's delivery and its line re-delivers that batch on restart; Personalize ignores the repeated
 * eventIds (the destination sends the messageId as eventId).
 */
class DeliveryLog {
  readonly done = new Set<string>()
  private readonly fd: number
  private readonly commit: GroupCommit
  private readonly failedFile: string
  /** False when the log was just created: what was already stored predates the destination. */
  readonly existed: boolean

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true })
    const file = path.join(dir, 'done.ids')
    this.failedFile = path.join(dir, 'failed.ndjson')
    this.existed = existsSync(file)
    if (this.existed) for (const id of readFileSync(file, 'utf8').split('\n')) if (id) this.done.add(id)
    this.fd = openSync(file, 'a')
    this.commit = new GroupCommit(this.fd)
  }

  /** Resolves once the ids are on disk (fsynced with the other batches' ids, ../groupCommit.ts). */
  record(ids: string[], failures: DeliveryFailure[]): Promise<void> {
    if (failures.length > 0)
      appendFileSync(this.failedFile, failures.map((failure) => `${JSON.stringify(failure)}\n`).join(''))
    const fresh = ids.filter((id) => !this.done.has(id))
    if (fresh.length === 0) return Promise.resolve()
    for (const id of fresh) this.done.add(id)
    appendFileSync(this.fd, `${fresh.join('\n')}\n`)
    return this.commit.sync()
  }

  async close(): Promise<void> {
    await this.commit.sync().catch(() => undefined)
    closeSync(this.fd)
  }
}

export function failureOf(message: StoredMessage, preset: string, status: number, text: string): DeliveryFailure {
  return { messageId: message.messageId, event: String(message.event ?? message.type), preset, status, message: text }
}

interface Lane {
  queue: StoredMessage[]
  running: Promise<void>
}

/** The lane of a message's user (userId, else anonymousId): a string hash, the same on every run. */
export function laneOf(message: StoredMessage, lanes: number): number {
  const { userId, anonymousId } = message
  const user = typeof userId === 'string' ? userId : typeof anonymousId === 'string' ? anonymousId : ''
  let hash = 0
  for (let i = 0; i < user.length; i++) hash = (hash * 31 + user.charCodeAt(i)) | 0
  return Math.abs(hash) % lanes
}

export function createDelivery(options: DeliveryOptions) {
  const destination = new Destination(definition)
  const stats: DeliveryStats = { delivered: 0, retried: 0, failed: 0, failures: [], notConfigured: 0, pending: 0 }
  const log = options.dataDir ? new DeliveryLog(options.dataDir) : undefined
  const predating: string[] = []
  let timer: NodeJS.Timeout | undefined
  // Batches are delivered in `lanes` chains side by side; a user's messages always take the same lane, one batch
  // after the other, so that each user's events still reach Personalize in the order Segment stored them.
  const lanes: Lane[] = Array.from({ length: options.lanes ?? 16 }, () => ({ queue: [], running: Promise.resolve() }))
  const batchSize = options.batchSize ?? 100
  const subscriptions = options.subscriptions ?? defaultSubscriptions
  const attempt = (...args: Parameters<Attempt>) => (options.attempt ?? throughSubscriptions)(...args)

  /** Delivers a batch to every subscription it matches; returns the messages to retry and the final failures. */
  const throughSubscriptions: Attempt = async (messages, settings, last) => {
    const events = messages as unknown as SegmentEvent[]
    const again = new Set<number>()
    const failures: DeliveryFailure[] = []
    // Per message: sent by every subscription that matched it, failed for good by one, or to be retried.
    const outcome = new Array<'sent' | 'failed' | undefined>(messages.length)
    const active = subscriptions().filter(
      ({ enabled, partnerAction }) => enabled && ACTION_CAN_ACT[partnerAction](settings)
    )
    // All the subscriptions in one onBatch call, as Segment sends a destination's batch: the framework runs them
    // side by side and answers with one result per subscription, in their order.
    const results = await destination.onBatch(events, {
      ...settings,
      subscriptions: active.map(({ subscribe, partnerAction, mapping }) => ({ subscribe, partnerAction, mapping }))
    })
    active.forEach(({ name }, k) => {
      results[k]?.multistatus?.forEach((status, i) => {
        if ('errormessage' in status && status.errormessage.includes(NOT_SUBSCRIBED)) return
        if (status.status < 300) {
          outcome[i] ??= 'sent'
        } else if (retryable(status.status) && !last) {
          again.add(i)
        } else {
          outcome[i] = 'failed'
          failures.push(
            failureOf(messages[i]!, name, status.status, 'errormessage' in status ? status.errormessage : '')
          )
        }
      })
    })
    const delivered = outcome.filter((result, i) => result === 'sent' && !again.has(i)).length
    return { again, failures, delivered }
  }

  async function deliverBatch(messages: StoredMessage[], tries: number): Promise<void> {
    const settings = options.settings()
    if (!settings) {
      stats.notConfigured += messages.length
      stats.pending -= messages.length
      await log?.record(
        messages.map((message) => message.messageId),
        []
      )
      return
    }
    const last = tries >= (options.attempts ?? 4)
    // onBatch throwing (not a per-event answer: a bug, a broken mapping) fails the whole batch: retried like a 500,
    // and then kept as failures, never dropped.
    const { again, failures, delivered } = await attempt(messages, settings, last).catch((error: unknown) => ({
      again: new Set(last ? [] : messages.keys()),
      failures: last ? messages.map((message) => failureOf(message, 'delivery', 500, String(error))) : [],
      delivered: 0
    }))
    stats.delivered += delivered
    stats.failed += failures.length
    stats.failures.push(...failures)
    stats.failures.splice(0, Math.max(0, stats.failures.length - 100))
    stats.pending -= messages.length - again.size
    await log?.record(
      messages.filter((_, i) => !again.has(i)).map((message) => message.messageId),
      failures
    )
    if (again.size > 0) {
      stats.retried += again.size
      await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 500) * 2 ** (tries - 1)))
      await deliverBatch(
        messages.filter((_, i) => again.has(i)),
        tries + 1
      )
    }
  }

  /** Hands a lane's queued messages to its chain, in batches. */
  function flushLane(lane: Lane): void {
    const messages = lane.queue.splice(0, lane.queue.length)
    for (let at = 0; at < messages.length; at += batchSize) {
      const part = messages.slice(at, at + batchSize)
      lane.running = lane.running.then(() => deliverBatch(part, 1)).catch(() => undefined)
    }
  }

  function flush(): void {
    timer = undefined
    for (const lane of lanes) flushLane(lane)
  }

  function enqueue(messages: StoredMessage[]): void {
    stats.pending += messages.length
    for (const message of messages) {
      const lane = lanes[laneOf(message, lanes.length)]!
      lane.queue.push(message)
      if (lane.queue.length >= batchSize) flushLane(lane)
    }
    if (lanes.some((lane) => lane.queue.length > 0)) timer ??= setTimeout(flush, options.lingerMs ?? 200)
  }

  return {
    stats,
    enqueue,
    /**
     * Takes a message stored before a restart (call restored() after the last): queued again when its delivery was
     * not over. When the delivery log is new, every stored message predates the destination (as in Segment, a
     * destination gets the events that arrive after it is connected) and is only recorded.
     */
    restore(message: StoredMessage): void {
      if (!log) return
      if (log.existed) {
        if (!log.done.has(message.messageId)) enqueue([message])
        return
      }
      predating.push(message.messageId)
      // Not awaited: if these ids never reach the disk, a later restart delivers those messages (never loses them).
      if (predating.length >= 10_000) void log.record(predating.splice(0), []).catch(() => undefined)
    },
    restored(): void {
      void log?.record(predating.splice(0), []).catch(() => undefined)
    },
    /** Resolves once everything queued so far is delivered (or has finally failed). */
    async drain(): Promise<void> {
      if (timer) clearTimeout(timer)
      flush()
      await Promise.all(lanes.map((lane) => lane.running))
    },
    async close(): Promise<void> {
      await this.drain()
      await log?.close()
    }
  }
}
