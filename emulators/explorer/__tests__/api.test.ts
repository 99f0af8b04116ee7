// The explorer's HTTP answers: the page and its assets, the JSON endpoints, their 404s and 405s, requests it must
// leave to the local Personalize, and the live feed (Server-Sent Events).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { StoredMessage } from '../../segment/logStore'
import { Profiles } from '../../segment/profiles'
import { createExplorer } from '../api'

const PASSED = 418

async function serve(heartbeatMs?: number) {
  const profiles = new Profiles()
  const explorer = createExplorer({
    traitsOf: (userId) => profiles.traits(userId),
    heartbeatMs,
    sampleMs: 20,
    maxSamples: 10
  })
  // Whatever the explorer passes on gets a status of its own, as the stack hands it to Personalize.
  const server = http.createServer((req, res) => {
    if (explorer.answer(req, res)) return
    req.resume()
    res.writeHead(PASSED).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let n = 0
  const store = (fields: Record<string, unknown>) => {
    const message: StoredMessage = {
      projectId: 'WEB',
      messageId: `m-${++n}`,
      receivedAt: new Date().toISOString(),
      ...fields
    }
    profiles.apply(message)
    explorer.observe(message)
  }
  const close = async () => {
    explorer.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  return { url, store, explorer, close }
}

/** Reads an event stream until `until` has appeared in it. */
async function readUntil(body: ReadableStream<Uint8Array>, until: RegExp): Promise<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (!until.test(text)) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  reader.releaseLock()
  return text
}

test('GET / is the page, with its script and stylesheet; unknown assets are 404 JSON', async () => {
  const local = await serve()
  try {
    const page = await fetch(`${local.url}/`)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    expect(html).toContain('<script src="/explorer/app.js">')
    const script = await fetch(`${local.url}/explorer/app.js`)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await script.text()).toContain("new EventSource('/_local/live')")
    expect((await fetch(`${local.url}/explorer/style.css`)).status).toBe(200)
    const missing = await fetch(`${local.url}/explorer/secret.txt`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: 'not_found' })
  } finally {
    await local.close()
  }
})

test('users, one user and the catalogue as JSON; unknown users are 404, wrong methods 405', async () => {
  const local = await serve()
  try {
    local.store({ type: 'track', event: 'Product Viewed', anonymousId: 'a-1', properties: { product_id: 'p-1' } })
    local.store({ type: 'identify', userId: 'u/1', anonymousId: 'a-1', traits: { recommended_products: ['p-1'] } })
    local.store({ type: 'identify', userId: 'u-2', traits: { plan: 'gold' } })

    const users = (await (await fetch(`${local.url}/_local/users?q=p-1&limit=5`)).json()) as { users: object[] }
    expect(users).toEqual({ users: [expect.objectContaining({ id: 'u/1', recommended: 1 })], total: 2 })
    const user = await fetch(`${local.url}/_local/users/${encodeURIComponent('u/1')}`)
    expect(await user.json()).toMatchObject({
      userId: 'u/1',
      recommended: [{ itemId: 'p-1' }],
      events: [{ type: 'identify' }, { event: 'Product Viewed', products: [{ itemId: 'p-1' }] }]
    })
    const catalogue = await fetch(`${local.url}/_local/catalogue`)
    expect(await catalogue.json()).toEqual({ items: [{ itemId: 'p-1', events: 1 }] })

    const unknown = await fetch(`${local.url}/_local/users/nobody`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: 'not_found', message: expect.stringContaining('nobody') })
    expect((await fetch(`${local.url}/_local/users/%E0%A4%A`)).status).toBe(400)
    const put = await fetch(`${local.url}/_local/catalogue`, { method: 'PUT', body: '{}' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET')
    expect((await fetch(`${local.url}/_local/users`, { method: 'POST', body: '{}' })).status).toBe(405)
  } finally {
    await local.close()
  }
})

test('GET /_local/events: the types and event names seen, most frequent first', async () => {
  const local = await serve()
  try {
    local.store({ type: 'track', event: 'Product Viewed', userId: 'u-1' })
    local.store({ type: 'track', event: 'Product Viewed', userId: 'u-1' })
    local.store({ type: 'track', event: 'Order Completed', userId: 'u-1' })
    local.store({ type: 'page', name: 'Home', userId: 'u-1' })
    local.store({ type: 'identify', userId: 'u-1', traits: {} })
    const seen = await (await fetch(`${local.url}/_local/events`)).json()
    expect(seen).toEqual({
      types: [
        { type: 'track', count: 3 },
        { type: 'page', count: 1 },
        { type: 'identify', count: 1 }
      ],
      events: [
        { type: 'track', event: 'Product Viewed', count: 2 },
        { type: 'track', event: 'Order Completed', count: 1 },
        { type: 'page', event: 'Home', count: 1 }
      ]
    })
  } finally {
    await local.close()
  }
})

test('the stack’s counters are sampled every interval: kept for /_local/stats/history and sent to the live feed', async () => {
  const local = await serve(60_000)
  const abort = new AbortController()
  const counters = { segment: { stored: 0 }, profiles: 0, delivery: { delivered: 0, failed: 0, pending: 0 } }
  try {
    const live = await fetch(`${local.url}/_local/live`, { signal: abort.signal })
    await readUntil(live.body!, /: connected/)
    local.explorer.sampleStats(() => counters)
    counters.segment.stored = 5
    counters.delivery.pending = 5
    const text = await readUntil(live.body!, /event: stats\ndata: .*"stored":5/)
    expect(text).toMatch(/"pending":5/)
    const history = (await (await fetch(`${local.url}/_local/stats/history`)).json()) as {
      intervalMs: number
      samples: Array<Record<string, number>>
    }
    expect(history.intervalMs).toBe(20)
    expect(history.samples[0]).toEqual({
      at: expect.any(Number),
      stored: 0,
      delivered: 0,
      failed: 0,
      pending: 0,
      profiles: 0
    })
    expect(history.samples.at(-1)).toMatchObject({ stored: 5, pending: 5 })
    // At most maxSamples are kept: once the first sample has been dropped (however slow the machine), there are 10.
    const historyNow = async () =>
      (await (await fetch(`${local.url}/_local/stats/history`)).json()) as { samples: Array<{ at: number }> }
    let later = await historyNow()
    while (later.samples[0]!.at === history.samples[0]!.at) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      later = await historyNow()
    }
    expect(later.samples).toHaveLength(10)
  } finally {
    abort.abort()
    await local.close()
  }
})

