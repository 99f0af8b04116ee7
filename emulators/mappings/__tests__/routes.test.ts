// The mappings view's HTTP API on the local stack: reading, replacing and resetting the subscriptions (kept in the
// data dir across restarts), testing events, the samples and the page; bad bodies and methods answered clearly; and
// the paths Personalize and Segment need left to them.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { LocalStackError, startLocalStack, type LocalStack } from '../../localStack'
import { defaultSubscriptions } from '../../segment/delivery'

let stack: LocalStack
let dataDir: string
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'mappings-routes-'))
  stack = await startLocalStack({ dataDir, delayMs: 0 })
})
afterAll(() => stack.close())

async function call(method: string, route: string, body?: unknown, raw?: string) {
  const response = await fetch(`${stack.url}${route}`, {
    method,
    headers: body === undefined && raw === undefined ? {} : { 'content-type': 'application/json' },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body))
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> }
}

test('GET /_local/mappings: the presets, where they are saved, and every action’s fields', async () => {
  const { status, json } = await call('GET', '/_local/mappings')
  expect(status).toBe(200)
  expect(json).toMatchObject({
    file: path.join(dataDir, 'subscriptions.json'),
    customized: false,
    subscriptions: defaultSubscriptions()
  })
  const actions = json.actions as Record<string, { title: string; fields: Array<Record<string, unknown>> }>
  expect(Object.keys(actions)).toEqual(['trackEvent', 'syncRecommendations', 'identifyUser', 'syncItems'])
  expect(actions.trackEvent!.fields).toContainEqual(
    expect.objectContaining({
      name: 'sessionId',
      label: 'Session ID',
      type: 'string',
      required: true,
      description: expect.stringContaining('Required by Personalize')
    })
  )
  expect(actions.trackEvent!.fields.find((field) => field.name === 'batch_size')).toMatchObject({ hidden: true })
  expect(actions.trackEvent!.fields.find((field) => field.name === 'products')).toMatchObject({
    multiple: true,
    properties: { itemId: 'Item ID', eventValue: 'Event Value' }
  })
})

test('PUT /_local/mappings: problems are 400 with each subscription’s errors; nothing is saved', async () => {
  const list = defaultSubscriptions()
  list[0]!.mapping = { ...list[0]!.mapping, price: { '@path': '$.properties.price' } }
  list[2]!.subscribe = 'event = '
  const { status, json } = await call('PUT', '/_local/mappings', { subscriptions: list })
  expect(status).toBe(400)
  expect(json.errors).toEqual([
    expect.objectContaining({ index: 0, name: 'Product Viewed', rule: 'mapping fields' }),
    expect.objectContaining({ index: 2, name: 'Product Added', rule: 'subscribe' })
  ])
  expect(stack.subscriptions.list()).toEqual(defaultSubscriptions())
  expect(existsSync(path.join(dataDir, 'subscriptions.json'))).toBe(false)
})

test('POST /_local/mappings/check: the save’s checks, field by field, without saving', async () => {
  const list = defaultSubscriptions()
  list[0]!.subscribe = 'type = "track" and '
  list[0]!.mapping = { ...list[0]!.mapping, itemId: { '@path': 'properties.product_id' }, eventValue: 'high' }
  const { status, json } = await call('POST', '/_local/mappings/check', { subscriptions: list })
  expect(status).toBe(200)
  expect(json.errors).toEqual([
    expect.objectContaining({ index: 0, rule: 'subscribe', message: expect.stringMatching(/ends with "and"/) }),
    expect.objectContaining({ index: 0, rule: 'paths', field: 'itemId' }),
    expect.objectContaining({ index: 0, rule: 'literal types', field: 'eventValue' })
  ])
  expect(stack.subscriptions.customized).toBe(false)
  expect(await call('POST', '/_local/mappings/check', { subscriptions: defaultSubscriptions() })).toMatchObject({
    status: 200,
    json: { errors: [] }
  })
  // The trailing "and" is refused by the save too, and nothing is written.
  const saved = await call('PUT', '/_local/mappings', { subscriptions: list })
  expect(saved.status).toBe(400)
  expect(existsSync(path.join(dataDir, 'subscriptions.json'))).toBe(false)
})

test('PUT then reset: saved to the data dir (a restart keeps it), then back to the presets', async () => {
  const list = defaultSubscriptions()
  list[1]!.enabled = false
  const saved = await call('PUT', '/_local/mappings', { subscriptions: list })
  expect(saved.status).toBe(200)
  expect(saved.json).toMatchObject({ customized: true, subscriptions: list })
  expect(stack.subscriptions.list()).toEqual(list)
  const file = path.join(dataDir, 'subscriptions.json')
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ subscriptions: list })

  const other = await startLocalStack({
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'other-')),
    subscriptionsFile: file
  })
  try {
    expect(other.subscriptions.list()).toEqual(list)
  } finally {
    await other.close()
  }

  const reset = await call('POST', '/_local/mappings/reset')
  expect(reset.status).toBe(200)
  expect(reset.json).toMatchObject({ customized: false, subscriptions: defaultSubscriptions() })
  expect(existsSync(file)).toBe(false)
})

