// The mappings view end to end: Chromium (Debian's, driven by playwright-core) edits the subscriptions of a local
// stack with a provisioned Personalize, sees a refused save explained in place, saves, finds the edit after a reload
// (it is in the data dir), runs the event tester on a sample and sees the PutEvents request it would send; then
// analytics-node sends through the stack and live delivery follows the edit, checked in the local Personalize.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { Analytics } from '@segment/analytics-node'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './browser'
import { provisionedStack } from '../emulators/__tests__/provisionedStack'
import { defaultSource } from '../generators/sources'

const WEB = defaultSource('web')

let local: Awaited<ReturnType<typeof provisionedStack>>
let browser: Browser

beforeAll(async () => {
  local = await provisionedStack()
  local.configure()
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await local?.stack.close()
})

const card = (page: Page, name: string) => page.locator(`.subscription[data-name="${name}"]`)

async function open(page: Page): Promise<void> {
  await page.goto(`${local.stack.url}/mappings`)
  await page.locator('body[data-ready="true"]').waitFor()
}

test('edit, save, reload, test an event, and see delivery follow the edit', async () => {
  const page = await browser.newPage()
  await open(page)
  await expect(page.locator('#state').textContent()).resolves.toBe('the destination’s presets')
  await expect(page.locator('header a').getAttribute('href')).resolves.toBe('/')

  // A trigger without a value is refused by the stack, and the reason is shown with its subscription.
  const clickedTrigger = card(page, 'Product Clicked').getByLabel('Trigger of Product Clicked')
  const original = await clickedTrigger.inputValue()
  await clickedTrigger.fill('type = "track" and event = ')
  await page.locator('#save').click()
  await expect(card(page, 'Product Clicked').locator('.errors').textContent()).resolves.toMatch(
    /has a condition without a value/
  )
  await expect(page.locator('#save-status').textContent()).resolves.toMatch(/Not saved: 1 problem/)

  // The real edits: Product Viewed's event type becomes a literal, Product Added is disabled.
  await clickedTrigger.fill(original)
  await card(page, 'Product Viewed').locator('textarea[data-field="eventType"]').fill('"Viewed (edited)"')
  await page.getByLabel('Enabled: Product Added').uncheck()
  await page.locator('#save').click()
  await page.locator('#save-status', { hasText: 'Saved' }).waitFor()
  expect(existsSync(path.join(local.dataDir, 'subscriptions.json'))).toBe(true)

  // After a reload the page shows what was saved.
  await open(page)
  await expect(page.locator('#state').textContent()).resolves.toBe('edited (not the presets)')
  await expect(card(page, 'Product Viewed').locator('textarea[data-field="eventType"]').inputValue()).resolves.toBe(
    '"Viewed (edited)"'
  )
  await expect(page.getByLabel('Enabled: Product Added').isChecked()).resolves.toBe(false)
  await expect(card(page, 'Product Clicked').getByLabel('Trigger of Product Clicked').inputValue()).resolves.toBe(
    original
  )

  // The tester on the Product Viewed sample: the PutEvents it would send carries the edited event type.
  await page.locator('#sample').selectOption({ label: 'Product Viewed' })
  await page.locator('#test').click()
  const viewed = page.locator('.outcome[data-name="Product Viewed"]')
  await viewed.waitFor()
  await expect(viewed.locator('.request strong').first().textContent()).resolves.toBe('PutEvents')
  await expect(viewed.locator('.request .mono').first().textContent()).resolves.toBe(`POST ${local.stack.url}/events`)
  const body = JSON.parse((await viewed.locator('.request-body').first().textContent())!) as {
    eventList: Array<Record<string, unknown>>
  }
  expect(body.eventList).toEqual([expect.objectContaining({ eventType: 'Viewed (edited)', itemId: 'prod-81' })])
  await expect(viewed.locator('.result').textContent()).resolves.toMatch(/200 OK/)

  // The disabled subscription matches Product Added but is not run.
  await page.locator('#sample').selectOption({ label: 'Product Added' })
  await page.locator('#test').click()
  await expect(
    page
      .locator('.outcome[data-name="Product Added"]')
      .getByText(/Not run: disabled/)
      .count()
  ).resolves.toBe(1)

  // Text from the event is shown as text, never as markup.
  await page
    .locator('#event')
    .fill(
      JSON.stringify({ type: 'track', event: 'Product Viewed', userId: 'u', properties: { product_id: '<b>x</b>' } })
    )
  await page.locator('#test').click()
  await page.locator('.outcome[data-name="Product Viewed"] .request-body', { hasText: '<b>x</b>' }).waitFor()
  await expect(page.locator('#test-output b').count()).resolves.toBe(0)
  expect(local.recorded().events).toEqual([])

  // Live delivery follows the saved edit, without a restart.
  const analytics = new Analytics({ writeKey: WEB.writeKey, host: local.stack.url, flushAt: 2 })
  analytics.track({
    userId: 'live-1',
    event: 'Product Viewed',
    messageId: 'live-viewed',
    properties: { product_id: 'book-1' }
  })
  analytics.track({
    userId: 'live-1',
    event: 'Product Added',
    messageId: 'live-added',
    properties: { product_id: 'book-2' }
  })
  await analytics.closeAndFlush()
  await local.stack.delivery.drain()
  expect(local.recorded().events).toEqual([
    expect.objectContaining({
      eventId: 'live-viewed',
      eventType: 'Viewed (edited)',
      itemId: 'book-1',
      userId: 'live-1'
    })
  ])
  expect(local.stack.delivery.stats).toMatchObject({ delivered: 1, failed: 0 })
  await page.close()
}, 60_000)
