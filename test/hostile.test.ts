// The local stack against hostile input (GitHub issues 15 and 16): every request below crashed it, hung it, answered
// 500, read or wrote files it should not, or let a web page (DNS rebinding, a cross-site form) use it. Each is
// refused with 4xx, and the stack answers the next request.
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import aws4 from 'aws4'
import { describeConfig, REDACTED } from '../common/config'
import type { Settings } from '../destination/generated-types'
import { INTERACTIONS_SCHEMA } from '../emulators/personalize/__tests__/fixtures'
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../emulators/localStack'
import { PROFILE_TOKEN } from '../emulators/segment/profiles'
import { defaultSource } from '../generators/sources'

const WEB = defaultSource('web')
const temporary = () => mkdtempSync(path.join(os.tmpdir(), 'hostile-'))
const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  json: () => Record<string, unknown>
}

interface Raw {
  method?: string
  path: string
  headers?: http.OutgoingHttpHeaders
  body?: string
}

/** One request on a connection of its own, exactly as given (Host included: fetch would not send ours). */
function request(stack: LocalStack, { method = 'GET', path: target, headers = {}, body }: Raw): Promise<Answer> {
  const { port, hostname } = new URL(stack.url)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method,
        path: target,
        agent: false,
        headers: {
          host: `127.0.0.1:${port}`,
          ...headers,
          ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) })
        }
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>
          })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

const control = (stack: LocalStack, op: string, input: object, headers: http.OutgoingHttpHeaders = {}) =>
  request(stack, {
    method: 'POST',
    path: '/',
    headers: { 'x-amz-target': `AmazonPersonalize.${op}`, 'content-type': 'application/x-amz-json-1.1', ...headers },
    body: JSON.stringify(input)
  })

/** A body as it is to a Tracking API path (/v1/track, /v1/batch, …), with the web source's write key. */
const tracking = (stack: LocalStack, target: string, body: string, headers: http.OutgoingHttpHeaders = {}) =>
  request(stack, {
    method: 'POST',
    path: target,
    headers: { 'content-type': 'application/json', authorization: basic(WEB.writeKey), ...headers },
    body
  })

const track = (stack: LocalStack, message: object, headers: http.OutgoingHttpHeaders = {}) =>
  tracking(stack, '/v1/track', JSON.stringify(message), headers)

/** A dataset to import into or export from. */
async function dataset(stack: LocalStack): Promise<string> {
  const group = (await control(stack, 'CreateDatasetGroup', { name: 'g' })).json().datasetGroupArn as string
  const schema = (await control(stack, 'CreateSchema', { name: 's', schema: INTERACTIONS_SCHEMA })).json()
    .schemaArn as string
  const created = await control(stack, 'CreateDataset', {
    name: 'd',
    datasetGroupArn: group,
    schemaArn: schema,
    datasetType: 'Interactions'
  })
  return created.json().datasetArn as string
}

/** The stack still answers (after each attack). */
async function expectUp(stack: LocalStack): Promise<void> {
  expect((await request(stack, { path: '/_local/stats' })).status).toBe(200)
}

/**
 * Streams a chunked body of up to `total` bytes, as fast as the server takes it, until the server answers; resolves
 * with the answer and how much was sent by then. A server that buffers the whole body never answers before the end.
 */
function streamHuge(stack: LocalStack, method: string, target: string, headers: http.OutgoingHttpHeaders = {}) {
  const total = 256 * 1024 * 1024
  const { port } = new URL(stack.url)
  return new Promise<{ status: number; sent: number; text: string }>((resolve, reject) => {
    let sent = 0
    let answered = false
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path: target,
      agent: false,
      headers: { host: `127.0.0.1:${port}`, 'transfer-encoding': 'chunked', ...headers }
    })
    req.on('response', (res) => {
      answered = true
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, sent, text })
        req.destroy()
      })
    })
    // After the answer the server closes the connection: writes still in flight fail, as they should.
    req.on('error', (error) => (answered ? undefined : reject(error)))
    const chunk = Buffer.alloc(64 * 1024, 'a')
    req.write('{"userId":"u","event":"E","properties":{"blob":"')
    const write = () => {
      while (!answered && sent < total) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', write)
      }
      if (!answered) req.end('"}}')
    }
    write()
  })
}

let stack: LocalStack
let running = false
let dataDir: string
const start = async (options: LocalStackOptions = {}) => {
  if (running) await stack.close()
  dataDir = path.join(temporary(), 'data')
  stack = await startLocalStack({ dataDir, delayMs: 0, ...options })
  running = true
  return stack
}
afterEach(async () => {
  if (running) await stack.close()
  running = false
})

