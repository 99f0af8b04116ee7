// The local Segment's Tracking API with real clients: @segment/analytics-node and fetch, storage read back as the
// backfill reads a bucket.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Analytics } from '@segment/analytics-node'
import { backfill } from '../../../backfill/backfill'
import { PROFILE_TOKEN } from '../profiles'
import { createSegmentEmulator } from '../server'

const WEB = { name: 'web', writeKey: 'webWriteKey0123456789', sourceId: 'WEBSOURCE1' }
const temporary = () => mkdtempSync(path.join(os.tmpdir(), 'local-segment-'))

/** Every stored line under a data dir, with the path it is in. */
function storedLines(dir: string): Array<{ file: string; message: Record<string, unknown> }> {
  const root = path.join(dir, 'segment-logs')
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.gz'))
    .flatMap((file) =>
      gunzipSync(readFileSync(path.join(root, file)))
        .toString()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => ({ file, message: JSON.parse(line) as Record<string, unknown> }))
    )
}

async function withSegment<T>(
  dir: string | undefined,
  run: (url: string, segment: ReturnType<typeof createSegmentEmulator>) => Promise<T>,
  strict = false
) {
  const segment = createSegmentEmulator({ dataDir: dir, sources: [WEB], strict })
  const url = await segment.listen()
  try {
    return await run(url, segment)
  } finally {
    await segment.close()
  }
}

const post = (url: string, call: string, body: unknown, writeKey = WEB.writeKey) =>
  fetch(`${url}/v1/${call}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`
    },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })

test('analytics-node’s messages are stored in the S3 layout, with Segment’s fields, and the backfill reads them', async () => {
  const dir = temporary()
  await withSegment(dir, async (url) => {
    const analytics = new Analytics({ writeKey: WEB.writeKey, host: url, flushAt: 10, maxRetries: 1 })
    for (let n = 0; n < 30; n++)
      analytics.track({
        userId: `user-${n % 5}`,
        event: 'Product Viewed',
        messageId: `m-${n}`,
        timestamp: new Date(Date.UTC(2026, 2, 1, 10, 0, n)),
        properties: { product_id: `p-${n % 7}` }
      })
    analytics.identify({ userId: 'user-1', traits: { plan: 'pro' } })
    await analytics.closeAndFlush()
  })
  const lines = storedLines(dir)
  expect(lines).toHaveLength(31)
  for (const { file, message } of lines) {
    // segment-logs/<source-id>/<received-day-ms>/<file>.gz
    const [sourceId, day] = file.split(path.sep)
    expect(sourceId).toBe(WEB.sourceId)
    expect(Number(day) % 86_400_000).toBe(0)
    expect(Math.floor(Date.parse(message.receivedAt as string) / 86_400_000) * 86_400_000).toBe(Number(day))
    expect(message).toMatchObject({ projectId: WEB.sourceId, writeKey: WEB.writeKey, version: 2 })
    expect(message.context).toMatchObject({ library: { name: '@segment/analytics-node' } })
  }
  const out = temporary()
  const report = await backfill({ input: dir, out })
  expect(report.interactions).toBe(30)
  expect(readFileSync(path.join(out, 'interactions.csv'), 'utf8')).toContain('user-0,p-0,Product Viewed,1772359200')
})

test('server-side fields: messageId when absent, originalTimestamp, the timestamp corrected by sentAt, type', async () => {
  const dir = temporary()
  await withSegment(dir, async (url) => {
    const clientClock = Date.now() + 60_000 // a client a minute fast
    const response = await post(url, 'track', {
      userId: 'u',
      event: 'Product Viewed',
      timestamp: new Date(clientClock - 5000).toISOString(),
      sentAt: new Date(clientClock).toISOString()
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ success: true })
  })
  const { message } = storedLines(dir)[0] as { message: Record<string, string> }
  expect(message.type).toBe('track')
  expect(message.messageId).toMatch(/^api-[0-9a-f-]{36}$/)
  const received = Date.parse(message.receivedAt!)
  // The event happened 5 s before the (fast) client sent it: Segment's timestamp is 5 s before it received it.
  expect(received - Date.parse(message.timestamp!)).toBe(5000)
  expect(Date.parse(message.sentAt!) - Date.parse(message.originalTimestamp!)).toBe(5000)
})

