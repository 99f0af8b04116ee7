// The backfill's rules on crafted logs: each rule, each bad input, and the outputs read back.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { backfill, BackfillError, type Report } from '../backfill'

const line = (message: object) => JSON.stringify(message)
const track = (messageId: string, event: string, extra: object = {}) =>
  line({
    type: 'track',
    event,
    messageId,
    userId: 'user-1',
    anonymousId: 'anon-1',
    timestamp: '2026-03-01T10:00:00.000Z',
    receivedAt: '2026-03-01T10:00:01.000Z',
    properties: { product_id: 'p-1', name: 'Shoe', category: 'Shoes', brand: 'Vans', price: 50 },
    ...extra
  })

/** A folder of logs in the S3 layout, plus extra files; returns its path. */
function logs(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'backfill-in-'))
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, 'segment-logs', 'SOURCE1', '1772323200000', name)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, name.endsWith('.gz') && typeof content === 'string' ? gzipSync(content) : content)
  }
  return dir
}

const csv = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((row) => row)

async function run(input: string, options: { anonymous?: 'keep' | 'drop'; events?: string[] } = {}) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'backfill-out-'))
  const report = await backfill({ input, out, ...options })
  return { out, report, read: (name: string) => csv(path.join(out, name)) }
}

describe('interactions', () => {
  let result: { out: string; report: Report; read: (name: string) => string[] }
  beforeAll(async () => {
    const main = [
      track('m-1', 'Product Viewed'),
      // The same message again, as Segment's replays produce: counted once.
      track('m-1', 'Product Viewed'),
      // Every ISO-8601 form: no milliseconds (the workshop's Glue job nulled these), an offset, microseconds.
      track('m-2', 'Product Clicked', { timestamp: '2026-03-01T10:00:05Z' }),
      track('m-3', 'Product Clicked', { timestamp: '2026-03-01T12:00:06+02:00' }),
      track('m-4', 'Product Clicked', { timestamp: '2026-03-01T10:00:07.123456Z' }),
      // sku when there is no product_id; the workshop's sku-only Order Completed.
      track('m-5', 'Product Added', { properties: { sku: 'sku-5' } }),
      track('m-6', 'Order Completed', { properties: { sku: 'sku-6' } }),
      // products[]: one interaction per element with an id.
      track('m-7', 'Order Completed', {
        properties: { products: [{ product_id: 'p-7a', price: 10 }, { sku: 'sku-7b' }, { name: 'no id' }] }
      }),
      // Mixed case: kept, under the allowlist's spelling.
      track('m-8', 'product viewed'),
      // EVENT_VALUE from properties.value.
      track('m-9', 'Product Added', { properties: { product_id: 'p-9', value: 12.5 } }),
      // Not interactions:
      track('m-10', 'Signed Up'),
      track('m-11', 'Product Viewed', { userId: undefined }),
      track('m-12', 'Product Viewed', { timestamp: 'yesterday', originalTimestamp: undefined, receivedAt: undefined }),
      track('m-13', 'Product Viewed', { properties: { name: 'no id' } }),
      track('m-14', 'Product Viewed', { userId: 'u'.repeat(300) }),
      'this line is not JSON',
      '{"type":"track","event":"Product Viewed"', // cut short
      line({ type: 'page', name: 'Home', messageId: 'm-15', userId: 'user-1' }),
      line({
        type: 'identify',
        messageId: 'm-16',
        userId: 'user-1',
        timestamp: '2026-03-01T09:00:00Z',
        traits: { plan: 'pro', visits: 3, email: 'a@example.com' }
      }),
      line({
        type: 'identify',
        messageId: 'm-17',
        userId: 'user-2',
        timestamp: '2026-03-01T09:00:00Z',
        traits: { plan: 'free', visits: 1, 'Favorite Departments': 'Shoes' }
      }),
      line({ type: 'identify', messageId: 'm-18', userId: 'user-3', traits: { plan: 'free', visits: 2 } })
    ].join('\n')
    const good = Array.from({ length: 3 }, (_, n) =>
      track(`g-${n}`, 'Product Viewed', { userId: `user-${n + 2}` })
    ).join('\n')
    const truncated = gzipSync(
      Array.from({ length: 200 }, (_, n) => track(`t-${n}`, 'Product Viewed', { userId: 'user-t' })).join('\n')
    ).subarray(0, 600)
    const input = logs({
      'a.gz': main,
      'b.ndjson': good,
      'truncated.gz': truncated,
      'not-gzip.gz': Buffer.from('plain text, not gzip')
    })
    result = await run(input)
  })

  test('the interactions CSV: one row per interaction, ids, canonical event types, epoch seconds, EVENT_VALUE', () => {
    const rows = result.read('interactions.csv')
    expect(rows[0]).toBe('USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP,EVENT_VALUE')
    const body = rows.slice(1)
    expect(body).toEqual(
      expect.arrayContaining([
        'user-1,p-1,Product Viewed,1772359200,',
        'user-1,p-1,Product Clicked,1772359205,',
        'user-1,p-1,Product Clicked,1772359206,',
        'user-1,p-1,Product Clicked,1772359207,',
        'user-1,sku-5,Product Added,1772359200,',
        'user-1,sku-6,Order Completed,1772359200,',
        'user-1,p-7a,Order Completed,1772359200,',
        'user-1,sku-7b,Order Completed,1772359200,',
        'user-1,p-9,Product Added,1772359200,12.5',
        'user-2,p-1,Product Viewed,1772359200,',
        'user-3,p-1,Product Viewed,1772359200,',
        'user-4,p-1,Product Viewed,1772359200,'
      ])
    )
    // m-1 once (duplicate removed), m-8 as "Product Viewed": two Product Viewed rows for user-1 at 10:00:00.
    expect(body.filter((row) => row === 'user-1,p-1,Product Viewed,1772359200,')).toHaveLength(2)
    // The lines of the truncated file before the cut are read; the rest is lost (and reported).
    const fromTruncated = body.filter((row) => row.startsWith('user-t,')).length
    expect(fromTruncated).toBeGreaterThan(0)
    expect(fromTruncated).toBeLessThan(200)
  })

  test('the report: lines read, kept, skipped and why, renamed events, minimums', () => {
    const { report } = result
    expect(report.files).toBe(4)
    expect(report.renamedEvents).toBe(1)
    expect(report.skipped).toMatchObject({
      'duplicate messageId (a replay)': 1,
      'event not in the allowlist': 1,
      'no userId': 1,
      'timestamp missing, not ISO-8601 or epoch time, or out of range': 1,
      'no product_id or sku': 1,
      'userId over 256 characters': 1,
      'not a track event': 1,
      'truncated gzip file': 1,
      'corrupt gzip file': 1
    })
    expect(report.skipped['not JSON, or not a Segment message']).toBeGreaterThanOrEqual(2)
    expect(report.minimumsMet).toBe(false)
    expect(report.span?.from).toBe('2026-03-01T10:00:00Z')
  })

  test('skipped.csv lists every skipped line with its file and reason', () => {
    const rows = result.read('skipped.csv')
    expect(rows[0]).toBe('FILE,MESSAGE_ID,TYPE,EVENT,REASON')
    expect(rows).toEqual(
      expect.arrayContaining([expect.stringMatching(/a\.gz,m-1,track,Product Viewed,duplicate messageId/)])
    )
    expect(rows).toEqual(
      expect.arrayContaining([expect.stringMatching(/a\.gz,m-10,track,Signed Up,event not in the allowlist$/)])
    )
    expect(rows).toEqual(expect.arrayContaining([expect.stringMatching(/truncated\.gz,,,,truncated gzip file/)]))
    expect(rows).toEqual(expect.arrayContaining([expect.stringMatching(/not-gzip\.gz,,,,corrupt gzip file/)]))
    const total = Object.values(result.report.skipped).reduce((a, b) => a + b, 0)
    expect(rows.length - 1).toBe(total)
  })

  test('users.csv: the latest traits, most users’ traits as columns, personal ones left out', () => {
    // Favorite Departments: one user in three, under half; email: personal.
    expect(result.read('users.csv')).toEqual([
      'USER_ID,PLAN,VISITS',
      'user-1,pro,3.0',
      'user-2,free,1.0',
      'user-3,free,2.0'
    ])
    const schema = JSON.parse(readFileSync(path.join(result.out, 'users-schema.json'), 'utf8')) as { fields: unknown[] }
    expect(schema.fields).toEqual([
      { name: 'USER_ID', type: 'string' },
      { name: 'PLAN', type: ['null', 'string'], categorical: true },
      { name: 'VISITS', type: ['null', 'float'] }
    ])
  })

  test('items.csv: each product’s latest name, category, brand and price', () => {
    const rows = result.read('items.csv')
    expect(rows[0]).toBe('ITEM_ID,NAME,CATEGORY,BRAND,PRICE')
    expect(rows).toContain('p-1,Shoe,Shoes,Vans,50.0')
    expect(rows).toContain('p-7a,,,,10.0')
  })

  test('no partial files are left', () => {
    expect(readdirSync(result.out).filter((name) => name.endsWith('.partial'))).toEqual([])
  })
})