describe('requests that crashed the stack or answered 500 are 4xx, and it stays up', () => {
  beforeEach(() => start())

  test.each<[string, number, Raw]>([
    [
      'a malformed %-escape in a Profile API path',
      400,
      {
        path: '/v1/spaces/x/collections/users/profiles/user_id:%E0%A4%A/traits',
        headers: { authorization: basic(PROFILE_TOKEN) }
      }
    ],
    ['POST //', 404, { method: 'POST', path: '//', body: '{}' }],
    ['GET //', 404, { path: '//' }],
    ['PUT //_local/mappings', 404, { method: 'PUT', path: '//_local/mappings', body: '{}' }],
    ['an absolute-form target', 400, { path: 'http://evil.example/_local/users' }],
    ['GET /_local/users/%E0%A4%A', 400, { path: '/_local/users/%E0%A4%A' }]
  ])('%s → %i', async (_name, status, raw) => {
    expect((await request(stack, raw)).status).toBe(status)
    await expectUp(stack)
  })

  test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'X-Amz-Target AmazonPersonalize.%s is an unknown operation (400), not a prototype method (500)',
    async (name) => {
      const answer = await control(stack, name, {})
      expect(answer.status).toBe(400)
      expect(answer.json().__type).toBe('com.amazonaws.personalize#UnknownOperationException')
      await expectUp(stack)
    }
  )

  test.each([
    ['"null"', 'null'],
    ['a number', '42'],
    ['fields: [null]', JSON.stringify({ type: 'record', name: 'I', fields: [null] })],
    ['fields: ["USER_ID"]', JSON.stringify({ type: 'record', name: 'I', fields: ['USER_ID'] })]
  ])('CreateSchema with schema %s is InvalidInputException', async (_name, schema) => {
    const answer = await control(stack, 'CreateSchema', { name: 'bad', schema })
    expect(answer.status).toBe(400)
    expect(answer.json().__type).toBe('com.amazonaws.personalize#InvalidInputException')
    await expectUp(stack)
  })

  const importJob = (datasetArn: string, dataLocation: string, jobName = 'job') =>
    control(stack, 'CreateDatasetImportJob', { jobName, datasetArn, dataSource: { dataLocation } })
  const imported = () => readdirSync(path.join(dataDir, 'imports'))

  test('an import of a directory is a failed job, not a 500, and nothing is copied', async () => {
    const datasetArn = await dataset(stack)
    const answer = await importJob(datasetArn, temporary())
    expect(answer.status).toBe(200)
    const job = await control(stack, 'DescribeDatasetImportJob', {
      datasetImportJobArn: answer.json().datasetImportJobArn
    })
    expect(job.json().datasetImportJob).toMatchObject({ status: 'CREATE FAILED', failureReason: /EISDIR/ })
    expect(imported()).toEqual([])
    await expectUp(stack)
  })

  test.each(['file://[', 'file://other-host/etc/passwd', 'file:///a%2fb'])(
    'an import from %s is InvalidInputException',
    async (location) => {
      const answer = await importJob(await dataset(stack), location)
      expect(answer.status).toBe(400)
      expect(answer.json().__type).toBe('com.amazonaws.personalize#InvalidInputException')
      await expectUp(stack)
    }
  )

  test('an import into a dataset that does not exist copies nothing', async () => {
    const file = path.join(temporary(), 'interactions.csv')
    writeFileSync(file, 'USER_ID,ITEM_ID,TIMESTAMP\nu,i,1\n')
    await dataset(stack)
    const answer = await importJob('arn:aws:personalize:us-west-2:000000000000:dataset/nope/INTERACTIONS', file)
    expect(answer.json().__type).toBe('com.amazonaws.personalize#ResourceNotFoundException')
    expect(imported()).toEqual([])
  })

  test.each([
    [
      'a timestamp past Date’s range with an early sentAt',
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z'
    ],
    ['an early timestamp with a late sentAt', '-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z']
  ])('a track with %s is stored (200), not 500 storage_failed', async (_name, timestamp, sentAt) => {
    const messageId = randomUUID()
    const answer = await track(stack, { userId: 'u', event: 'E', timestamp, sentAt, messageId })
    expect(answer.status).toBe(200)
    expect(stack.segment.stats.stored).toBe(1)
    await expectUp(stack)
  })

  test('a deeply nested track is 400 too_deeply_nested, not 500 storage_failed', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
    const answer = await tracking(stack, '/v1/track', `{"userId":"u","event":"E","properties":{"deep":${deep}}}`)
    expect(answer.status).toBe(400)
    expect(answer.json()).toMatchObject({ code: 'too_deeply_nested' })
    await expectUp(stack)
  })

  test('"context": null is stored as no context (delivery would throw on it)', async () => {
    const stored: Array<Record<string, unknown>> = []
    await start({ observe: (message) => void stored.push(message) })
    expect((await track(stack, { userId: 'u', event: 'E', context: null })).status).toBe(200)
    const batch = { batch: [{ type: 'track', userId: 'u', event: 'F', context: null }], context: null }
    const answer = await tracking(stack, '/v1/batch', JSON.stringify(batch))
    expect(answer.status).toBe(200)
    expect(stored).toHaveLength(2)
    expect('context' in stored[0]!).toBe(false)
    expect(stored[1]!.context).toEqual({})
  })
})

