// The backfill's SQL against the destination's JavaScript, input by input: a timestamp is kept iff toEpochSeconds
// accepts it, as Math.floor of its seconds; ids are what trackEvent would send for the same message.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { csvFields } from '../../common/csv'
import { NOT_DATES, READ_AS, T } from '../../destination/__tests__/__helpers__/timestamps'
import { defaultValues } from '../../destination/mapping'
import { toEpochSeconds } from '../../destination/time'
import { fields } from '../../destination/trackEvent/fields'
import type { Payload } from '../../destination/trackEvent/generated-types'
import { toInteractions } from '../../destination/trackEvent/interactions'
import { payloadOf, schemaOf, type JsonValue } from '../../functions/mapping'
import { backfill, type BackfillOptions } from '../backfill'

type Json = JsonValue | undefined

/** A folder with one segment-logs file of these messages. */
function logs(messages: Array<Record<string, Json>>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'backfill-parity-'))
  const file = path.join(dir, 'segment-logs', 'SOURCE1', '1551139200000', 'a.gz')
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, gzipSync(messages.map((m) => JSON.stringify(m)).join('\n')))
  return dir
}

async function run(messages: Array<Record<string, Json>>, options: Partial<BackfillOptions> = {}) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'backfill-parity-out-'))
  await backfill({ input: logs(messages), out, ...options })
  const read = (name: string) => {
    // One line a row: no value these tests write holds a line break (DuckDB's COPY ends each row with \n).
    const lines = readFileSync(path.join(out, name), 'utf8').replace(/\n$/, '').split('\n')
    const [header, ...body] = lines.map(csvFields)
    return body.map((cells) => Object.fromEntries(header!.map((column, i) => [column, cells[i]!])))
  }
  return { interactions: read('interactions.csv'), skipped: read('skipped.csv') }
}

// Every input of toEpochSeconds' own table (destination/__tests__/__helpers__/timestamps.ts), then what fuzzing found DuckDB's TIMESTAMPTZ cast got wrong, then
// the corners of the rule: rounding, leap seconds, the bounds, JavaScript's whitespace, offsets and forms.
const TIMESTAMPS: Array<string | number> = [
  ...READ_AS.map(([input]) => input),
  // NaN and Infinity have no JSON form: a log line cannot hold them.
  ...NOT_DATES.filter((input) => typeof input === 'string' || Number.isFinite(input)),
  // DuckDB's special values and its own range, and blanks.
  'infinity',
  '-infinity',
  'epoch',
  'now',
  '1960-01-01',
  '294247-01-01',
  '  ',
  // Epoch numbers as JSON numbers and as strings, at the thresholds.
  20240925,
  1551197045.999,
  '1551197045.999',
  1.5e9,
  '1.5e9',
  5e-7,
  -0,
  253402300799,
  253402300800,
  253402300799999,
  253402300800000,
  '253402300799999',
  '00001551197045',
  '12345678.5',
  '9'.repeat(400),
  // Fractions rounded to milliseconds as Math.round does, leap seconds, the bounds with offsets.
  '2019-02-26T16:04:05.9995Z',
  '2019-02-26T16:04:05.123456789012345678901234567890Z',
  '2019-02-26T23:59:60Z',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.9995Z',
  '9999-12-31T24:00:00Z',
  '1969-12-31T23:00:00-01:00',
  '1970-01-01T00:00:00+00:01',
  '1969-12-31T23:59:59.9995Z',
  '2019-02-26T16:04:05-23:59',
  '2019-02-26T16:04:05+2400',
  '2019-02-26T24:00:00.000Z',
  '2019-02-26T24:00Z',
  '2020-02-29',
  '2100-02-29',
  // JavaScript's whitespace around and before the offset; other shapes.
  ' 2019-02-26T16:04:05Z ',
  '\u00a02019-02-26T16:04:05Z\u3000',
  '\ufeff2019-02-26\u2028',
  '\v1551197045\t',
  '2019-02-26T16:04:05 +01:00',
  '2019-02-26T16:04:05\u00a0Z',
  '2019-02-26 Z',
  '2019-02-26+05',
  '2019-0226',
  '201902-26T16:04:05Z',
  '2019-02-26T1604',
  '2019-02-26T16:04:5Z',
  '2019-02-26T16:04:05.Z',
  '2019-02-26T16:04:05Z\n1',
  '2019-02-26T16:04:05\t+0100',
  '2019-02-26T16:04:05ZZ',
  '2019-02-26_16:04:05Z',
  '+002019-02-26T16:04:05Z',
  '٢٠١٩-٠٢-٢٦'
]

