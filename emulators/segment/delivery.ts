// Delivery through the destination, as Segment delivers to an Actions destination: the real definition run by the
// framework (Destination.onBatch), each preset a subscription, messages batched, retryable failures retried with
// backoff, and what finally fails kept where it can be seen.
import { Destination, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import definition from '../../destination'
import type { Settings } from '../../destination/generated-types'
import { ACTION_CAN_ACT, presets, type ActionName } from '../../destination/presets'
import type { StoredMessage } from './logStore'

export interface DeliveryOptions {
  /** The destination's settings, or undefined while it is not configured (messages are then not delivered). */
  settings: () => Settings | undefined
  /** Messages per onBatch call, and how long a partial batch waits. */
  batchSize?: number
  lingerMs?: number
  /** Attempts per message for retryable failures, and the first backoff (doubled each time). */
  attempts?: number
  backoffMs?: number
}

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
}

// Statuses Segment retries (408, 423, 429 and 5xx but 501).
const retryable = (status: number) => [408, 423, 429].includes(status) || (status >= 500 && status !== 501)
const NOT_SUBSCRIBED = 'does not match the subscription'

export function createDelivery(options: DeliveryOptions) {
  const destination = new Destination(definition)
  const stats: DeliveryStats = { delivered: 0, retried: 0, failed: 0, failures: [], notConfigured: 0 }
  const queue: StoredMessage[] = []
  let timer: NodeJS.Timeout | undefined
  let running = Promise.resolve()
  const batchSize = options.batchSize ?? 100

  async function deliverBatch(messages: StoredMessage[], attempt: number): Promise<void> {
    const settings = options.settings()
    if (!settings) {
      stats.notConfigured += messages.length
      return
    }
    const events = messages as unknown as SegmentEvent[]
    const again = new Set<number>()
    // Per message: sent by every preset that matched it, failed for good by one, or to be retried.
    const outcome = new Array<'sent' | 'failed' | undefined>(messages.length)
    for (const preset of presets) {
      if (preset.type !== 'automatic' || !ACTION_CAN_ACT[preset.partnerAction as ActionName](settings)) continue
      const subscription = {
        subscribe: preset.subscribe,
        partnerAction: preset.partnerAction,
        mapping: preset.mapping as JSONObject
      }
      const [result] = await destination.onBatch(events, { ...settings, subscription })
      result?.multistatus?.forEach((status, i) => {
        if ('errormessage' in status && status.errormessage.includes(NOT_SUBSCRIBED)) return
        if (status.status < 300) {
          outcome[i] ??= 'sent'
          return
        }
        if (retryable(status.status) && attempt < (options.attempts ?? 4)) again.add(i)
        else {
          outcome[i] = 'failed'
          stats.failed++
          stats.failures.push({
            messageId: String(messages[i]!.messageId),
            event: String(messages[i]!.event ?? messages[i]!.type),
            preset: preset.name ?? preset.partnerAction,
            status: status.status,
            message: 'errormessage' in status ? status.errormessage : ''
          })
          if (stats.failures.length > 100) stats.failures.shift()
        }
      })
    }
    stats.delivered += outcome.filter((result, i) => result === 'sent' && !again.has(i)).length
    if (again.size > 0) {
      stats.retried += again.size
      await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 500) * 2 ** (attempt - 1)))
      await deliverBatch(
        messages.filter((_, i) => again.has(i)),
        attempt + 1
      )
    }
  }

  function flush(): void {
    timer = undefined
    const messages = queue.splice(0, queue.length)
    for (let at = 0; at < messages.length; at += batchSize) {
      const part = messages.slice(at, at + batchSize)
      running = running.then(() => deliverBatch(part, 1)).catch(() => undefined)
    }
  }

  return {
    stats,
    /** Queues stored messages for delivery. */
    enqueue(messages: StoredMessage[]): void {
      queue.push(...messages)
      if (queue.length >= batchSize) flush()
      else timer ??= setTimeout(flush, options.lingerMs ?? 200)
    },
    /** Resolves once everything queued so far is delivered (or has finally failed). */
    async drain(): Promise<void> {
      if (timer) clearTimeout(timer)
      flush()
      await running
    }
  }
}
