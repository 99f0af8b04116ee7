// Delivery through the destination, as Segment delivers to an Actions destination: the real definition run by the
// framework (Destination.onBatch), each preset a subscription, messages batched, and retryable failures retried per
// (message, subscription) with randomized exponential backoff for up to four hours, as Segment retries
// (https://segment.com/docs/connections/destinations/#retries-between-segment-and-destinations). What finally fails is
// kept where it can be seen, and what is over is recorded (deliveryLog.ts) so that a restart goes on from there.
import { Destination, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import definition from '../../destination'
import type { Settings } from '../../destination/generated-types'
import { ACTION_CAN_ACT, presets, type ActionName } from '../../destination/presets'
import { DeliveryLog, type DeliveryFailure } from './deliveryLog'
import type { StoredMessage } from './logStore'

export type { DeliveryFailure } from './deliveryLog'

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

/** Segment retries a failed delivery for four hours. */
const RETRY_FOR_MS = 4 * 3_600_000

export interface DeliveryOptions {
  /** The destination's settings, or undefined while it is not configured (messages are then not delivered). */
  settings: () => Settings | undefined
  /** Messages per onBatch call, and how long a partial batch waits. */
  batchSize?: number
  lingerMs?: number
  /** Batches delivered at once (default 16: a batch mostly waits on HTTP calls), each person's messages in order. */
  lanes?: number
  /** How long a message's retryable failures are retried, from its first try (default RETRY_FOR_MS; 0: never). */
  retryForMs?: number
  /** The wait before the first retry (default 500 ms), doubled for each next one up to `maxBackoffMs` (default
   *  60 s), each wait drawn at random between half and all of that. */
  backoffMs?: number
  maxBackoffMs?: number
  /** At most this many tries of a message (default: as many as `retryForMs` allows). */
  attempts?: number
  /** The active subscriptions (default: the presets). */
  subscriptions?: () => Subscription[]
  /** Where what is over is recorded (deliveryLog.ts), so that a restart delivers what was stored but not yet
   *  delivered, and nothing twice. In memory only without it. */
  dataDir?: string
  /** How messages are delivered: by default through the Actions destination's subscriptions; `local --lambda`
   *  invokes the Lambda build instead (lambda/delivery.ts). */
  attempt?: Attempt
  /** Where problems that delivery works around are told (a delivery log it cannot write); default stderr. */
  warn?: (line: string) => void
}

/** A message to deliver, the subscriptions already over for it (skip them), and whose message it is (personOf). */
export interface Delivery {
  message: StoredMessage
  done: ReadonlySet<string>
  person: string
}

/** What one subscription did with one message: a 2xx sent it; a failure is retried if `retryable`, else final. */
export interface SubscriptionResult {
  subscription: string
  status: number
  retryable: boolean
  message: string
}

/** Delivers messages once: for each, in order, a result per subscription that took it (none: nothing matched it). */
export type Attempt = (deliveries: Delivery[], settings: Settings) => Promise<SubscriptionResult[][]>

/**
 * Counted in messages, not in (message, subscription) pairs: a message is delivered when every subscription that
 * matched it took it, failed when one of them failed for good (`failures` has one entry per failing subscription).
 */
export interface DeliveryStats {
  delivered: number
  /** Messages sent again to the subscriptions that failed retryably: one per message per retry. */
  retried: number
  failed: number
  /** The latest final failures, one per (message, subscription), newest last (at most 100). */
  failures: DeliveryFailure[]
  notConfigured: number
  /** Messages whose delivery is not over (queued, in a batch, waiting for a retry) or not yet in the delivery log. */
  pending: number
  /** Of those, the messages waiting for a retry: their own, or an earlier message's of the same person. */
  retrying: number
  /** Writes of the delivery log that failed (each is tried again), and the latest error. */
  logErrors: number
  lastLogError?: string
}

// Statuses Segment retries (408, 423, 429 and 5xx but 501).
export const retryable = (status: number) => [408, 423, 429].includes(status) || (status >= 500 && status !== 501)
const NOT_SUBSCRIBED = 'does not match the subscription'

function failureOf(message: StoredMessage, preset: string, status: number, text: string): DeliveryFailure {
  return { messageId: message.messageId, event: String(message.event ?? message.type), preset, status, message: text }
}

/**
 * Whose message it is, for ordering: the anonymousId when there is one, else the userId (or the anonymousId an
 * earlier message linked it to). A device's anonymous and signed-in messages carry the same anonymousId, so one
 * person's messages on one device are delivered in one order (an anonymous session's recommendations never land
 * after the signed-in ones); keyed by userId first, an identify would move the person to another lane mid-session.
 */
function personKeys() {
  const linked = new Map<string, string>()
  return (message: StoredMessage): string => {
    const { userId, anonymousId } = message
    if (typeof anonymousId === 'string') {
      if (typeof userId === 'string' && !linked.has(userId)) linked.set(userId, anonymousId)
      return anonymousId
    }
    return typeof userId === 'string' ? (linked.get(userId) ?? userId) : ''
  }
}

/** The lane of a person (personKeys): a string hash, the same on every run. */
export function hashLane(person: string, lanes: number): number {
  let hash = 0
  for (let i = 0; i < person.length; i++) hash = (hash * 31 + person.charCodeAt(i)) | 0
  return Math.abs(hash) % lanes
}

/**
 * Delivers to every active subscription not over for each message: those with the same subscriptions over in one
 * onBatch call (all of them, for a first try), as Segment sends a destination's batch; the framework runs the
 * subscriptions side by side and answers with one result per subscription, in their order. Groups go one after the
 * other, so a person's messages are still sent in order. A call that throws (a bug, a broken mapping: no per-event
 * answer) fails its group as a retryable 500 of `delivery`.
 */
function throughSubscriptions(destination: Destination<Settings>, subscriptions: () => Subscription[]): Attempt {
  return async (deliveries, settings) => {
    const active = subscriptions().filter(
      ({ enabled, partnerAction }) => enabled && ACTION_CAN_ACT[partnerAction](settings)
    )
    const results: SubscriptionResult[][] = deliveries.map(() => [])
    for (const { done, indexes } of groupsByDone(deliveries)) {
      const todo = active.filter(({ name }) => !done.has(name))
      if (todo.length === 0) continue
      const events = indexes.map((i) => deliveries[i]!.message as unknown as SegmentEvent)
      try {
        const answers = await destination.onBatch(events, {
          ...settings,
          subscriptions: todo.map(({ subscribe, partnerAction, mapping }) => ({ subscribe, partnerAction, mapping }))
        })
        todo.forEach(({ name }, k) => {
          answers[k]?.multistatus?.forEach((status, j) => {
            const message = 'errormessage' in status ? status.errormessage : ''
            if (message.includes(NOT_SUBSCRIBED)) return
            const result = { subscription: name, status: status.status, retryable: retryable(status.status), message }
            results[indexes[j]!]!.push(result)
          })
        })
      } catch (error) {
        for (const i of indexes) results[i]!.push(thrown(error))
      }
    }
    return results
  }
}

const thrown = (error: unknown): SubscriptionResult => ({
  subscription: 'delivery',
  status: 500,
  retryable: true,
  message: String(error)
})

/** Deliveries grouped by the subscriptions over for them, groups in the order of their first delivery. */
function groupsByDone(deliveries: Delivery[]): Array<{ done: ReadonlySet<string>; indexes: number[] }> {
  const groups = new Map<string, { done: ReadonlySet<string>; indexes: number[] }>()
  deliveries.forEach(({ done }, i) => {
    const key = done.size === 0 ? '' : JSON.stringify([...done].sort())
    const group = groups.get(key)
    if (group) group.indexes.push(i)
    else groups.set(key, { done, indexes: [i] })
  })
  return [...groups.values()]
}

/** A message on its way: what is over for it, and how its tries went. */
interface Work {
  message: StoredMessage
  person: string
  /** Subscriptions over for the message (took it, or failed for good). */
  done: Set<string>
  tries: number
  firstTry: number
  sent: boolean
  failures: DeliveryFailure[]
}

/** How long to wait before a message's next try, or undefined when its retry budget is spent. */
function retryPolicy(options: DeliveryOptions): (work: Work, now: number) => number | undefined {
  const retryFor = options.retryForMs ?? RETRY_FOR_MS
  const first = options.backoffMs ?? 500
  const cap = options.maxBackoffMs ?? 60_000
  const attempts = options.attempts ?? Infinity
  return (work, now) => {
    const left = work.firstTry + retryFor - now
    if (left <= 0 || work.tries >= attempts) return undefined
    // Exponential backoff with "equal jitter": retries of messages that failed together spread out instead of
    // arriving together again (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
    const ceiling = Math.min(cap, first * 2 ** (work.tries - 1))
    return Math.min(left, ceiling / 2 + (Math.random() * ceiling) / 2)
  }
}

/** A person's messages held back: the first waits for its retry, the others (later ones) behind it. */
interface Hold {
  works: Work[]
  timer?: NodeJS.Timeout
}

interface Lane {
  queue: Work[]
  /** People whose retry is due, taken by the lane's next batch. */
  due: string[]
  running: Promise<void>
}

export function createDelivery(options: DeliveryOptions) {
  const destination = new Destination(definition)
  const stats: DeliveryStats = {
    delivered: 0,
    retried: 0,
    failed: 0,
    failures: [],
    notConfigured: 0,
    pending: 0,
    retrying: 0,
    logErrors: 0
  }
  const warn = options.warn ?? ((line: string) => console.error(line))
  const log = options.dataDir ? new DeliveryLog(options.dataDir, logFailed) : undefined
  const predating: string[] = []
  const personOf = personKeys()
  const nextWait = retryPolicy(options)
  let timer: NodeJS.Timeout | undefined
  let closing = false
  // Outcomes counted but not yet on disk (still pending).
  let unrecorded = 0
  // Batches are delivered in `lanes` chains side by side; a person's messages always take the same lane, one batch
  // after the other, so that they reach the destination in the order Segment stored them. A message that waits for
  // a retry is held aside with the person's later messages, so the lane goes on with everyone else's.
  const lanes: Lane[] = Array.from({ length: options.lanes ?? 16 }, () => ({
    queue: [],
    due: [],
    running: Promise.resolve()
  }))
  const held = new Map<string, Hold>()
  const batchSize = options.batchSize ?? 100
  const attempt = options.attempt ?? throughSubscriptions(destination, options.subscriptions ?? defaultSubscriptions)
  const waiting: Array<{ ready: () => boolean; resolve: () => void }> = []

  function logFailed(error: Error, retryInMs: number): void {
    stats.logErrors++
    stats.lastLogError = error.message
    const when = Number.isFinite(retryInMs) ? `trying again in ${(retryInMs / 1000).toFixed(1)} s` : 'giving up'
    warn(
      `delivery: cannot write the delivery log (${error.message}); ${when}. ${unrecorded} messages whose delivery is ` +
        'over are not recorded yet: they stay pending, and a restart before they are would deliver them again.'
    )
  }

  /** Wakes drain() and flushed() callers whose condition now holds. */
  function progressed(): void {
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (!waiting[i]!.ready()) continue
      waiting[i]!.resolve()
      waiting.splice(i, 1)
    }
  }

  function until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve()
    return new Promise((resolve) => waiting.push({ ready, resolve }))
  }

  /** Counts messages whose delivery is over, records them, and ends their pending once they are on disk. */
  function finish(works: Work[]): void {
    if (works.length === 0) return
    const failures = works.flatMap((work) => work.failures)
    for (const work of works) {
      if (work.failures.length > 0) stats.failed++
      else if (work.sent) stats.delivered++
    }
    stats.failures.push(...failures)
    stats.failures.splice(0, Math.max(0, stats.failures.length - 100))
    if (!log) return over(works.length)
    unrecorded += works.length
    void log
      .record(
        works.map((work) => work.message.messageId),
        failures
      )
      .then(() => {
        unrecorded -= works.length
        over(works.length)
      })
  }

  function over(count: number): void {
    stats.pending -= count
    progressed()
  }

  /** Takes one try's results: what is over is noted; returns the failures to retry. */
  function settle(work: Work, results: SubscriptionResult[], now: number): SubscriptionResult[] {
    work.tries++
    if (work.tries === 1) work.firstTry = now
    const again = results.filter((result) => result.status >= 300 && result.retryable)
    for (const result of results) if (!again.includes(result)) conclude(work, result)
    return again
  }

  /** A subscription is over for the message: it took it, or failed for good. */
  function conclude(work: Work, result: SubscriptionResult): void {
    work.done.add(result.subscription)
    if (result.status < 300) work.sent = true
    else work.failures.push(failureOf(work.message, result.subscription, result.status, result.message))
  }

  async function deliverBatch(works: Work[]): Promise<void> {
    const settings = options.settings()
    if (!settings) {
      stats.notConfigured += works.length
      return finish(works)
    }
    const results = await attempt(
      works.map(({ message, done, person }) => ({ message, done, person })),
      settings
    ).catch((error: unknown) => works.map(() => [thrown(error)]))
    const now = Date.now()
    const overs: Work[] = []
    const partly: Array<[string, Iterable<string>]> = []
    works.forEach((work, i) => {
      const before = work.done.size
      const again = settle(work, results[i] ?? [], now)
      const wait = again.length > 0 ? nextWait(work, now) : undefined
      if (wait === undefined) {
        for (const result of again) conclude(work, result)
        return void overs.push(work)
      }
      stats.retried++
      if (work.done.size > before) partly.push([work.message.messageId, [...work.done]])
      hold(work, wait)
    })
    finish(overs)
    // Not awaited: if it never reaches the disk, a restart sends those subscriptions the message again.
    if (log && partly.length > 0) void log.record([], [], partly)
  }

  function hold(work: Work, wait: number): void {
    stats.retrying++
    const existing = held.get(work.person)
    if (existing) return void existing.works.push(work)
    const hold: Hold = { works: [work] }
    held.set(work.person, hold)
    if (!closing) hold.timer = setTimeout(() => due(work.person), wait)
  }

  function due(person: string): void {
    const lane = lanes[hashLane(person, lanes.length)]!
    lane.due.push(person)
    flushLane(lane)
  }

  /** A batch's messages, taken when it runs: held ones whose retry is due first, then fresh ones of people not held. */
  function takeReady(lane: Lane, fresh: Work[]): Work[] {
    const ready: Work[] = []
    for (const person of lane.due.splice(0)) {
      const hold = held.get(person)
      if (!hold) continue
      held.delete(person)
      stats.retrying -= hold.works.length
      ready.push(...hold.works)
    }
    for (const work of fresh) {
      const hold = held.get(work.person)
      if (!hold) ready.push(work)
      else {
        hold.works.push(work)
        stats.retrying++
      }
    }
    return ready
  }

  async function runLane(lane: Lane, fresh: Work[]): Promise<void> {
    const ready = takeReady(lane, fresh)
    for (let at = 0; at < ready.length; at += batchSize) await deliverBatch(ready.slice(at, at + batchSize))
    progressed()
  }

  /** Hands a lane's queued messages (and due retries) to its chain, in batches. */
  function flushLane(lane: Lane): void {
    const works = lane.queue.splice(0)
    for (let at = 0; at < works.length || (at === 0 && lane.due.length > 0); at += batchSize) {
      const part = works.slice(at, at + batchSize)
      lane.running = lane.running
        .then(() => runLane(lane, part))
        .catch((error: unknown) =>
          // A bug, not a delivery failure (those are results): told, and the messages stay pending.
          warn(`delivery: ${part.length} messages not delivered (a restart delivers them): ${String(error)}`)
        )
    }
  }

  function flush(): void {
    if (timer) clearTimeout(timer)
    timer = undefined
    for (const lane of lanes) flushLane(lane)
  }

  function queue(message: StoredMessage, done: Iterable<string> = []): void {
    const work: Work = {
      message,
      person: personOf(message),
      done: new Set(done),
      tries: 0,
      firstTry: 0,
      sent: false,
      failures: []
    }
    stats.pending++
    const lane = lanes[hashLane(work.person, lanes.length)]!
    lane.queue.push(work)
    if (lane.queue.length >= batchSize) flushLane(lane)
    timer ??= setTimeout(flush, options.lingerMs ?? 200)
  }

  /** Resolves once every pending message has been tried: what is left waits for a retry (or for the log's disk). */
  function flushed(): Promise<void> {
    flush()
    return until(() => stats.pending === stats.retrying + unrecorded)
  }

  return {
    stats,
    enqueue(messages: StoredMessage[]): void {
      for (const message of messages) queue(message)
    },
    /**
     * Takes a message stored before a restart (call restored() after the last): queued again, to the subscriptions
     * not over for it, when its delivery was not over. When the delivery log is new, every stored message predates
     * the destination (as in Segment, a destination gets the events that arrive after it is connected) and is only
     * recorded.
     */
    restore(message: StoredMessage): void {
      if (!log) return
      if (log.existed) {
        if (!log.done.has(message.messageId)) queue(message, log.partly.get(message.messageId))
        else personOf(message)
        return
      }
      personOf(message)
      predating.push(message.messageId)
      // Not awaited: if these ids never reach the disk, a later restart delivers those messages (never loses them).
      if (predating.length >= 10_000) void log.record(predating.splice(0), [])
    },
    restored(): void {
      if (predating.length > 0) void log?.record(predating.splice(0), [])
    },
    /** Resolves once nothing is pending: every message delivered or finally failed (retries included), and recorded. */
    drain(): Promise<void> {
      flush()
      return until(() => stats.pending === 0)
    },
    flushed,
    /** Delivers what is not waiting for a retry, then stops: held messages stay undone, for the next start. */
    async close(): Promise<void> {
      await flushed()
      closing = true
      for (const hold of held.values()) clearTimeout(hold.timer)
      await Promise.all(lanes.map((lane) => lane.running))
      await log?.close()
    }
  }
}