describe('timestamps: kept iff toEpochSeconds accepts them, as Math.floor of its seconds', () => {
  let kept: Map<string, string>
  let skipped: Map<string, string>
  beforeAll(async () => {
    const result = await run(
      TIMESTAMPS.map((timestamp, i) => ({
        type: 'track',
        event: 'Product Viewed',
        messageId: `m-${i}`,
        userId: `t-${i}`,
        timestamp,
        properties: { product_id: 'p-1' }
      }))
    )
    kept = new Map(result.interactions.map((row) => [row.USER_ID!, row.TIMESTAMP!]))
    skipped = new Map(result.skipped.map((row) => [row.MESSAGE_ID!, row.REASON!]))
  }, 120_000)

  test.each(TIMESTAMPS.map((input, i) => [input, i] as const))('%j', (input, i) => {
    const seconds = toEpochSeconds(input)
    if (seconds === undefined) {
      expect(kept.get(`t-${i}`)).toBeUndefined()
      expect(skipped.get(`m-${i}`)).toBe('timestamp missing, not ISO-8601 or epoch time, or out of range')
    } else expect(kept.get(`t-${i}`)).toBe(String(Math.floor(seconds)))
  })

  test('the fallbacks: originalTimestamp, then receivedAt, when the ones before are absent or null', async () => {
    const base = { type: 'track', event: 'Product Viewed', properties: { product_id: 'p-1' } }
    const { interactions, skipped } = await run([
      { ...base, messageId: 'a', userId: 'a', timestamp: null, originalTimestamp: '2019-02-26T16:04:05Z' },
      { ...base, messageId: 'b', userId: 'b', receivedAt: T },
      // A timestamp that is there but refused is not replaced by the next one.
      { ...base, messageId: 'c', userId: 'c', timestamp: 'yesterday', receivedAt: '2019-02-26T16:04:05Z' },
      // Neither a string nor a number: refused, as the destination refuses it.
      { ...base, messageId: 'd', userId: 'd', timestamp: true },
      { ...base, messageId: 'e', userId: 'e', timestamp: { at: T } }
    ])
    expect(interactions.map((row) => [row.USER_ID, row.TIMESTAMP])).toEqual([
      ['a', String(T)],
      ['b', String(T)]
    ])
    expect(skipped.map((row) => row.MESSAGE_ID).sort()).toEqual(['c', 'd', 'e'])
  }, 60_000)
})

// What the destination does with a message: the framework's mapping, empty-value removal and coercion
// (functions/mapping.ts, itself tested against the framework), then trackEvent's toInteractions. The interactions it
// records, as [user, item]; anonymous ones under the session (the anonymousId here).
const schema = schemaOf(fields)
const mapping = defaultValues(fields) as JsonValue
function destination(message: Record<string, Json>, anonymous: 'drop' | 'keep'): string[][] {
  const mapped = payloadOf(mapping, JSON.parse(JSON.stringify(message)), schema)
  if ('problem' in mapped) return []
  const result = toInteractions(mapped.payload as Payload)
  const user = result.userId ?? (anonymous === 'keep' ? result.sessionId : undefined)
  return user === undefined ? [] : result.events.map((event) => [user, event.itemId!])
}