describe('oversized bodies are refused as soon as they pass the limit, not buffered', () => {
  beforeEach(() => start())

  test.each<[string, string, string, http.OutgoingHttpHeaders, number]>([
    ['/v1/track (32 KB), no write key needed', 'POST', '/v1/track', {}, 400],
    ['/v1/batch (500 KB)', 'POST', '/v1/batch', { authorization: basic(WEB.writeKey) }, 400],
    ['Personalize PutEvents (6 MB)', 'POST', '/events', {}, 400],
    ['Personalize control plane (6 MB)', 'POST', '/', { 'x-amz-target': 'AmazonPersonalize.ListDatasetGroups' }, 400],
    ['the mappings API (1 MB)', 'PUT', '/_local/mappings', {}, 413],
    ['the event tester (1 MB)', 'POST', '/_local/test', {}, 413],
    ['a page API that takes no body', 'GET', '/_local/users', {}, 413]
  ])('%s', async (_name, method, target, headers, status) => {
    const { status: answered, sent, text } = await streamHuge(stack, method, target, headers)
    expect(answered).toBe(status)
    expect(text).toMatch(/too_large|exceeds|over|takes no body/)
    // 256 MB were on offer; the answer came after the limit and the sockets' buffers, long before the end.
    expect(sent).toBeLessThan(48 * 1024 * 1024)
    await expectUp(stack)
  })
})

