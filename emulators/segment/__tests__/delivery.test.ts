// Delivery through the destination: analytics-node → the local Segment → the destination's presets (the framework's
// Destination.onBatch) → the local Personalize, checked with the real AWS SDK. Then retries per (message,
// subscription) against a stand-in for Personalize that fails on cue, the retry budget, the delivery log on a disk
// that fails, one person's order, and a restart.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { Analytics } from '@segment/analytics-node'
import type { Settings } from '../../../destination/generated-types'
import { credentials, provisionWorkshopCampaign } from '../../personalize/__tests__/fixtures'
import { createPersonalizeEmulator } from '../../personalize/server'
import { localSettings } from '../../../test/localProcess'
import { fileIo } from '../../groupCommit'
import { createDelivery, type Attempt, type SubscriptionResult } from '../delivery'
import type { StoredMessage } from '../logStore'
import { createSegmentEmulator, ROUND_TRIP_SOURCE } from '../server'

const WEB = { name: 'web', writeKey: 'webWriteKey0123456789', sourceId: 'WEBSOURCE1' }

async function stack() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'delivery-'))
  const personalize = createPersonalizeEmulator({ delayMs: 0 })
  const endpoint = await personalize.listen()
  const config = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
  const control = new PersonalizeClient(config)
  const { campaignArn, trackingId } = await provisionWorkshopCampaign(control, dir)
  const segment = createSegmentEmulator({
    sources: [WEB, ROUND_TRIP_SOURCE],
    onStored: (messages) => delivery.enqueue(messages)
  })
  const segmentUrl = await segment.listen()
  const settings = localSettings(endpoint, trackingId, { campaignArn, segmentEndpoint: `${segmentUrl}/v1` })
  const delivery = createDelivery({ settings: () => settings, backoffMs: 20, lingerMs: 20 })
  const runtime = new PersonalizeRuntimeClient(config)
  const recommended = async (userId: string) =>
    ((await runtime.send(new GetRecommendationsCommand({ campaignArn, userId, numResults: 5 }))).itemList ?? []).map(
      (item) => item.itemId!
    )
  return {
    delivery,
    segment,
    segmentUrl,
    recommended,
    close: async () => {
      await segment.close()
      await personalize.close()
    }
  }
}

test('events sent with analytics-node reach Personalize through the destination’s presets, and change recommendations', async () => {
  const local = await stack()
  try {
    const before = await local.recommended('anon-42')
    const analytics = new Analytics({ writeKey: WEB.writeKey, host: local.segmentUrl, flushAt: 10 })
    for (const [n, product_id] of ['book-1', 'book-2', 'book-3'].entries())
      analytics.track({
        anonymousId: 'anon-42',
        event: 'Product Viewed',
        messageId: `m-${n}`,
        properties: { product_id }
      })
    // Not a product event: no preset sends it, so it is neither delivered nor a failure.
    analytics.track({ anonymousId: 'anon-42', event: 'Signed Up' })
    // A product event without an id: the destination refuses it, and the failure is kept.
    analytics.track({ anonymousId: 'anon-42', event: 'Product Viewed', messageId: 'no-id', properties: {} })
    await analytics.closeAndFlush()
    await local.delivery.drain()
    expect(local.delivery.stats).toMatchObject({ delivered: 3, failed: 1, retried: 0, pending: 0 })
    expect(local.delivery.stats.failures[0]).toMatchObject({
      messageId: 'no-id',
      status: 400,
      preset: 'Product Viewed'
    })
    const after = await local.recommended('anon-42')
    expect(after).not.toEqual(before)
    expect(after.every((item) => item.startsWith('book'))).toBe(true)
  } finally {
    await local.close()
  }
}, 30_000)

test('without destination settings, nothing is delivered and the stats say so', async () => {
  const delivery = createDelivery({ settings: () => undefined, lingerMs: 5 })
  delivery.enqueue([
    { projectId: 'p', receivedAt: new Date().toISOString(), messageId: 'm', type: 'track', event: 'Product Viewed' }
  ])
  expect(delivery.stats.pending).toBe(1)
  await delivery.drain()
  expect(delivery.stats).toMatchObject({ delivered: 0, notConfigured: 1, pending: 0 })
})

test('a batch whose delivery throws is retried, then kept as failures, not dropped', async () => {
  const settings = { region: 'us-west-2', trackingId: 't' } as Settings
  const delivery = createDelivery({
    settings: () => settings,
    subscriptions: () => {
      throw new TypeError('a broken subscription')
    },
    attempts: 2,
    backoffMs: 1,
    lingerMs: 1
  })
  delivery.enqueue([
    { projectId: 'p', receivedAt: new Date().toISOString(), messageId: 'm-1', type: 'track', event: 'Product Viewed' }
  ])
  await delivery.drain()
  expect(delivery.stats).toMatchObject({ delivered: 0, retried: 1, failed: 1, pending: 0 })
  expect(delivery.stats.failures[0]).toMatchObject({
    messageId: 'm-1',
    status: 500,
    message: expect.stringContaining('a broken subscription')
  })
})