test('the write key in the body; /v1/import as /v1/batch, with the batch’s context merged into each message', async () => {
  await withSegment(undefined, async (url, segment) => {
    const body = {
      writeKey: WEB.writeKey,
      context: { ip: '1.2.3.4' },
      batch: [{ type: 'identify', userId: 'u1', context: { locale: 'en' } }]
    }
    const response = await fetch(`${url}/v1/import`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' }
    })
    expect(response.status).toBe(200)
    expect(segment.memory[0]).toMatchObject({
      type: 'identify',
      userId: 'u1',
      context: { ip: '1.2.3.4', locale: 'en' }
    })
  })
})

describe('Segment’s limits and answers', () => {
  test.each<[string, string, unknown, number, string]>([
    ['invalid JSON', 'track', '{"userId":', 400, 'invalid_json'],
    [
      'a message over 32 KB',
      'track',
      { userId: 'u', event: 'E', properties: { blob: 'x'.repeat(33 * 1024) } },
      400,
      'request_too_large'
    ],
    [
      'a batch over 500 KB',
      'batch',
      {
        batch: Array.from({ length: 20 }, () => ({
          type: 'track',
          userId: 'u',
          event: 'E',
          properties: { blob: 'x'.repeat(30 * 1024) }
        }))
      },
      400,
      'request_too_large'
    ],
    [
      'a batch message over 32 KB',
      'batch',
      { batch: [{ type: 'track', userId: 'u', event: 'E', properties: { blob: 'x'.repeat(33 * 1024) } }] },
      400,
      'message_too_large'
    ]
  ])('%s → %i', async (_, call, body, status, code) => {
    await withSegment(undefined, async (url, segment) => {
      const response = await post(url, call, body)
      expect(response.status).toBe(status)
      expect(await response.json()).toMatchObject({ success: false, code })
      expect(segment.stats.stored).toBe(0)
    })
  })

  test('an empty or very short write key → 400', async () => {
    await withSegment(undefined, async (url) => {
      expect((await post(url, 'track', { userId: 'u', event: 'E' }, 'short')).status).toBe(400)
    })
  })

  test('more than 2500 messages: 200, and all dropped', async () => {
    await withSegment(undefined, async (url, segment) => {
      const batch = Array.from({ length: 2501 }, (_, n) => ({
        type: 'track',
        userId: 'u',
        event: 'E',
        messageId: `m${n}`
      }))
      expect((await post(url, 'batch', { batch })).status).toBe(200)
      expect(segment.stats).toMatchObject({ stored: 0, dropped: { 'batch over 2500 events': 2501 } })
    })
  })

  test('messages Segment drops after 200: no user or anonymous id, a track without event, no type', async () => {
    await withSegment(undefined, async (url, segment) => {
      const batch = [
        { type: 'track', event: 'E' },
        { type: 'track', userId: 'u' },
        { userId: 'u' },
        { type: 'track', userId: 'u', event: 'E' }
      ]
      expect((await post(url, 'batch', { batch })).status).toBe(200)
      expect(segment.stats).toMatchObject({
        stored: 1,
        dropped: { no_user_anon_id: 1, 'track without event': 1, 'no valid type': 1 }
      })
    })
  })

  test('an unknown write key: accepted and dropped, as Segment does; 401 in strict mode', async () => {
    await withSegment(undefined, async (url, segment) => {
      expect((await post(url, 'track', { userId: 'u', event: 'E' }, 'unknownWriteKey1234')).status).toBe(200)
      expect(segment.stats).toMatchObject({ stored: 0, dropped: { 'unknown write key': 1 } })
    })
    await withSegment(
      undefined,
      async (url) => {
        const response = await post(url, 'track', { userId: 'u', event: 'E' }, 'unknownWriteKey1234')
        expect(response.status).toBe(401)
      },
      true
    )
  })

  test('other paths → 404', async () => {
    await withSegment(undefined, async (url) => {
      expect((await fetch(`${url}/v1/unknown`, { method: 'POST', body: '{}' })).status).toBe(404)
      expect((await fetch(`${url}/v1/track`)).status).toBe(404)
    })
  })
})

