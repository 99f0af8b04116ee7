// The mappings view end to end: Chromium (Debian's, driven by playwright-core) edits the subscriptions of a local
// stack with a provisioned Personalize as a Segment user edits mappings, without typing JSON: it builds a Track Event
// subscription (a trigger from the event names the stack has seen, paths picked from the sample event, a static value,
// "first of" fallbacks), sees bad paths and triggers named as they are typed and a save with problems refused with the
// list, saves, finds the edit after a reload (it is in the data dir), runs the event tester and sees the PutEvents
// request it would send; then analytics-node sends through the stack and live delivery follows the edit, checked in
// the local Personalize.
import { existsSync, readFileSync } from 'node:fs'
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
const label = (page: Page, text: string) => page.getByLabel(text, { exact: true })

/** Opens the view; the page's script errors and Content-Security-Policy violations fail the test. */
async function open(page: Page, problems: string[]): Promise<void> {
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    // A refused save's 400 is logged as a failed load; what counts is a script error or a blocked resource.
    if (/Content Security Policy|Refused to/.test(message.text())) problems.push(message.text())
  })
  await page.goto(`${local.stack.url}/mappings`)
  await page.locator('body[data-ready="true"]').waitFor()
}

async function send(events: Array<{ event: string; messageId: string; properties: Record<string, unknown> }>) {
  const analytics = new Analytics({ writeKey: WEB.writeKey, host: local.stack.url, flushAt: events.length })
  for (const event of events) analytics.track({ userId: 'live-1', anonymousId: 'anon-live-1', ...event })
  await analytics.closeAndFlush()
  await local.stack.delivery.drain()
}

async function testEvent(page: Page, event: Record<string, unknown>) {
  await page.locator('#event').fill(JSON.stringify(event))
  await page.locator('#test').click()
}