test('the round-trip: an identified Order Completed gives the user recommended_products on their profile', async () => {
  const local = await stack()
  try {
    const analytics = new Analytics({ writeKey: WEB.writeKey, host: local.segmentUrl, flushAt: 5 })
    analytics.track({
      userId: 'user-3',
      event: 'Order Completed',
      properties: { products: [{ product_id: 'shoe-1' }] }
    })
    await analytics.closeAndFlush()
    await local.delivery.drain()
    // The identify the round-trip sent is stored, delivered (to nothing: the presets skip it) and merged.
    await local.delivery.drain()
    const traits = local.segment.profiles.traits('user-3')
    expect(traits?.recommended_products).toEqual(expect.arrayContaining([expect.stringMatching(/^shoe-/)]))
    expect(local.delivery.stats.failed).toBe(0)
  } finally {
    await local.close()
  }
}, 30_000)

type Fault = 'throttle' | 'unavailable' | undefined

/**
 * A stand-in for Personalize (PutEvents at /events, GetRecommendations at /recommendations) and for Segment's
 * /v1/batch, which counts the calls to each path and answers with `fault(path, n)` for the n-th (1-based), else OK.
 */
async function standIn(fault: (at: string, n: number) => Fault = () => undefined) {
  const calls: Record<string, number> = {}
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const at = req.url ?? ''
      calls[at] = (calls[at] ?? 0) + 1
      const answer = fault(at, calls[at])
      if (answer === 'throttle') {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' })
        return res.end('{"message":"Rate exceeded"}')
      }
      if (answer === 'unavailable') {
        res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' })
        return res.end('{"message":"unavailable"}')
      }
      const recommended = { itemList: [{ itemId: 'shoe-1' }], recommendationId: 'rid-1' }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(at === '/recommendations' ? recommended : at.startsWith('/v1/') ? { success: true } : {}))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const settings = localSettings(url, 'tracking-1', {
    campaignArn: 'arn:aws:personalize:us-west-2:123456789012:campaign/shop'
  })
  return { url, calls, settings, close: () => new Promise((resolve) => server.close(resolve)) }
}

const stored = (messageId: string, fields: Record<string, unknown>): StoredMessage => ({
  projectId: WEB.sourceId,
  receivedAt: new Date().toISOString(),
  timestamp: new Date().toISOString(),
  messageId,
  type: 'track',
  ...fields
})
const order = (messageId: string, userId: string) =>
  stored(messageId, {
    event: 'Order Completed',
    userId,
    anonymousId: `anon-${userId}`,
    properties: { order_id: messageId, products: [{ product_id: 'shoe-2' }] }
  })
const viewed = (messageId: string, userId: string) =>
  stored(messageId, { event: 'Product Viewed', userId, properties: { product_id: 'shoe-3' } })

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'delivery-log-'))
const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : ([] as string[])

test('a retry sends the message only to the subscriptions that failed: one PutEvents, one identify per trigger', async () => {
  // The first two GetRecommendations are throttled; PutEvents (Order Completed's trackEvent) succeeds at once.
  const stub = await standIn((at, n) => (at === '/recommendations' && n <= 2 ? 'throttle' : undefined))
  const delivery = createDelivery({ settings: () => stub.settings, backoffMs: 1, maxBackoffMs: 4, lingerMs: 1 })
  try {
    delivery.enqueue([order('o-1', 'u-1')])
    await delivery.drain()
    expect(stub.calls).toEqual({ '/events': 1, '/recommendations': 3, '/v1/batch': 1 })
    expect(delivery.stats).toMatchObject({ delivered: 1, retried: 2, failed: 0, pending: 0, retrying: 0 })
  } finally {
    await delivery.close()
    await stub.close()
  }
})

test('what fails for good is kept under the failing subscription only, counted once per message', async () => {
  const stub = await standIn((at) => (at === '/recommendations' ? 'throttle' : undefined))
  const dir = tempDir()
  const delivery = createDelivery({
    settings: () => stub.settings,
    dataDir: dir,
    attempts: 3,
    backoffMs: 1,
    maxBackoffMs: 4,
    lingerMs: 1
  })
  try {
    delivery.enqueue([order('o-2', 'u-2')])
    await delivery.drain()
    expect(stub.calls).toMatchObject({ '/events': 1, '/recommendations': 3 })
    expect(delivery.stats).toMatchObject({ delivered: 0, failed: 1, retried: 2, pending: 0 })
    const failed = lines(path.join(dir, 'failed.ndjson')).map((line) => JSON.parse(line) as unknown)
    expect(failed).toEqual([
      expect.objectContaining({ messageId: 'o-2', preset: 'Recommendations after Order Completed', status: 429 })
    ])
    expect(lines(path.join(dir, 'done.ids'))).toContain('o-2')
  } finally {
    await delivery.close()
    await stub.close()
  }
})