test('messageIds are stored once, also across a restart', async () => {
  const dir = temporary()
  const message = { userId: 'u', event: 'Product Viewed', messageId: 'same-id' }
  await withSegment(dir, async (url, segment) => {
    await post(url, 'track', message)
    await post(url, 'track', message)
    expect(segment.stats).toMatchObject({ stored: 1, duplicates: 1 })
  })
  await withSegment(dir, async (url, segment) => {
    await post(url, 'track', message)
    expect(segment.stats).toMatchObject({ stored: 0, duplicates: 1 })
  })
  expect(storedLines(dir)).toHaveLength(1)
})

describe('profiles and the Profile API', () => {
  const traitsUrl = (url: string, userId: string, query = '') =>
    `${url}/v1/spaces/local/collections/users/profiles/user_id:${userId}/traits${query}`
  const auth = (token: string) => ({ authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}` })

  test('identifies merge into a profile; the Profile API reads it, with include and limit', async () => {
    const dir = temporary()
    await withSegment(dir, async (url) => {
      await post(url, 'identify', { userId: 'u1', traits: { plan: 'free', name: 'Ada' } })
      await post(url, 'identify', { userId: 'u1', traits: { plan: 'pro', recommended_products: ['p-1', 'p-2'] } })
      const response = await fetch(traitsUrl(url, 'u1'), { headers: auth(PROFILE_TOKEN) })
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({
        traits: { plan: 'pro', name: 'Ada', recommended_products: ['p-1', 'p-2'] },
        cursor: { has_more: false, limit: 10 }
      })
      const only = await fetch(traitsUrl(url, 'u1', '?include=recommended_products'), { headers: auth(PROFILE_TOKEN) })
      expect(((await only.json()) as { traits: object }).traits).toEqual({ recommended_products: ['p-1', 'p-2'] })
      const one = await fetch(traitsUrl(url, 'u1', '?limit=1'), { headers: auth(PROFILE_TOKEN) })
      expect(await one.json()).toMatchObject({ traits: { plan: 'pro' }, cursor: { has_more: true, limit: 1 } })
      expect((await fetch(traitsUrl(url, 'u1'), { headers: auth('wrong') })).status).toBe(401)
      expect((await fetch(traitsUrl(url, 'nobody'), { headers: auth(PROFILE_TOKEN) })).status).toBe(404)
    })
    // After a restart, the profile is rebuilt from the stored identifies.
    await withSegment(dir, async (url) => {
      const response = await fetch(traitsUrl(url, 'u1'), { headers: auth(PROFILE_TOKEN) })
      expect(((await response.json()) as { traits: { plan: string } }).traits.plan).toBe('pro')
    })
  })

  test('an anonymous visitor has a profile by anonymous_id, merged into the user’s once a message links them', async () => {
    await withSegment(temporary(), async (url) => {
      const byAnonymousId = (id: string) =>
        fetch(`${url}/v1/spaces/local/collections/users/profiles/anonymous_id:${id}/traits`, {
          headers: auth(PROFILE_TOKEN)
        })
      // The round-trip's identify for a visitor who has not signed up carries only the anonymousId.
      await post(url, 'identify', { anonymousId: 'a-7', traits: { recommended_products: ['p-9'] } })
      expect(await (await byAnonymousId('a-7')).json()).toMatchObject({ traits: { recommended_products: ['p-9'] } })
      expect((await fetch(traitsUrl(url, 'u-7'), { headers: auth(PROFILE_TOKEN) })).status).toBe(404)
      // Signing up links the two: the user's profile has the visitor's traits, and both ids find it.
      await post(url, 'identify', { userId: 'u-7', anonymousId: 'a-7', traits: { name: 'Grace' } })
      const user = await (await fetch(traitsUrl(url, 'u-7'), { headers: auth(PROFILE_TOKEN) })).json()
      expect(user).toMatchObject({ traits: { name: 'Grace', recommended_products: ['p-9'] } })
      expect(await (await byAnonymousId('a-7')).json()).toMatchObject({ traits: (user as { traits: object }).traits })
      // Later identifies by the anonymousId alone land on the user's profile.
      await post(url, 'identify', { anonymousId: 'a-7', traits: { recommended_products: ['p-1'] } })
      expect(await (await fetch(traitsUrl(url, 'u-7'), { headers: auth(PROFILE_TOKEN) })).json()).toMatchObject({
        traits: { name: 'Grace', recommended_products: ['p-1'] }
      })
    })
  })
})