test('a subscriptions file with problems stops the stack from starting, with the reason', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bad-subscriptions-'))
  writeFileSync(
    path.join(dir, 'subscriptions.json'),
    JSON.stringify({ subscriptions: [{ ...defaultSubscriptions()[0], partnerAction: 'sendEmail' }] })
  )
  const start = startLocalStack({ dataDir: dir })
  await expect(start).rejects.toThrow(LocalStackError)
  await expect(start).rejects.toThrow(/#1 "Product Viewed": "partnerAction" must be one of/)
})

test('POST /_local/test: the report of an event; a body without an event, or an event Segment drops, is 400', async () => {
  const ok = await call('POST', '/_local/test', {
    event: { type: 'track', event: 'Product Viewed', userId: 'u-1', properties: { product_id: 'p-1' } }
  })
  expect(ok.status).toBe(200)
  expect(ok.json).toMatchObject({ settings: 'placeholder', subscriptions: expect.any(Array) })
  const viewed = (ok.json.subscriptions as Array<Record<string, unknown>>).find((s) => s.name === 'Product Viewed')
  expect(viewed).toMatchObject({ matched: true, requests: [{ operation: 'PutEvents' }], result: { ok: true } })

  expect(await call('POST', '/_local/test', { type: 'track' })).toMatchObject({
    status: 400,
    json: { error: expect.stringMatching(/Send \{"event"/) }
  })
  expect(await call('POST', '/_local/test', { event: { type: 'track', event: 'Product Viewed' } })).toMatchObject({
    status: 400,
    json: { error: expect.stringMatching(/Segment would not deliver this event: no_user_anon_id/) }
  })
})

test.each([
  ['PUT', '/_local/mappings'],
  ['POST', '/_local/mappings/check'],
  ['POST', '/_local/test']
])('%s %s with malformed JSON is 400', async (method, route) => {
  const { status, json } = await call(method, route, undefined, '{"subscriptions": [')
  expect(status).toBe(400)
  expect(json.error).toMatch(/not valid JSON/)
})

test('a body over 1 MB is 413, and nothing changes', async () => {
  const { status, json } = await call('PUT', '/_local/mappings', undefined, `[${' '.repeat(1024 * 1024)}]`)
  expect(status).toBe(413)
  expect(json.error).toMatch(/over 1 MB/)
  expect(stack.subscriptions.customized).toBe(false)
})

test.each([
  ['DELETE', '/_local/mappings', 'GET, PUT'],
  ['GET', '/_local/mappings/reset', 'POST'],
  ['GET', '/_local/test', 'POST'],
  ['GET', '/_local/mappings/check', 'POST'],
  ['POST', '/_local/samples', 'GET'],
  ['POST', '/mappings', 'GET']
])('%s %s is 405, with Allow: %s', async (method, route, allow) => {
  const { status, headers } = await call(method, route)
  expect(status).toBe(405)
  expect(headers.get('allow')).toBe(allow)
})

test('GET /_local/samples: the sample events, labelled', async () => {
  const { status, json } = await call('GET', '/_local/samples')
  expect(status).toBe(200)
  expect((json.samples as Array<{ label: string }>).map((sample) => sample.label)).toEqual([
    'Product Viewed',
    'Product Added',
    'Order Completed with products[]',
    'Order Completed (workshop shape, sku only)',
    'Product Viewed without a product id (refused)',
    'Identify'
  ])
})

test('GET /mappings is the page, with its script and stylesheet', async () => {
  const page = await call('GET', '/mappings')
  expect(page.headers.get('content-type')).toMatch(/^text\/html/)
  expect(page.text).toContain('<script src="/mappings/mappings.js">')
  expect((await call('GET', '/mappings/mappings.js')).headers.get('content-type')).toMatch(/^text\/javascript/)
  expect((await call('GET', '/mappings/mappings.css')).headers.get('content-type')).toMatch(/^text\/css/)
})

test('Personalize’s and Segment’s requests pass through untouched', async () => {
  // Personalize's JSON protocol POSTs to /, its REST operations to /events, /recommendations…
  const listed = await fetch(`${stack.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonPersonalize.ListDatasetGroups' },
    body: '{}'
  })
  expect(listed.status).toBe(200)
  expect(await listed.json()).toEqual({ datasetGroups: [] })
  const events = await fetch(`${stack.url}/events`, { method: 'POST', body: '{}' })
  expect(events.status).toBe(400)
  expect(events.headers.get('x-amzn-errortype')).toMatch(/ValidationException|InvalidInput/)
  const track = await fetch(`${stack.url}/v1/track`, { method: 'POST', body: '{}' })
  expect(await track.json()).toMatchObject({ code: 'invalid_write_key' })
})