test('retries go on for the retry budget’s time, not a number of tries', async () => {
  // Twelve failures in a row: more than the four tries of old, well within a minute.
  const stub = await standIn((at, n) => (at === '/events' && n <= 12 ? 'unavailable' : undefined))
  const delivery = createDelivery({
    settings: () => stub.settings,
    retryForMs: 60_000,
    backoffMs: 1,
    maxBackoffMs: 4,
    lingerMs: 1
  })
  try {
    delivery.enqueue([viewed('v-1', 'u-3')])
    await delivery.drain()
    expect(stub.calls['/events']).toBe(13)
    expect(delivery.stats).toMatchObject({ delivered: 1, retried: 12, failed: 0, pending: 0 })
  } finally {
    await delivery.close()
    await stub.close()
  }
})

test('once the retry budget is spent, the failure is final', async () => {
  const stub = await standIn((at) => (at === '/events' ? 'unavailable' : undefined))
  const delivery = createDelivery({ settings: () => stub.settings, retryForMs: 30, backoffMs: 1, lingerMs: 1 })
  try {
    delivery.enqueue([viewed('v-2', 'u-4')])
    await delivery.drain()
    expect(delivery.stats).toMatchObject({ delivered: 0, failed: 1, pending: 0, retrying: 0 })
    expect(delivery.stats.failures).toEqual([
      expect.objectContaining({ messageId: 'v-2', preset: 'Product Viewed', status: 503 })
    ])
  } finally {
    await delivery.close()
    await stub.close()
  }
})

test('a delivery log that cannot be written is reported and retried; pending stays true until it is written', async () => {
  const dir = tempDir()
  // failed.ndjson is a directory: appending to it fails (EISDIR), as a full disk would.
  mkdirSync(path.join(dir, 'failed.ndjson'))
  const warnings: string[] = []
  let warned: () => void = () => undefined
  const firstWarning = new Promise<void>((resolve) => (warned = resolve))
  const delivery = createDelivery({
    settings: () => ({ region: 'us-west-2', trackingId: 't' }),
    dataDir: dir,
    lingerMs: 1,
    warn: (line) => {
      warnings.push(line)
      warned()
    }
  })
  try {
    // Refused by the destination (no product id): a final failure, and a message no subscription matches.
    delivery.enqueue([
      stored('bad-1', { event: 'Product Viewed', userId: 'u-5', properties: {} }),
      stored('other-1', { event: 'Signed Up', userId: 'u-5' })
    ])
    await firstWarning
    expect(warnings[0]).toMatch(/cannot write the delivery log \(EISDIR.*trying again in 0\.5 s/)
    expect(delivery.stats).toMatchObject({ failed: 1, pending: 2, logErrors: 1 })
    expect(delivery.stats.lastLogError).toMatch(/EISDIR/)
    expect(lines(path.join(dir, 'done.ids'))).toEqual([])
    rmdirSync(path.join(dir, 'failed.ndjson'))
    await delivery.drain()
    expect(delivery.stats.pending).toBe(0)
    expect(lines(path.join(dir, 'failed.ndjson')).map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ messageId: 'bad-1', preset: 'Product Viewed', status: 400 })
    ])
    expect(lines(path.join(dir, 'done.ids'))).toEqual(['bad-1', 'other-1'])
  } finally {
    await delivery.close()
  }
})