describe('only this machine’s names and this origin get in', () => {
  beforeEach(() => start())
  const port = () => new URL(stack.url).port

  test.each<[string, Raw]>([
    ['the users', { path: '/_local/users' }],
    [
      'a profile (with its token)',
      {
        path: '/v1/spaces/x/collections/users/profiles/user_id:u/traits',
        headers: { authorization: basic(PROFILE_TOKEN) }
      }
    ],
    ['the explorer page', { path: '/' }],
    ['the stats', { path: '/_local/stats' }],
    ['the mappings', { method: 'PUT', path: '/_local/mappings', body: '[]' }],
    [
      'the control plane',
      { method: 'POST', path: '/', headers: { 'x-amz-target': 'AmazonPersonalize.ListDatasetGroups' }, body: '{}' }
    ],
    [
      'the Tracking API',
      { method: 'POST', path: '/v1/track', headers: { authorization: basic(WEB.writeKey) }, body: '{}' }
    ]
  ])('a rebound name (Host: attacker.example) cannot read or change %s', async (_name, raw) => {
    for (const host of [
      `attacker.example:${port()}`,
      'attacker.example',
      '127.0.0.1.attacker.example',
      'a@127.0.0.1',
      '127.0.0.1/x'
    ]) {
      const answer = await request(stack, { ...raw, headers: { ...raw.headers, host } })
      expect([host, answer.status]).toEqual([host, 403])
    }
    await expectUp(stack)
  })

  test.each(['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'LOCALHOST'])('Host %s is this machine', async (name) => {
    const answer = await request(stack, { path: '/_local/stats', headers: { host: `${name}:${port()}` } })
    expect(answer.status).toBe(200)
  })

  test('the configured --host is accepted too', async () => {
    await start({ host: '127.0.0.1' })
    expect((await request(stack, { path: '/_local/stats', headers: { host: '127.0.0.1' } })).status).toBe(200)
  })

  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  test.each<[string, Raw]>([
    ['reset the mappings', { method: 'POST', path: '/_local/mappings/reset', headers: form, body: 'a=b' }],
    ['replace the mappings', { method: 'PUT', path: '/_local/mappings', body: '[]' }],
    ['run the event tester', { method: 'POST', path: '/_local/test', headers: form, body: 'a=b' }],
    [
      'call the control plane',
      {
        method: 'POST',
        path: '/',
        headers: { 'x-amz-target': 'AmazonPersonalize.CreateDatasetGroup' },
        body: '{"name":"x"}'
      }
    ],
    ['call PutEvents', { method: 'POST', path: '/events', body: '{}' }],
    ['read the users', { path: '/_local/users' }],
    ['read the live feed', { path: '/_local/live' }]
  ])('a cross-site page cannot %s', async (_name, raw) => {
    const before = stack.subscriptions.list()
    for (const headers of [
      { origin: 'http://attacker.example' },
      { origin: 'null' },
      { origin: `http://localhost:${Number(port()) + 1}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' }
    ]) {
      const answer = await request(stack, { ...raw, headers: { ...raw.headers, ...headers } })
      expect([headers, answer.status]).toEqual([headers, 403])
    }
    expect(stack.subscriptions.list()).toEqual(before)
    await expectUp(stack)
  })

  test('this origin’s pages, and clients that are no browser, may', async () => {
    const own = { origin: `http://127.0.0.1:${port()}`, 'sec-fetch-site': 'same-origin' }
    expect((await request(stack, { method: 'POST', path: '/_local/mappings/reset', headers: own })).status).toBe(200)
    expect((await request(stack, { method: 'POST', path: '/_local/mappings/reset' })).status).toBe(200)
    expect((await control(stack, 'ListDatasetGroups', {}, own)).status).toBe(200)
  })

  test('the Tracking API stays open to other origins, as analytics.js needs (write keys gate it)', async () => {
    const answer = await track(
      stack,
      { userId: 'u', event: 'E' },
      { origin: 'https://shop.example', 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }
    )
    expect(answer.status).toBe(200)
    expect(stack.segment.stats.stored).toBe(1)
  })
})

describe('s3:// locations stay inside the S3 folder', () => {
  // The stack maps s3:// to ./s3. Run from a folder a few levels inside a sandbox, so that where a location would land
  // if it were joined naively is inside the sandbox: an import finds a readable CSV planted there, and an export
  // would leave a folder there, so "nothing is read or written" can fail.
  const cwd = process.cwd()
  let sandbox: string
  let s3Root: string
  beforeAll(() => {
    sandbox = temporary()
    const inside = path.join(sandbox, 'a', 'b', 'c')
    mkdirSync(inside, { recursive: true })
    process.chdir(inside)
    s3Root = path.resolve('s3')
  })
  afterAll(() => process.chdir(cwd))
  beforeEach(() => start())

  test.each([
    ['CreateDatasetImportJob', 's3://../../etc/passwd'],
    ['CreateDatasetImportJob', 's3://bucket/../../../etc/passwd'],
    ['CreateDatasetImportJob', 's3:///etc/passwd'],
    ['CreateDatasetExportJob', 's3://../../tmp/EXPORT'],
    ['CreateDatasetExportJob', 's3://bucket/./../../tmp/EXPORT']
  ])('%s to %s is InvalidInputException, and nothing is read or written', async (op, location) => {
    const target = location.replace('EXPORT', `escape-${randomUUID()}`)
    const naive = path.join(s3Root, ...target.slice('s3://'.length).split('/'))
    expect(naive.startsWith(sandbox + path.sep)).toBe(true)
    if (op === 'CreateDatasetImportJob') {
      mkdirSync(path.dirname(naive), { recursive: true })
      writeFileSync(naive, 'USER_ID,ITEM_ID,TIMESTAMP\nu-1,i-1,1700000000\n')
    }
    const datasetArn = await dataset(stack)
    const input =
      op === 'CreateDatasetImportJob'
        ? { jobName: 'in', datasetArn, dataSource: { dataLocation: target } }
        : {
            jobName: 'out',
            datasetArn,
            roleArn: 'arn:aws:iam::000000000000:role/Export',
            jobOutput: { s3DataDestination: { path: target } }
          }
    const answer = await control(stack, op, input)
    expect(answer.status).toBe(400)
    expect(answer.json().__type).toBe('com.amazonaws.personalize#InvalidInputException')
    if (op === 'CreateDatasetExportJob') expect(existsSync(naive)).toBe(false)
    expect(readdirSync(path.join(dataDir, 'imports'))).toEqual([])
    await expectUp(stack)
  })
})

describe('--sigv4-key checks the body and the time, as AWS does', () => {
  const KEY = { accessKeyId: 'AKIDHOSTILE', secretAccessKey: 'the-hostile-secret' }
  beforeEach(() => start({ keys: { [KEY.accessKeyId]: KEY.secretAccessKey } }))

  /** A control-plane request signed with aws4 (as the destination signs), at `date`. */
  function signed(body: string, date = new Date(), extra: Record<string, string> = {}) {
    const { host } = new URL(stack.url)
    const amzDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '')
    const options = aws4.sign(
      {
        host,
        method: 'POST',
        path: '/',
        service: 'personalize',
        region: 'us-west-2',
        body,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonPersonalize.CreateDatasetGroup',
          'X-Amz-Date': amzDate,
          ...extra
        }
      },
      KEY
    )
    return options.headers as Record<string, string>
  }
  const send = (headers: Record<string, string>, body: string) =>
    request(stack, { method: 'POST', path: '/', headers, body })

  test('a fresh, intact request is served', async () => {
    const body = JSON.stringify({ name: 'fresh' })
    expect((await send(signed(body), body)).status).toBe(200)
  })

  test.each([
    ['20 minutes old (a captured request replayed)', -20],
    ['20 minutes ahead', 20]
  ])('a request signed %s is InvalidSignatureException', async (_name, minutes) => {
    const body = JSON.stringify({ name: 'stale' })
    const answer = await send(signed(body, new Date(Date.now() + minutes * 60_000)), body)
    expect(answer.status).toBe(403)
    expect(answer.json()).toMatchObject({
      __type: 'com.amazonaws.personalize#InvalidSignatureException',
      message: expect.stringMatching(/^Signature (expired|not yet current)/)
    })
    await expectUp(stack)
  })

  test('a body swapped after signing is refused, even with the signed x-amz-content-sha256 of the original', async () => {
    const original = JSON.stringify({ name: 'original' })
    const hash = createHash('sha256').update(original).digest('hex')
    const swapped = JSON.stringify({ name: 'swapped1' })
    for (const headers of [signed(original, new Date(), { 'x-amz-content-sha256': hash }), signed(original)]) {
      const answer = await send(headers, swapped)
      expect(answer.status).toBe(403)
      expect(answer.json().__type).toBe('com.amazonaws.personalize#InvalidSignatureException')
    }
    const intact = JSON.stringify({ name: 'intact' })
    expect((await send(signed(intact), intact)).status).toBe(200)
    await expectUp(stack)
  })

  test('a signature that differs is refused (compared in constant time)', async () => {
    const body = JSON.stringify({ name: 'tampered' })
    const headers = signed(body)
    const signature = /Signature=([0-9a-f]{64})/.exec(headers.Authorization ?? '')![1]!
    const flipped = `${signature.slice(0, 63)}${signature.endsWith('0') ? '1' : '0'}`
    const answer = await send({ ...headers, Authorization: headers.Authorization!.replace(signature, flipped) }, body)
    expect(answer.status).toBe(403)
  })
})

describe('secrets are not shown', () => {
  test('the event tester redacts the external ID, secret keys and tokens in the requests it shows', async () => {
    const settings: Settings = {
      region: 'us-west-2',
      trackingId: 'tracking-id',
      accessKeyId: 'AKIDTESTER',
      secretAccessKey: 'the-secret-access-key-secret',
      iamRoleArn: 'arn:aws:iam::000000000000:role/Segment',
      iamExternalId: 'the-external-id-secret',
      segmentWriteKey: 'the-write-key-secret'
    }
    await start({ settings: () => settings })
    const answer = await request(stack, {
      method: 'POST',
      path: '/_local/test',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        event: { type: 'track', event: 'Product Viewed', userId: 'u', properties: { product_id: 'p' } }
      })
    })
    expect(answer.status).toBe(200)
    expect(answer.text).toContain('AssumeRole')
    expect(answer.text).toContain(REDACTED)
    for (const secret of ['the-external-id-secret', 'the-write-key-secret', 'event-tester</SecretAccessKey>'])
      expect(answer.text).not.toContain(secret)
  })

  test('`config` shows which write keys and tokens are set, never their values', () => {
    const file = { writeKeys: { web: 'file-web-key-secret' }, profileToken: 'file-profile-token-secret' }
    const fromFile = describeConfig(file, {})
    const fromEnv = describeConfig(
      {},
      {
        SEGMENT_WRITE_KEYS: 'web=env-web-key-secret,ios=env-ios-key-secret',
        SEGMENT_PROFILE_TOKEN: 'env-profile-token-secret'
      }
    )
    for (const text of [fromFile, fromEnv]) expect(text).not.toMatch(/secret/)
    expect(fromFile).toContain(`{"web":"${REDACTED}"}`)
    expect(fromEnv).toContain(`web=${REDACTED},ios=${REDACTED}`)
  })
})