test('build a Track Event subscription without JSON, see problems named as typed, save, test it and see it delivered', async () => {
  // The stack has seen this event before: the trigger builder offers it.
  await send([{ event: 'Product Wishlisted', messageId: 'seen-1', properties: { product_id: 'w-0' } }])
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  const problems: string[] = []
  await open(page, problems)
  await expect(page.locator('#state').textContent()).resolves.toBe('the destination’s presets')
  await expect(page.locator('header a').getAttribute('href')).resolves.toBe('/')
  const file = path.join(local.dataDir, 'subscriptions.json')

  await page.locator('#add').click()
  const fresh = card(page, 'New subscription 11')
  await fresh.getByLabel('Name of New subscription 11', { exact: true }).fill('Wishlist')
  await page.keyboard.press('Tab')
  const wishlist = card(page, 'Wishlist')
  await expect(wishlist.locator('.action-description').textContent()).resolves.toMatch(/PutEvents/)

  // The trigger, from what the stack has seen: a type, then an event name.
  await label(page, 'Event type of Wishlist').selectOption('track')
  await label(page, 'Event name of Wishlist').selectOption('Product Wishlisted')
  await expect(label(page, 'Trigger of Wishlist').inputValue()).resolves.toBe(
    'type = "track" and event = "Product Wishlisted"'
  )

  // Labels, descriptions and required marks come from the destination's fields.
  const eventTypeRow = wishlist.locator('.field-row[data-field="eventType"]')
  await expect(eventTypeRow.locator('.field-label').textContent()).resolves.toBe('Event Type *')
  await expect(eventTypeRow.locator('.description').textContent()).resolves.toMatch(/The Personalize EVENT_TYPE/)

  // A static value for Event Type.
  await label(page, 'How Event Type (Wishlist) is mapped').selectOption('literal')
  await label(page, 'Value of Event Type (Wishlist)').fill('Wishlisted')

  // Item ID: a path picked from the sample event (the tester's Product Viewed).
  await label(page, 'How Item ID (Wishlist) is mapped').selectOption('path')
  await label(page, 'Pick: Path of Item ID (Wishlist)').selectOption('$.properties.product_id')
  await expect(label(page, 'Path of Item ID (Wishlist)').inputValue()).resolves.toBe('$.properties.product_id')

  // Session ID: first of properties.session_id, else anonymousId. A path typed without "$." is named at once.
  await label(page, 'Remove: Fallback 3 of Session ID (Wishlist)').click()
  await label(page, 'Remove: Fallback 1 of Session ID (Wishlist)').click()
  await wishlist.getByRole('button', { name: 'Add fallback to Session ID' }).click()
  await label(page, 'Fallback 2 of Session ID (Wishlist)').fill('properties.session_id')
  const sessionErrors = wishlist.locator('.field-row[data-field="sessionId"] .field-errors')
  await sessionErrors.getByText(/fallback 2: the path "properties.session_id" must start with "\$\."/).waitFor()
  await label(page, 'Fallback 2 of Session ID (Wishlist)').fill('$.properties.session_id')
  await sessionErrors.getByText(/must start/).waitFor({ state: 'detached' })
  await wishlist.locator('.field-row[data-field="sessionId"] li').nth(1).getByTitle('Up').click()
  await expect(label(page, 'Fallback 1 of Session ID (Wishlist)').inputValue()).resolves.toBe('$.properties.session_id')

  // An invalid trigger is named as it is typed (parseFql alone would drop the trailing "and"), and the save is
  // refused with the list; nothing is written.
  await label(page, 'Trigger of Wishlist').fill('type = "track" and event = "Product Wishlisted" and')
  await wishlist
    .locator('.trigger-errors')
    .getByText(/ends with "and": add a condition after it/)
    .waitFor()
  await page.locator('#save').click()
  await page.locator('#save-status', { hasText: 'Not saved: 1 problem' }).waitFor()
  await expect(page.locator('#save-errors').textContent()).resolves.toMatch(
    /#11 Wishlist: the trigger .* ends with "and"/
  )
  expect(existsSync(file)).toBe(false)

  await label(page, 'Trigger of Wishlist').fill('type = "track" and event = "Product Wishlisted"')
  await wishlist.locator('.trigger-errors li').waitFor({ state: 'detached' })
  await page.locator('#save').click()
  await page.locator('#save-status', { hasText: 'Saved' }).waitFor()
  await expect(page.locator('#save-errors li').count()).resolves.toBe(0)

  // Saved in today's format: mapping-kit's directives, the fallbacks as an @if chain.
  const saved = (JSON.parse(readFileSync(file, 'utf8')) as { subscriptions: Array<Record<string, unknown>> })
    .subscriptions
  expect(saved.at(-1)).toMatchObject({
    name: 'Wishlist',
    subscribe: 'type = "track" and event = "Product Wishlisted"',
    partnerAction: 'trackEvent',
    enabled: true,
    mapping: {
      eventType: 'Wishlisted',
      itemId: { '@path': '$.properties.product_id' },
      sessionId: {
        '@if': {
          exists: { '@path': '$.properties.session_id' },
          then: { '@path': '$.properties.session_id' },
          else: { '@path': '$.anonymousId' }
        }
      }
    }
  })

  // After a reload, the editor shows what was saved, as it was built.
  await open(page, problems)
  await expect(page.locator('#state').textContent()).resolves.toBe('edited (not the presets)')
  await card(page, 'Wishlist').locator('details.fields > summary').click()
  await expect(label(page, 'How Session ID (Wishlist) is mapped').inputValue()).resolves.toBe('first')
  await expect(label(page, 'Value of Event Type (Wishlist)').inputValue()).resolves.toBe('Wishlisted')

  // The event tester: the PutEvents the subscription would send.
  await testEvent(page, {
    type: 'track',
    event: 'Product Wishlisted',
    userId: 'u-9',
    anonymousId: 'anon-9',
    properties: { product_id: 'w-1', session_id: 's-42' }
  })
  const outcome = page.locator('.outcome[data-name="Wishlist"]')
  await outcome.waitFor()
  await expect(outcome.locator('.request strong').first().textContent()).resolves.toBe('PutEvents')
  const body = JSON.parse((await outcome.locator('.request-body').first().textContent())!) as {
    sessionId: string
    eventList: Array<Record<string, unknown>>
  }
  expect(body.sessionId).toBe('s-42')
  expect(body.eventList).toEqual([expect.objectContaining({ eventType: 'Wishlisted', itemId: 'w-1' })])
  await expect(outcome.locator('.result').textContent()).resolves.toMatch(/200 OK/)
  expect(local.recorded().events).toEqual([])

  // Live delivery follows the saved subscription, without a restart: no session_id, so the anonymousId.
  await send([{ event: 'Product Wishlisted', messageId: 'live-wish', properties: { product_id: 'book-3' } }])
  expect(local.recorded().events).toEqual([
    expect.objectContaining({ eventId: 'live-wish', eventType: 'Wishlisted', itemId: 'book-3', userId: 'live-1' })
  ])
  expect(problems).toEqual([])
  await page.close()
}, 90_000)