const ID_VALUES: Json[] = [
  'id-1',
  '',
  '  ',
  ' id ',
  'a,"b"',
  'é'.repeat(256),
  '😀'.repeat(128),
  '😀'.repeat(129),
  'u'.repeat(256),
  'u'.repeat(257),
  'null',
  'Undefined',
  0,
  42,
  -7,
  1.5,
  0.1,
  1e21,
  1e-7,
  123456789012345680000,
  2 ** 53,
  2 ** 53 + 2,
  true,
  false,
  null,
  {},
  { id: 1 },
  [],
  ['id-1'],
  [5],
  [null],
  [true],
  [{}],
  ['a', 'b'],
  [[1]]
]

// Numbers as ids are written as JavaScript writes them: a spread of magnitudes and digit counts.
const NUMBERS = Array.from({ length: 120 }, (_, i) => {
  const x = Math.sin(i + 1) * 10 ** ((i % 50) - 25)
  return i % 3 === 0 ? Math.round(x) : x
})

type Case = { name: string; message: Record<string, Json>; anonymous: 'drop' | 'keep' }

const track = (i: number, extra: Record<string, Json>): Record<string, Json> => ({
  type: 'track',
  event: 'Order Completed',
  messageId: `m-${i}`,
  userId: 'user-1',
  anonymousId: 'anon-1',
  timestamp: '2019-02-26T16:04:05Z',
  ...extra,
  properties: { value: i, product_id: 'p-1', ...(extra.properties as object) }
})

type Given = { name: string; extra: Record<string, Json>; anonymous?: 'drop' | 'keep' }
const CASES: Case[] = (
  [
    ...ID_VALUES.map((userId) => ({ name: `userId ${JSON.stringify(userId)}`, extra: { userId } })),
    ...NUMBERS.map((userId) => ({ name: `userId ${userId}`, extra: { userId } })),
    ...ID_VALUES.map((anonymousId) => ({
      name: `anonymousId ${JSON.stringify(anonymousId)}, no userId`,
      extra: { userId: undefined, anonymousId },
      anonymous: 'keep' as const
    })),
    ...ID_VALUES.map((product_id) => ({
      name: `product_id ${JSON.stringify(product_id)}`,
      extra: { properties: { product_id, sku: 'sku-1' } }
    })),
    ...ID_VALUES.map((sku) => ({
      name: `sku ${JSON.stringify(sku)}, no product_id`,
      extra: { properties: { product_id: undefined, sku } }
    })),
    ...ID_VALUES.map((product_id) => ({
      name: `products[].product_id ${JSON.stringify(product_id)}`,
      extra: { properties: { products: [{ product_id }, { sku: 'sku-2' }, { product_id: null, sku: 'sku-3' }] } }
    })),
    { name: 'products[] without ids', extra: { properties: { products: [{ name: 'x' }, { product_id: '' }] } } },
    { name: 'products[] empty: the event’s own id', extra: { properties: { products: [] } } }
  ] as Given[]
).map(({ name, extra, anonymous }, i) => ({ name, anonymous: anonymous ?? 'drop', message: track(i, extra) }))

describe('ids: the interactions the destination would record, and nothing else', () => {
  const results = new Map<'drop' | 'keep', Awaited<ReturnType<typeof run>>>()
  beforeAll(async () => {
    for (const anonymous of ['drop', 'keep'] as const)
      results.set(
        anonymous,
        await run(
          CASES.filter((c) => c.anonymous === anonymous).map((c) => c.message),
          { anonymous }
        )
      )
  }, 120_000)

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (name, { message, anonymous }) => {
    const { interactions, skipped } = results.get(anonymous)!
    const value = (message.properties as { value: number }).value
    const rows = interactions
      .filter((row) => Number(row.EVENT_VALUE) === value)
      .map((row) => [row.USER_ID, row.ITEM_ID])
    const expected = destination(message, anonymous)
    expect(rows).toEqual(expected)
    // Left out whole: listed in skipped.csv with a reason.
    const reason = skipped.find((row) => row.MESSAGE_ID === message.messageId)?.REASON
    expect(reason === undefined).toBe(expected.length > 0)
    if (name === 'products[] without ids') expect(reason).toBe('no product_id or sku')
  })
})
