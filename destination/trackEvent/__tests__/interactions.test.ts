import { RULES, serializeProperties, toInteractions, violation } from '../interactions'
import type { Rule } from '../interactions'
import type { Payload } from '../generated-types'
import { serializeMetadata } from '../../personalize/putRecords'

// A value that breaks each row of the validation table, and the message it must give.
const BREAKING: Record<string, [string | string[] | undefined, string]> = {
  sessionId: [undefined, 'sessionId is missing: map Session ID to context.sessionId, anonymousId or userId'],
  userId: ['u'.repeat(257), 'userId is 257 characters; Personalize accepts at most 256'],
  eventType: [undefined, 'eventType is missing: the event has no name'],
  eventId: ['e'.repeat(257), 'eventId is 257 characters; Personalize accepts at most 256'],
  itemId: [undefined, 'itemId is missing: the event has no product_id or sku'],
  recommendationId: ['r'.repeat(41), 'recommendationId is 41 characters; Personalize accepts at most 40'],
  impression: [
    Array.from({ length: 26 }, (_, i) => `i${i}`),
    'impression has 26 items; Personalize accepts at most 25'
  ],
  properties: ['p'.repeat(1025), 'properties is 1025 characters as JSON; Personalize accepts at most 1024']
}

describe('the validation table', () => {
  test('every row has a breaking case here', () => {
    expect(RULES.map((r) => r.field).sort()).toEqual(Object.keys(BREAKING).sort())
  })

  test.each(RULES.map((rule) => [rule.field, rule] as [string, Rule]))('%s', (field, rule) => {
    const [value, message] = BREAKING[field]!
    expect(violation(rule, value)).toBe(message)
    if (rule.maxLength !== undefined && typeof value === 'string')
      expect(violation(rule, value.slice(0, rule.maxLength))).toBeUndefined()
  })

  test('an impression id over 256 characters is named by its index', () => {
    const rule = RULES.find((r) => r.field === 'impression')!
    expect(violation(rule, ['ok', 'x'.repeat(257)])).toBe(
      'impression[1] is 257 characters; Personalize accepts at most 256'
    )
  })

  test.each(['null', 'undefined', 'NULL'])('a session id of "%s" is refused', (value) => {
    const sessionId = RULES.find((r) => r.field === 'sessionId')!
    expect(violation(sessionId, value)).toMatch(/ignores the event/)
  })
})

describe('serializeProperties', () => {
  test('drops every reserved key, whatever its case', () => {
    expect(
      serializeProperties({
        USERID: 1,
        SessionId: 2,
        eventType: 3,
        timestamp: 4,
        recommendationId: 5,
        Impression: 6,
        keep: 7
      })
    ).toBe('{"keep":7}')
  })

  test('sends nothing when nothing is left', () => {
    expect(serializeProperties({ userId: 'x' })).toBeUndefined()
    expect(serializeProperties({})).toBeUndefined()
  })
})

describe('toInteractions', () => {
  const payload: Payload = {
    sessionId: 's',
    eventType: 'Order Completed',
    sentAt: '2026-11-20T10:00:00Z',
    eventId: 'm'
  }

  test('a shared problem fails the whole event once, not once per product', () => {
    const result = toInteractions({
      ...payload,
      recommendationId: 'r'.repeat(50),
      products: [{ itemId: 'a' }, { itemId: 'b' }]
    })
    expect(result.events).toHaveLength(0)
    expect(result.problems).toEqual(['recommendationId is 50 characters; Personalize accepts at most 40'])
  })

  test('a derived product eventId over 256 characters is refused for that product', () => {
    const result = toInteractions({ ...payload, eventId: 'm'.repeat(255), products: [{ itemId: 'a' }] })
    expect(result.problems).toEqual(['products[0]: eventId is 257 characters; Personalize accepts at most 256'])
  })

  test('empty strings are absent values, never sent under Personalize’s 1-character minimum', () => {
    const result = toInteractions({
      ...payload,
      userId: '',
      eventId: '',
      recommendationId: '',
      impression: ['', 'i1'],
      itemId: 'p'
    })
    expect(result).toMatchObject({ userId: undefined, problems: [] })
    expect(result.events).toEqual([
      { eventType: 'Order Completed', sentAt: Date.UTC(2026, 10, 20, 10) / 1000, itemId: 'p', impression: ['i1'] }
    ])
  })

  test('an empty item id is a missing one, for the event and for each product', () => {
    expect(toInteractions({ ...payload, itemId: '' }).problems).toEqual([
      'itemId is missing: the event has no product_id or sku'
    ])
    expect(toInteractions({ ...payload, products: [{ itemId: '' }, { itemId: 'b' }] }).problems).toEqual([
      'products[0]: itemId is missing: the event has no product_id or sku'
    ])
  })

  test('an empty products array means a single-product event', () => {
    expect(toInteractions({ ...payload, itemId: 'solo', products: [] }).events.map((e) => e.itemId)).toEqual(['solo'])
  })
})

describe('serializeMetadata', () => {
  test('strings, numbers and booleans are kept; lists are joined by "|"; objects are never sent', () => {
    expect(
      JSON.parse(
        serializeMetadata({
          name: 'Trail Runner',
          price: 89,
          onSale: false,
          colors: ['red', '', 'blue', { hex: '#00f' }],
          brand: { name: 'Northpeak' },
          variants: [{ size: 42 }],
          empty: '',
          missing: null,
          infinite: Infinity
        })!
      )
    ).toEqual({ name: 'Trail Runner', price: 89, onSale: false, colors: 'red|blue' })
    expect(serializeMetadata({ brand: { name: 'x' }, list: [{}] })).toBeUndefined()
  })
})
