// Takes docs/explorer.png and docs/mappings.png: the local stack with a few days of generated history, provisioned
// from its own logs (backfill → provision, as docs/local-personalize.md does by hand), then one more day sent live so
// that the destination's round-trip writes recommended_products; Chromium opens the busiest user with recommendations
// (the chart, the timeline), then the mappings view with a subscription's fields and the event tester's report.
// Run: npx tsx scripts/screenshot.ts (about a minute).
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { launchChromium } from '../test/browser'
import { backfill } from '../backfill/backfill'
import type { Settings } from '../destination/generated-types'
import type { UserSummary } from '../emulators/explorer/activity'
import { startLocalStack, type LocalStack } from '../emulators/localStack'
import { parseDay } from '../generators/calendar'
import { DEFAULTS } from '../generators/model'
import { replay, type ReplayOptions } from '../generators/replay'
import { trackingApiSink } from '../generators/sinks/trackingApi'
import { defaultSource, SOURCE_NAMES } from '../generators/sources'
import { provision } from '../provision/provision'
import { destinationSettings } from '../provision/settings'

const OUT = path.join(__dirname, '..', 'docs', 'explorer.png')
const MAPPINGS_OUT = path.join(__dirname, '..', 'docs', 'mappings.png')
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' }
const FIRST_DAY = parseDay('from', '2026-10-01')
const HISTORY_DAYS = 3

class ScreenshotError extends Error {
  override name = 'ScreenshotError'
}

/** The replay always starts on FIRST_DAY: a day's visitors and sign-ups depend on the days before it. */
const replayTo = (to: number): ReplayOptions => ({
  ...DEFAULTS,
  usersPerDay: 150,
  from: FIRST_DAY,
  to,
  sources: SOURCE_NAMES.map(defaultSource)
})

/** Sends the replay's days from..to to the stack's Tracking API with analytics-node, as `generate --host` does. */
async function send(stack: LocalStack, from: number, to: number): Promise<void> {
  const options = replayTo(to)
  const sink = trackingApiSink({ host: stack.url, sources: options.sources })
  const summary = await replay(
    options,
    {
      ...sink,
      // Days before `from` are generated (the model needs them) but not sent again.
      write: (messages, day) => (day >= from ? sink.write(messages, day) : Promise.resolve())
    },
    () => undefined
  )
  console.log(summary)
}

async function provisioned(stack: LocalStack, dataDir: string): Promise<Settings> {
  const csv = path.join(dataDir, 'csv')
  const report = await backfill({ input: dataDir, out: csv })
  console.log(`backfill: ${report.interactions} interactions, ${report.users} users, ${report.items} items`)
  const provisioned = await provision({
    name: 'shop',
    csv: { Interactions: path.join(csv, 'interactions.csv') },
    personalize: new PersonalizeClient({ region: 'us-west-2', endpoint: stack.url, credentials: CREDENTIALS }),
    pollMs: 20
  })
  return destinationSettings(provisioned, 'us-west-2', stack.url)
}

/** The busiest identified user the round-trip gave recommendations, found through the explorer's own API. */
async function featuredUser(stack: LocalStack): Promise<string> {
  const { users } = (await (await fetch(`${stack.url}/_local/users?limit=500`)).json()) as { users: UserSummary[] }
  const candidates = users.filter((user) => user.recommended > 0 && user.label)
  candidates.sort((a, b) => b.eventCount - a.eventCount)
  if (!candidates[0]) throw new ScreenshotError('No user has recommended_products: did delivery run?')
  // Preferably one whose latest list changed (items entered and left), so the timeline shows a change.
  for (const candidate of candidates.slice(0, 50)) {
    const detail = (await (await fetch(`${stack.url}/_local/users/${encodeURIComponent(candidate.id)}`)).json()) as {
      events: Array<{ recommendations?: { first: boolean; entered: unknown[] } }>
    }
    const latest = detail.events.find((event) => event.recommendations)?.recommendations
    if (latest && !latest.first && latest.entered.length > 0) return candidate.id
  }
  return candidates[0].id
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'explorer-shot-'))
  const destination: { settings?: Settings } = {}
  const stack = await startLocalStack({ dataDir, delayMs: 0, settings: () => destination.settings })
  try {
    await send(stack, FIRST_DAY, FIRST_DAY + HISTORY_DAYS - 1)
    destination.settings = await provisioned(stack, dataDir)
    await send(stack, FIRST_DAY + HISTORY_DAYS, FIRST_DAY + HISTORY_DAYS)
    // Twice: the round-trip's identifies are stored (and delivered) after the batch that asked for them.
    await stack.delivery.drain()
    await stack.delivery.drain()
    console.log(JSON.stringify({ ...stack.stats(), delivery: { ...stack.delivery.stats, failures: undefined } }))
    const userId = await featuredUser(stack)
    const browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    await page.goto(`${stack.url}/#user=${encodeURIComponent(userId)}`)
    await page.locator('#recommended .card').first().waitFor()
    await page.locator('#live.on').waitFor()
    await page.locator('#chart svg.chart').first().waitFor()
    await page.screenshot({ path: OUT })
    await page.setViewportSize({ width: 1400, height: 1100 })
    await page.goto(`${stack.url}/mappings`)
    await page.locator('body[data-ready="true"]').waitFor()
    await page.locator('.subscription[data-name="Product Viewed"] details.fields > summary').click()
    await page.locator('#test').click()
    await page.locator('.outcome[data-name="Product Viewed"]').waitFor()
    await page.screenshot({ path: MAPPINGS_OUT })
    await browser.close()
    console.log(`${OUT}: user ${userId}; ${MAPPINGS_OUT}`)
  } finally {
    await stack.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