describe('the Profile API', () => {
  const TOKEN = 'a-token-of-our-own-0123456789'
  const traits = (query = '') => `/v1/spaces/x/collections/users/profiles/user_id:u/traits${query}`
  beforeEach(async () => {
    await start({ profileToken: TOKEN })
    await tracking(stack, '/v1/identify', JSON.stringify({ userId: 'u', traits: { a: 1, b: 2, c: 3 } }))
  })

  test.each<[string, number, string | undefined]>([
    ['the configured token, Basic', 200, basic(TOKEN)],
    ['the scheme in lower case', 200, basic(TOKEN).replace('Basic', 'basic')],
    ['the token with a password', 200, `Basic ${Buffer.from(`${TOKEN}:anything`).toString('base64')}`],
    ['no Authorization', 401, undefined],
    ['the default token once another is set', 401, basic(PROFILE_TOKEN)],
    ['the token without the Basic scheme', 401, Buffer.from(`${TOKEN}:`).toString('base64')],
    ['the token as Bearer', 401, `Bearer ${Buffer.from(`${TOKEN}:`).toString('base64')}`],
    ['a prefix of the token', 401, basic(TOKEN.slice(0, -1))],
    ['the token and more', 401, basic(`${TOKEN}x`)]
  ])('%s → %i', async (_name, status, authorization) => {
    const answer = await request(stack, { path: traits(), headers: authorization ? { authorization } : {} })
    expect(answer.status).toBe(status)
  })

  test.each<[string, number]>([
    ['-5', 400],
    ['2.5', 400],
    ['0', 400],
    ['201', 400],
    ['1e2', 400],
    ['', 400],
    ['abc', 400],
    ['1', 200],
    ['200', 200]
  ])('limit=%s → %i', async (limit, status) => {
    const answer = await request(stack, { path: traits(`?limit=${limit}`), headers: { authorization: basic(TOKEN) } })
    expect(answer.status).toBe(status)
    if (status === 200) expect(answer.json().cursor).toMatchObject({ limit: Number(limit) })
  })
})