test('presets: a trigger without a value is refused by the stack, edits are saved, disabled subscriptions not run', async () => {
  local.stack.subscriptions.reset()
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  const problems: string[] = []
  await open(page, problems)

  const clickedTrigger = label(page, 'Trigger of Product Clicked')
  const original = await clickedTrigger.inputValue()
  await clickedTrigger.fill('type = "track" and event = ')
  await card(page, 'Product Clicked')
    .locator('.trigger-errors')
    .getByText(/has a condition without a value/)
    .waitFor()
  await page.locator('#save').click()
  await page.locator('#save-status', { hasText: /Not saved: 1 problem/ }).waitFor()

  await clickedTrigger.fill(original)
  await card(page, 'Product Viewed').locator('details.fields > summary').click()
  await label(page, 'How Event Type (Product Viewed) is mapped').selectOption('literal')
  await label(page, 'Value of Event Type (Product Viewed)').fill('Viewed (edited)')
  // A static value the field's type cannot take is named: Event Value is a number.
  await label(page, 'How Event Value (Product Viewed) is mapped').selectOption('literal')
  await label(page, 'Value of Event Value (Product Viewed)').fill('high')
  await card(page, 'Product Viewed')
    .getByText(/"high" is not a number/)
    .waitFor()
  await label(page, 'How Event Value (Product Viewed) is mapped').selectOption('unmapped')
  await page.getByLabel('Enabled: Product Added').uncheck()
  await page.locator('#save').click()
  await page.locator('#save-status', { hasText: 'Saved' }).waitFor()

  // The raw JSON is there, behind the advanced toggle.
  await card(page, 'Product Viewed').locator('details.advanced > summary').click()
  await expect(card(page, 'Product Viewed').locator('.mapping-json').textContent()).resolves.toMatch(
    /"eventType": "Viewed \(edited\)"/
  )

  await page.locator('#sample').selectOption({ label: 'Product Viewed' })
  await page.locator('#test').click()
  const viewed = page.locator('.outcome[data-name="Product Viewed"]')
  await viewed.waitFor()
  await expect(viewed.locator('.request .mono').first().textContent()).resolves.toBe(`POST ${local.stack.url}/events`)
  const body = JSON.parse((await viewed.locator('.request-body').first().textContent())!) as {
    eventList: Array<Record<string, unknown>>
  }
  expect(body.eventList).toEqual([expect.objectContaining({ eventType: 'Viewed (edited)', itemId: 'prod-81' })])

  await page.locator('#sample').selectOption({ label: 'Product Added' })
  await page.locator('#test').click()
  await page
    .locator('.outcome[data-name="Product Added"]')
    .getByText(/Not run: disabled/)
    .waitFor()

  // Text from the event is shown as text, never as markup.
  await testEvent(page, { type: 'track', event: 'Product Viewed', userId: 'u', properties: { product_id: '<b>x</b>' } })
  await page.locator('.outcome[data-name="Product Viewed"] .request-body', { hasText: '<b>x</b>' }).waitFor()
  await expect(page.locator('#test-output b').count()).resolves.toBe(0)
  expect(problems).toEqual([])
  await page.close()
}, 60_000)

test('an object field as keys and values: paths and static text, problems named as typed, saved as an object', async () => {
  local.stack.subscriptions.reset()
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  const problems: string[] = []
  await open(page, problems)
  const viewed = card(page, 'Product Viewed')
  await viewed.locator('details.fields > summary').click()
  const who = 'Interaction Properties (Product Viewed)'
  // Only object fields offer it.
  await expect(
    label(page, 'How Item ID (Product Viewed) is mapped').locator('option[value="keys"]').count()
  ).resolves.toBe(0)
  await label(page, `How ${who} is mapped`).selectOption('keys')
  const errors = viewed.locator('.field-row[data-field="properties"] .field-errors')
  await errors.getByText(/key 1 is empty/).waitFor()
  await label(page, `Name of key 1 of ${who}`).fill('numberOfRatings')
  await label(page, `Value of key 1 of ${who}`).fill('properties.rating')
  await errors.getByText(/key "numberOfRatings": the path "properties.rating" must start with "\$\."/).waitFor()
  await label(page, `Pick: Value of key 1 of ${who}`).selectOption('$.properties.price')
  await viewed.getByRole('button', { name: 'Add key to Interaction Properties' }).click()
  await label(page, `Name of key 2 of ${who}`).fill('numberOfRatings')
  await errors.getByText(/key "numberOfRatings" is given twice/).waitFor()
  await label(page, `Name of key 2 of ${who}`).fill('channel')
  await label(page, `Kind: Value of key 2 of ${who}`).selectOption('literal')
  await label(page, `Value of key 2 of ${who}`).fill('web')
  await errors.locator('li').first().waitFor({ state: 'detached' })
  await page.locator('#save').click()
  await page.locator('#save-status', { hasText: 'Saved' }).waitFor()

  const saved = (
    JSON.parse(readFileSync(path.join(local.dataDir, 'subscriptions.json'), 'utf8')) as {
      subscriptions: Array<{ name: string; mapping: Record<string, unknown> }>
    }
  ).subscriptions.find(({ name }) => name === 'Product Viewed')
  expect(saved?.mapping.properties).toEqual({ numberOfRatings: { '@path': '$.properties.price' }, channel: 'web' })

  // A reload shows the object as it was built; the tester sends it as PutEvents' properties.
  await open(page, problems)
  await card(page, 'Product Viewed').locator('details.fields > summary').click()
  await expect(label(page, `How ${who} is mapped`).inputValue()).resolves.toBe('keys')
  await expect(label(page, `Name of key 2 of ${who}`).inputValue()).resolves.toBe('channel')
  await testEvent(page, {
    type: 'track',
    event: 'Product Viewed',
    userId: 'u-1',
    properties: { product_id: 'p-1', price: 12 }
  })
  const outcome = page.locator('.outcome[data-name="Product Viewed"]')
  await outcome.waitFor()
  const body = JSON.parse((await outcome.locator('.request-body').first().textContent())!) as {
    eventList: Array<{ properties?: string }>
  }
  expect(JSON.parse(body.eventList[0]?.properties ?? '{}')).toEqual({ numberOfRatings: 12, channel: 'web' })
  expect(problems).toEqual([])
  await page.close()
}, 60_000)
