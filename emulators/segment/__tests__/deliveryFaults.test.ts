// Delivery like Segment's, under faults: with 20% of the local Personalize's calls throttled and 5% failing with a 500,
// a replay of thousands of events through the local Segment's Tracking API ends with every acknowledged interaction in
// Personalize exactly once, and the round-trip's identifies one per trigger at most (a retry sends a message only to
// the subscriptions that failed, and the identify's messageId is derived from its trigger's), every visitor's last
// trigger answered by its own.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import type { SegmentEvent } from '@segment/actions-core'
import { makeEvents } from '../../../bench/events'
import type { Settings } from '../../../destination/generated-types'
import { defaultSource } from '../../../generators/sources'
import { localSettings } from '../../../test/localProcess'
import { startLocalStack } from '../../localStack'
import { credentials, provisionWorkshopCampaign } from '../../personalize/__tests__/fixtures'
import { LogStore } from '../logStore'
import { ROUND_TRIP_SOURCE } from '../server'

const EVENTS = 3000
const WEB = defaultSource('web')

/** Posts the events to /v1/batch, 100 at a time, each request again until it is acknowledged (200). */
async function replay(url: string, events: SegmentEvent[]): Promise<void> {
  const authorization = `Basic ${Buffer.from(`${WEB.writeKey}:`).toString('base64')}`
  for (let at = 0; at < events.length; at += 100) {
    const body = JSON.stringify({ batch: events.slice(at, at + 100) })
    for (;;) {
      const response = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body
      })
      if (response.status === 200) break
    }
  }
}

/** The eventIds the presets give an event's interactions: the messageId, or `<messageId>-<i>` per product. */
function interactionIds(event: SegmentEvent): string[] {
  const products = (event.properties as { products?: unknown[] } | undefined)?.products
  if (event.event === 'Order Completed' && Array.isArray(products))
    return products.map((_, i) => `${event.messageId!}-${i}`)
  return [event.messageId!]
}

// The round-trip's presets: Recommendations after Order Completed, after Product Added.
const triggers = (event: SegmentEvent) => event.event === 'Order Completed' || event.event === 'Product Added'

const identifyIdOf = (event: SegmentEvent) => `personalize-syncRecommendations-${event.messageId!}`
const identityOf = (event: SegmentEvent) => JSON.stringify([event.userId ?? null, event.anonymousId ?? null])

const counts = (values: Iterable<string>) => {
  const result = new Map<string, number>()
  for (const value of values) result.set(value, (result.get(value) ?? 0) + 1)
  return result
}

test('with 20% throttling and 5% 5xx, every interaction is in Personalize once, and one identify per trigger', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'delivery-faults-'))
  const dataDir = path.join(dir, 'data')
  let settings: Settings | undefined
  const stack = await startLocalStack({
    dataDir,
    delayMs: 0,
    faults: { throttle: 0.2, error: 0.05, seed: 15 },
    settings: () => settings,
    // Small waits, so that the test is quick; the budget is Segment's four hours.
    backoffMs: 5,
    maxBackoffMs: 100,
    lingerMs: 20
  })
  try {
    // Provisioning meets the same faults; the SDK retries them.
    const control = new PersonalizeClient({ region: 'us-west-2', endpoint: stack.url, credentials, maxAttempts: 10 })
    const { campaignArn, trackingId, datasetGroupArn } = await provisionWorkshopCampaign(control, dir)
    settings = localSettings(stack.url, trackingId, { campaignArn })

    const events = makeEvents(EVENTS, 15)
    await replay(stack.url, events)
    await stack.delivery.drain()

    const { delivery, segment } = stack.stats()
    expect(delivery).toMatchObject({ failed: 0, pending: 0, retrying: 0 })
    // The faults were met, and retried.
    expect(delivery.retried).toBeGreaterThan(100)

    const recorded = counts((stack.personalize.store.events.get(datasetGroupArn) ?? []).map((e) => e.eventId ?? ''))
    const expected = events.flatMap(interactionIds)
    expect(expected.filter((id) => recorded.get(id) !== 1)).toEqual([])
    expect(recorded.size).toBe(expected.length)

    // The round-trip's identifies, as the local Segment's logs hold them. The destination asks once per identity and
    // batch, for its latest trigger there, and names the identify after that trigger: so each identify names a trigger,
    // no trigger is named twice (a retried trigger does not add a set), and each identity's last trigger has its own.
    const stored = [...new LogStore(dataDir).stored()].filter((m) => m.projectId === ROUND_TRIP_SOURCE.sourceId)
    const triggerOf = new Map(events.filter(triggers).map((event) => [identifyIdOf(event), event]))
    const perTrigger = counts(stored.map((message) => message.messageId))
    expect([...perTrigger].filter(([id, n]) => n !== 1 || !triggerOf.has(id))).toEqual([])
    const lastTrigger = new Map([...triggerOf.values()].map((event) => [identityOf(event), event]))
    const unanswered = [...lastTrigger.values()].filter((event) => !perTrigger.has(identifyIdOf(event)))
    expect(unanswered).toEqual([])
    // A retried trigger's round-trip never ran twice: the local Segment saw no repeated messageId.
    expect(segment.duplicates).toBe(0)
  } finally {
    await stack.close()
  }
}, 90_000)