describe('one client cannot take the stack down', () => {
  test('connections over the cap are answered 503 and closed; the stack serves again once they go', async () => {
    await start({ limits: { maxConnections: 5 } })
    const { port } = new URL(stack.url)
    const idle = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(Number(port), '127.0.0.1', () => resolve(socket))
          })
      )
    )
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1')
      let text = ''
      socket.on('data', (chunk) => (text += chunk.toString()))
      socket.on('close', () => resolve(text))
      socket.on('error', () => undefined)
    })
    expect(refused).toMatch(/^HTTP\/1\.1 503 /)
    expect(refused).toContain('too_many_connections')
    for (const socket of idle) socket.destroy()
    // The server counts a connection gone when it sees it close, which a loaded machine can delay: until then it
    // answers 503 (or drops the request), so ask until it answers, for up to 10 s.
    const deadline = Date.now() + 10_000
    const answers = () =>
      request(stack, { path: '/_local/stats' }).then(
        (answer) => answer.status === 200,
        () => false
      )
    while (!(await answers()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    await expectUp(stack)
  })

  test('a client that opens a connection and sends nothing is closed after the headers timeout', async () => {
    await start({ limits: { headersTimeoutMs: 300 } })
    const { port } = new URL(stack.url)
    const started = Date.now()
    const closed = await new Promise<number>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /_local/stats HTTP/1.1\r\n'))
      socket.on('error', () => undefined)
      socket.on('close', () => resolve(Date.now() - started))
      socket.resume()
    })
    expect(closed).toBeLessThan(5000)
    await expectUp(stack)
  })
})

describe('the pages carry security headers', () => {
  beforeEach(() => start())

  test.each(['/', '/mappings', '/explorer/app.js', '/mappings/mappings.js'])('%s', async (page) => {
    const answer = await request(stack, { path: page })
    expect(answer.status).toBe(200)
    expect(answer.headers).toMatchObject({
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer'
    })
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'")
    expect(answer.headers['content-security-policy']).not.toContain('unsafe-inline')
  })

  test('the JSON answers are not sniffed or framed', async () => {
    const answer = await request(stack, { path: '/_local/users' })
    expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' })
  })
})
