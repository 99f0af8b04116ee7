// The explorer page end to end, through real clients: analytics-node sends to the local stack, the Actions
// destination delivers to the local Personalize (provisioned with the AWS SDK) and its round-trip identify writes
// recommended_products; Chromium (Debian's, driven by playwright-core) finds the user, shows the recommendations by
// name and category and the recent events, and shows a new event without a reload.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Analytics, type IdentifyParams, type TrackParams } from '@segment/analytics-node'
import type { Browser } from 'playwright-core'
import { provisionedStack } from '../emulators/__tests__/provisionedStack'
import { recommendedIds } from '../emulators/explorer/activity'
import type { LocalStack } from '../emulators/localStack'
import { defaultSource } from '../generators/sources'
import { launchChromium } from './browser'

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
async function explorerStack(): Promise<LocalStack> {
  const catalogueFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'explorer-')), 'items.csv')
  writeFileSync(
    catalogueFile,
    [
      'ITEM_ID,NAME,CATEGORY,PRICE',
      ...ITEMS.map((item) => `${item.id},${item.name},${item.category},${item.price}`)
    ].join('\n')
  )
  const local = await provisionedStack({ catalogueFile })
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
}, 60_000)
afterAll(async () => {
  await browser?.close()
})

test('a user found by trait shows recommended products by name and category, recent events, and live updates', async () => {
  const stack = await explorerStack()
  const web = webSource(stack.url)
  try {
    await web.track({ anonymousId: 'anon-ada', event: 'Product Viewed', properties: viewed(1) })
    await web.track({ anonymousId: 'anon-ada', event: 'Product Viewed', properties: viewed(2) })
    await web.identify({ userId: USER, anonymousId: 'anon-ada', traits: { name: 'Ada Lovelace', email: EMAIL } })
    await web.track({ userId: USER, event: 'Product Added', properties: viewed(3) })
    // The round-trip's identify (Recommendations on Identify, after Product Added) lands on the user's profile.
    const recommended = await until('recommended_products on the profile', () => {
      const ids = recommendedIds(stack.segment.profiles.traits(USER))
      return ids.length > 0 ? ids : undefined
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
    const timeline = await page.locator('#events li').allTextContents()
    expect(timeline.join('\n')).toMatch(/Product Added[\s\S]*identify[\s\S]*Product Viewed[\s\S]*Product Viewed/)
    expect(timeline.join('\n')).toContain(ITEMS[1]!.name)
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