test('POSTs to / and other paths are left for the local Personalize', async () => {
  const local = await serve()
  try {
    const json = { method: 'POST', headers: { 'x-amz-target': 'AmazonPersonalize.ListCampaigns' }, body: '{}' }
    expect((await fetch(`${local.url}/`, json)).status).toBe(PASSED)
    expect((await fetch(`${local.url}/events`, { method: 'POST', body: '{}' })).status).toBe(PASSED)
    expect((await fetch(`${local.url}/_local/stats`)).status).toBe(PASSED)
  } finally {
    await local.close()
  }
})

test('the live feed sends each stored message, a profile event when traits change, and heartbeats', async () => {
  const local = await serve(50)
  const abort = new AbortController()
  try {
    const live = await fetch(`${local.url}/_local/live`, { signal: abort.signal })
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await readUntil(live.body!, /: connected/)
    expect(local.explorer.liveClients).toBe(1)

    local.store({ type: 'track', event: 'Product Added', userId: 'u-1', properties: { sku: 's-1' } })
    local.store({ type: 'identify', userId: 'u-1', traits: { recommended_products: ['s-1'] } })
    // The same traits again change nothing: no second profile event.
    local.store({ type: 'identify', userId: 'u-1', traits: { recommended_products: ['s-1'] } })
    local.store({ type: 'track', event: 'Last', userId: 'u-1' })
    const text = await readUntil(live.body!, /"event":"Last"[\s\S]*: heartbeat/)
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map(([, name, data]) => ({
      name,
      data: JSON.parse(data!) as Record<string, unknown>
    }))
    expect(events.map((event) => event.name)).toEqual(['stored', 'stored', 'profile', 'stored', 'stored'])
    expect(events[0]!.data).toMatchObject({ id: 'u-1', type: 'track', event: 'Product Added', items: ['s-1'] })
    expect(events[2]!.data).toEqual({ userId: 'u-1', traits: { recommended_products: ['s-1'] } })

    abort.abort()
    // The server forgets a feed once its client has gone.
    while (local.explorer.liveClients > 0) await new Promise((resolve) => setTimeout(resolve, 10))
  } finally {
    abort.abort()
    await local.close()
  }
})
