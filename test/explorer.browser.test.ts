// The explorer page end to end, through real clients: analytics-node sends to the local stack, the Actions
// destination delivers to the local Personalize (provisioned with the AWS SDK) and its round-trip identify writes
// recommended_products; Chromium (Debian's, driven by playwright-core) finds the user, shows the recommendations by
// name and category, the timeline of events with what entered and left the list after each round-trip, and a new
// event without a reload; the chart of messages per second and the backlog follows /_local/stats live.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Analytics, type IdentifyParams, type TrackParams } from '@segment/analytics-node'
import type { Browser } from 'playwright-core'
import { provisionedStack } from '../emulators/__tests__/provisionedStack'
import { recommendedIds } from '../emulators/explorer/activity'
import type { LocalStack } from '../emulators/localStack'
import type { StoredMessage } from '../emulators/segment/logStore'
import { defaultSource } from '../generators/sources'
import { LAUNCH_TIMEOUT_MS, launchChromium } from './browser'

const WEB = defaultSource('web')
const USER = 'ada-1'
const EMAIL = 'ada@example.com'

class BrowserTestError extends Error {
  override name = 'BrowserTestError'
}

// The workshop fixture's items (shoe-0…9, book-0…9), as the backfill's items.csv names them.
const ITEMS = ['shoe', 'book'].flatMap((kind) =>
  Array.from({ length: 10 }, (_, k) => ({
    id: `${kind}-${k}`,
    name: `${kind === 'shoe' ? 'Trail Shoe' : 'Paperback'} No. ${k}`,
    category: kind === 'shoe' ? 'Shoes' : 'Books',
    price: 20 + k
  }))
)

/** Polls `check` until it returns something other than undefined. */
async function until<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() - started > timeoutMs) throw new BrowserTestError(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A provisioned stack whose destination has the round-trip, and the catalogue as the backfill's items.csv names it. */
async function explorerStack(observe?: (message: StoredMessage) => void): Promise<LocalStack> {
  const catalogueFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'explorer-')), 'items.csv')
  writeFileSync(
    catalogueFile,
    [
      'ITEM_ID,NAME,CATEGORY,PRICE',
      ...ITEMS.map((item) => `${item.id},${item.name},${item.category},${item.price}`)
    ].join('\n')
  )
  const local = await provisionedStack({ catalogueFile, observe })
  local.configure(true)
  return local.stack
}

/** analytics-node, one message per request, each call resolving once the local Segment has acknowledged it. */
function webSource(url: string) {
  const analytics = new Analytics({ writeKey: WEB.writeKey, host: url, flushAt: 1 })
  const sent = (resolve: () => void, reject: (error: unknown) => void) => (error?: unknown) =>
    error ? reject(error) : resolve()
  return {
    track: (params: TrackParams) =>
      new Promise<void>((resolve, reject) => analytics.track(params, sent(resolve, reject))),
    identify: (params: IdentifyParams) =>
      new Promise<void>((resolve, reject) => analytics.identify(params, sent(resolve, reject))),
    close: () => analytics.closeAndFlush()
  }
}

const viewed = (k: number) => {
  const item = ITEMS[k]!
  return { product_id: item.id, name: item.name, category: item.category, price: item.price }
}

let browser: Browser
beforeAll(async () => {
  browser = await launchChromium()
}, LAUNCH_TIMEOUT_MS)
afterAll(async () => {
  await browser?.close()
})