test('--anonymous keep: events without a userId count under their anonymousId', async () => {
  const input = logs({ 'a.ndjson': [track('m-1', 'Product Viewed', { userId: undefined })].join('\n') })
  const { read, report } = await run(input, { anonymous: 'keep' })
  expect(read('interactions.csv')).toEqual([
    'USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP',
    'anon-1,p-1,Product Viewed,1772359200'
  ])
  expect(report.skipped).toEqual({})
})

test('an allowlist of other events', async () => {
  const input = logs({ 'a.ndjson': [track('m-1', 'Product Viewed'), track('m-2', 'Wishlist Added')].join('\n') })
  const { read } = await run(input, { events: ['Wishlist Added'] })
  expect(read('interactions.csv')).toEqual([
    'USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP',
    'user-1,p-1,Wishlist Added,1772359200'
  ])
})

test('without values, the interactions CSV has the workshop’s four columns', async () => {
  const { read, out } = await run(logs({ 'a.ndjson': track('m-1', 'Product Viewed') }))
  expect(read('interactions.csv')[0]).toBe('USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP')
  expect(JSON.parse(readFileSync(path.join(out, 'interactions-schema.json'), 'utf8'))).toMatchObject({
    name: 'Interactions',
    fields: [
      { name: 'USER_ID', type: 'string' },
      { name: 'ITEM_ID', type: 'string' },
      { name: 'EVENT_TYPE', type: 'string' },
      { name: 'TIMESTAMP', type: 'long' }
    ]
  })
})

test('an input folder that does not exist, or holds no logs: a clear error', async () => {
  await expect(backfill({ input: '/nonexistent/logs', out: os.tmpdir() })).rejects.toThrow(
    new BackfillError('Cannot read --input /nonexistent/logs: no such folder')
  )
  const empty = mkdtempSync(path.join(os.tmpdir(), 'backfill-empty-'))
  await expect(backfill({ input: empty, out: os.tmpdir() })).rejects.toThrow(/^No Segment logs under /)
})

test('an output folder that cannot be written: a clear error, nothing left behind', async () => {
  const input = logs({ 'a.ndjson': track('m-1', 'Product Viewed') })
  const blocker = path.join(mkdtempSync(path.join(os.tmpdir(), 'backfill-block-')), 'file')
  writeFileSync(blocker, 'not a folder')
  await expect(backfill({ input, out: path.join(blocker, 'out') })).rejects.toThrow(/^Cannot write --out /)
  expect(existsSync(path.join(blocker, 'out'))).toBe(false)
})