test('a write cut short by a full disk leaves no torn line, and is written again whole', async () => {
  const dir = tempDir()
  const realWrite = fileIo.write
  let writes = 0
  // The first write of done.ids gets 3 bytes in, then the disk is full (../../groupCommit.ts's hook for tests).
  fileIo.write = (fd, bytes, offset, length, position) => {
    writes++
    if (writes === 1) return realWrite(fd, bytes, offset, 3, position)
    if (writes === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    return realWrite(fd, bytes, offset, length, position)
  }
  const warnings: string[] = []
  const delivery = createDelivery({
    settings: () => ({ region: 'us-west-2', trackingId: 't' }),
    dataDir: dir,
    lingerMs: 1,
    warn: (line) => warnings.push(line)
  })
  try {
    delivery.enqueue([stored('other-2', { event: 'Signed Up', userId: 'u-6' })])
    await delivery.drain()
    expect(writes).toBeGreaterThanOrEqual(3)
    expect(warnings).toEqual([expect.stringContaining('ENOSPC')])
    expect(delivery.stats).toMatchObject({ pending: 0, logErrors: 1 })
    expect(readFileSync(path.join(dir, 'done.ids'), 'utf8')).toBe('other-2\n')
  } finally {
    fileIo.write = realWrite
    await delivery.close()
  }
})

test('one person’s anonymous, then signed-in messages keep their order through a retry; others go on meanwhile', async () => {
  jest.useFakeTimers()
  const sent: string[] = []
  let throttled = false
  // The first try of device-1's first batch is throttled, as the destination fails a person's messages together (one
  // PutEvents call per user and session, one GetRecommendations per user); everything else is taken at once.
  const attempt: Attempt = (deliveries) => {
    const throttle = !throttled && deliveries.some(({ message }) => message.messageId === 'a-1')
    throttled ||= throttle
    return Promise.resolve(
      deliveries.map(({ message, person }): SubscriptionResult[] => {
        if (throttle && person === 'device-1')
          return [{ subscription: 'S', status: 429, retryable: true, message: 'throttled' }]
        sent.push(message.messageId)
        return [{ subscription: 'S', status: 200, retryable: false, message: '' }]
      })
    )
  }
  const settings = { region: 'us-west-2', trackingId: 't' } as Settings
  const delivery = createDelivery({ settings: () => settings, attempt, lingerMs: 10, backoffMs: 60_000 })
  try {
    const person = [
      stored('a-1', { event: 'Product Viewed', anonymousId: 'device-1' }),
      stored('a-2', { event: 'Product Added', anonymousId: 'device-1' }),
      stored('i-1', { type: 'identify', userId: 'ada', anonymousId: 'device-1' }),
      stored('s-1', { event: 'Order Completed', userId: 'ada', anonymousId: 'device-1' }),
      // A server-side message with the userId only (an email): linked to the device by the identify.
      stored('e-1', { event: 'Email Opened', userId: 'ada' })
    ]
    delivery.enqueue(person.slice(0, 2))
    await jest.advanceTimersByTimeAsync(10)
    delivery.enqueue(person.slice(2))
    const others = Array.from({ length: 40 }, (_, i) => stored(`x-${i}`, { event: 'Product Viewed', userId: `x-${i}` }))
    delivery.enqueue(others)
    await jest.advanceTimersByTimeAsync(10)
    // Everyone else is delivered while a-1 waits for its retry; the person's later messages wait behind it.
    expect([...sent].sort()).toEqual(others.map((message) => message.messageId).sort())
    expect(delivery.stats).toMatchObject({ pending: 5, retrying: 5, retried: 2 })
    await jest.advanceTimersByTimeAsync(60_000)
    await delivery.drain()
    expect(sent.slice(others.length)).toEqual(['a-1', 'a-2', 'i-1', 's-1', 'e-1'])
    expect(delivery.stats).toMatchObject({ delivered: 45, pending: 0, retrying: 0 })
  } finally {
    await delivery.close()
    jest.useRealTimers()
  }
})

test('a restart after a kill delivers only the (message, subscription) pairs that were not over', async () => {
  const dir = tempDir()
  // A delivery log of the first format: a line per message whose delivery is over.
  writeFileSync(path.join(dir, 'done.ids'), 'old-1\n')
  let recommendationsFail = true
  const stub = await standIn((at) => (at === '/recommendations' && recommendationsFail ? 'throttle' : undefined))
  const messages = [viewed('v-3', 'u-7'), order('o-3', 'u-8'), viewed('old-1', 'u-9')]
  const first = createDelivery({ settings: () => stub.settings, dataDir: dir, backoffMs: 3_600_000, lingerMs: 1 })
  for (const message of messages) first.restore(message)
  first.restored()
  await first.flushed()
  // Delivered: v-3, and o-3's PutEvents; o-3's recommendations wait an hour for a retry. The process is killed once
  // that is on disk (a kill before would deliver them again: Personalize ignores the repeated eventIds).
  const progress = path.join(dir, 'done.ids')
  const recorded = ['old-1', 'v-3', '["o-3","Order Completed"]']
  while (lines(progress).length < recorded.length) await new Promise((resolve) => setTimeout(resolve, 10))
  expect(lines(progress).sort()).toEqual(recorded.sort())
  expect(stub.calls).toEqual({ '/events': 2, '/recommendations': 1 })

  recommendationsFail = false
  const second = createDelivery({ settings: () => stub.settings, dataDir: dir, lingerMs: 1 })
  try {
    for (const message of messages) second.restore(message)
    second.restored()
    await second.drain()
    // Only o-3's recommendations were sent again: no PutEvents, nothing for v-3 or old-1.
    expect(stub.calls).toEqual({ '/events': 2, '/recommendations': 2, '/v1/batch': 1 })
    expect(second.stats).toMatchObject({ delivered: 1, failed: 0, pending: 0 })
    expect(lines(progress)).toContain('o-3')
  } finally {
    await second.close()
    await first.close()
    await stub.close()
  }
})