test('a user found by trait shows recommended products, a timeline with what each round-trip changed, and live updates', async () => {
  // The round-trip's identifies, by the messageId of the event that triggered them.
  const roundTrips = new Map<string, string[]>()
  const stack = await explorerStack((message) => {
    const trigger = /^personalize-syncRecommendations-(.+)$/.exec(message.messageId)?.[1]
    if (trigger) roundTrips.set(trigger, recommendedIds(message.traits as Record<string, unknown>))
  })
  const web = webSource(stack.url)
  try {
    await web.track({ anonymousId: 'anon-ada', event: 'Product Viewed', properties: viewed(1) })
    await web.track({ anonymousId: 'anon-ada', event: 'Product Viewed', properties: viewed(2) })
    await web.identify({
      userId: USER,
      anonymousId: 'anon-ada',
      messageId: 'identify-1',
      traits: { name: 'Ada Lovelace', email: EMAIL }
    })
    // Two lists: Recommendations on Identify, then the one after Product Added (delivered in order, per person).
    await until('the round-trip after the identify', () => roundTrips.get('identify-1'))
    for (const k of [12, 13, 14]) await web.track({ userId: USER, event: 'Product Viewed', properties: viewed(k) })
    await web.track({ userId: USER, event: 'Product Added', messageId: 'added-1', properties: viewed(13) })
    const [first, second] = await until('the round-trip after Product Added', () =>
      roundTrips.has('added-1') ? [roundTrips.get('identify-1')!, roundTrips.get('added-1')!] : undefined
    )
    const recommended = await until('the second list on the profile', () => {
      const ids = recommendedIds(stack.segment.profiles.traits(USER))
      return ids.join() === second.join() ? ids : undefined
    })

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(stack.url)
    await page.fill('#search', EMAIL)
    await page.locator(`#users button[data-id="${USER}"]`).click()
    await page.locator('#recommended .card').first().waitFor()
    const cards = await page.locator('#recommended .card').evaluateAll((nodes) =>
      nodes.map((node) => ({
        id: node.getAttribute('data-item-id'),
        name: node.querySelector('.name')?.textContent,
        category: node.querySelector('.category')?.textContent
      }))
    )
    const byId = new Map(ITEMS.map((item) => [item.id, item]))
    expect(cards).toEqual(recommended.map((id) => ({ id, name: byId.get(id)!.name, category: byId.get(id)!.category })))
    const timeline = await page.locator('#events > li').allTextContents()
    expect(timeline.join('\n')).toMatch(/Product Added[\s\S]*identify[\s\S]*Product Viewed[\s\S]*Product Viewed/)
    expect(timeline.join('\n')).toContain(ITEMS[1]!.name)

    // The timeline: after the identify, the first list (everything entered); after Product Added, what entered and
    // what left it, as the two round-trip identifies differ. The identifies themselves are folded into their events.
    const changes = (messageId: string, kind: 'entered' | 'left') =>
      page
        .locator(`#events > li[data-message-id="${messageId}"] .recommendations .${kind} li`)
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-item-id')))
    await expect(changes('identify-1', 'entered')).resolves.toEqual(first)
    await expect(changes('identify-1', 'left')).resolves.toEqual([])
    const entered = second.filter((id) => !first.includes(id))
    const left = first.filter((id) => !second.includes(id))
    await expect(changes('added-1', 'entered')).resolves.toEqual(entered)
    await expect(changes('added-1', 'left')).resolves.toEqual(left)
    const added = page.locator('#events > li[data-message-id="added-1"] .recommendations')
    await expect(added.textContent()).resolves.toContain(
      entered.length + left.length > 0
        ? `${ITEMS.find((item) => item.id === (entered[0] ?? left[0]))!.name}`
        : 'The same items'
    )
    await expect(
      page.locator('#events > li[data-message-id^="personalize-syncRecommendations-"]').count()
    ).resolves.toBe(0)
    expect(page.url()).toBe(`${stack.url}/#user=${USER}`)

    // A new event shows without a reload: the marker set on this document survives.
    await page.evaluate(() => Object.assign(window, { notReloaded: true }))
    await web.track({ userId: USER, event: 'Product Viewed', messageId: 'live-1', properties: viewed(15) })
    const live = page.locator('#events li[data-message-id="live-1"]')
    await live.waitFor({ timeout: 30_000 })
    expect(await live.textContent()).toContain(ITEMS[15]!.name)
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true)
    // The header's stats follow too.
    const stored = String(stack.segment.stats.stored)
    await page.waitForFunction((n) => document.querySelector('[data-stat="stored"]')?.textContent === n, stored)
    await page.close()
  } finally {
    await web.close()
    await stack.close()
  }
}, 60_000)

test('the chart of messages per second and the backlog renders, updates live, and matches /_local/stats', async () => {
  const stack = await explorerStack()
  const web = webSource(stack.url)
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(stack.url)
    const chart = page.locator('#chart')
    await chart.locator('svg.chart').nth(1).waitFor()
    const firstAt = Number(await chart.getAttribute('data-at'))

    for (let k = 0; k < 8; k++)
      await web.track({ anonymousId: `anon-chart-${k}`, event: 'Product Viewed', properties: viewed(k) })
    await stack.delivery.drain()
    const stats = (await (await fetch(`${stack.url}/_local/stats`)).json()) as {
      segment: { stored: number }
      delivery: { delivered: number; failed: number; pending: number }
    }
    expect(stats).toMatchObject({ segment: { stored: 8 }, delivery: { delivered: 8, failed: 0, pending: 0 } })
    // The next sample (one a second) has the same numbers, without a reload.
    const expected = [stats.segment.stored, stats.delivery.delivered, stats.delivery.failed, stats.delivery.pending]
    await page.waitForFunction(
      (numbers) => {
        const data = document.getElementById('chart')!.dataset
        return [data.stored, data.delivered, data.failed, data.pending].join() === numbers.join()
      },
      expected,
      { timeout: 10_000 }
    )
    expect(Number(await chart.getAttribute('data-at'))).toBeGreaterThan(firstAt)
    await expect(chart.locator('.legend-item[data-series="stored"]').textContent()).resolves.toMatch(/\(8 in all\)/)
    await expect(chart.locator('.legend-item[data-series="delivered"]').textContent()).resolves.toMatch(/\(8 in all\)/)
    await expect(chart.locator('.legend-item[data-series="pending"]').textContent()).resolves.toBe(
      'backlog (pending) 0'
    )
    // The stored line rose above its baseline at some second.
    const heights = await chart.locator('polyline[data-series="stored"]').evaluate((line) =>
      line
        .getAttribute('points')!
        .split(' ')
        .map((point) => Number(point.split(',')[1]))
    )
    expect(heights.length).toBeGreaterThan(1)
    expect(Math.min(...heights)).toBeLessThan(Math.max(...heights))
    // It keeps updating: a later sample arrives.
    const at = Number(await chart.getAttribute('data-at'))
    await page.waitForFunction((before) => Number(document.getElementById('chart')!.dataset.at) > before, at)
    expect(problems).toEqual([])
    await page.close()
  } finally {
    await web.close()
    await stack.close()
  }
}, 60_000)

test('a deep link opens the user; the Catalogue tab lists the items.csv entries and those seen in events', async () => {
  const stack = await explorerStack()
  const web = webSource(stack.url)
  try {
    await web.track({
      userId: 'grace',
      event: 'Product Viewed',
      properties: { product_id: 'lamp-1', name: 'Desk Lamp' }
    })
    const page = await browser.newPage()
    await page.goto(`${stack.url}/#user=grace`)
    await page.locator('#user-title', { hasText: 'grace' }).waitFor()
    await page.click('#tab-catalogue')
    await page.locator('#catalogue tr[data-item-id="lamp-1"]', { hasText: 'Desk Lamp' }).waitFor()
    expect(await page.locator('#catalogue tbody tr').count()).toBe(ITEMS.length + 1)
    await page.goto(`${stack.url}/#user=nobody`)
    await page.locator('#user-panel', { hasText: 'No user nobody' }).waitFor()
    await page.close()
  } finally {
    await web.close()
    await stack.close()
  }
}, 60_000)
