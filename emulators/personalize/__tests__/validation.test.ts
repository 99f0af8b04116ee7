import {
  EVENT_PROPERTIES_MAX_LENGTH,
  ID_MAX_LENGTH,
  IMPRESSION_MAX_ITEMS,
  PUT_EVENTS_MAX_EVENTS,
  RECOMMENDATION_ID_MAX_LENGTH
} from '../../../destination/personalize/limits'
import { SHAPES } from '../shapes'
import { validate, validationMessage } from '../validation'

const event = { eventType: 'Product Viewed', sentAt: 1795168800, itemId: 'p1' }
const putEvents = (overrides: Record<string, unknown> = {}) => ({
  trackingId: 't',
  sessionId: 's',
  eventList: [event],
  ...overrides
})
const violationsOf = (shape: keyof typeof SHAPES, input: unknown) => validate(SHAPES[shape], input).violations

describe('AWS wording', () => {
  test('a valid request has no violations', () => {
    expect(validate(SHAPES.PutEvents, putEvents())).toEqual({ violations: [] })
  })

  test('a missing required member', () => {
    expect(violationsOf('PutEvents', { trackingId: 't', eventList: [event] })).toEqual([
      "Value null at 'sessionId' failed to satisfy constraint: Member must not be null"
    ])
  })

  test('list members are numbered from 1', () => {
    const long = 'x'.repeat(257)
    expect(violationsOf('PutEvents', putEvents({ eventList: [event, { ...event, itemId: long }] }))).toEqual([
      `Value '${long}' at 'eventList.2.member.itemId' failed to satisfy constraint: Member must have length less than or equal to 256`
    ])
  })

  test('every violation is reported, and the message counts them', () => {
    const violations = violationsOf('PutEvents', { trackingId: '', eventList: [] })
    expect(violations).toHaveLength(3)
    expect(validationMessage(violations)).toMatch(
      /^3 validation errors detected: Value '' at 'trackingId' failed to satisfy constraint: Member must have length greater than or equal to 1; /
    )
    expect(validationMessage(violations.slice(0, 1))).toMatch(/^1 validation error detected: /)
  })

  test('patterns are quoted without anchors', () => {
    expect(violationsOf('PutItems', { datasetArn: 'my-dataset', items: [{ itemId: 'i' }] })).toEqual([
      "Value 'my-dataset' at 'datasetArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:([a-z\\d-]+):personalize:.*:.*:.+"
    ])
  })

  test('numbers and map keys', () => {
    const violations = violationsOf('GetRecommendations', {
      campaignArn: 'arn:aws:personalize:us-west-2:1:campaign/c',
      numResults: 501,
      context: { 'bad key': 'v' }
    })
    expect(violations).toEqual([
      "Value '501' at 'numResults' failed to satisfy constraint: Member must have value less than or equal to 500",
      "Value 'bad key' at 'context.bad key.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z\\d_]+"
    ])
  })

  test.each([
    [{ sessionId: 5 }, 'number value can not be converted to string'],
    [{ eventList: { event } }, 'Start of structure or map found where not expected.'],
    [{ trackingId: ['t'] }, 'Start of list found where not expected'],
    [
      { eventList: [{ ...event, sentAt: '2026-11-20T10:00:00Z' }] },
      'class java.lang.String can not be converted to milliseconds since epoch'
    ]
  ])('a value of the wrong JSON type is a serialization error (%#)', (overrides, message) => {
    expect(validate(SHAPES.PutEvents, putEvents(overrides)).serialization).toBe(message)
  })
})

// The emulator's shapes and the destination's own checks come from the same service model; they must agree.
describe('the limits of the service model, each enforced', () => {
  const over = (n: number) => 'x'.repeat(n + 1)
  test.each([
    [
      'PutEvents',
      putEvents({ eventList: Array.from({ length: PUT_EVENTS_MAX_EVENTS + 1 }, () => event) }),
      `at 'eventList' failed to satisfy constraint: Member must have length less than or equal to ${PUT_EVENTS_MAX_EVENTS}`
    ],
    [
      'PutEvents',
      putEvents({ eventList: [{ ...event, properties: over(EVENT_PROPERTIES_MAX_LENGTH) }] }),
      `Member must have length less than or equal to ${EVENT_PROPERTIES_MAX_LENGTH}`
    ],
    [
      'PutEvents',
      putEvents({ eventList: [{ ...event, recommendationId: over(RECOMMENDATION_ID_MAX_LENGTH) }] }),
      `Member must have length less than or equal to ${RECOMMENDATION_ID_MAX_LENGTH}`
    ],
    [
      'PutEvents',
      putEvents({ eventList: [{ ...event, impression: Array.from({ length: IMPRESSION_MAX_ITEMS + 1 }, () => 'i') }] }),
      `Member must have length less than or equal to ${IMPRESSION_MAX_ITEMS}`
    ],
    [
      'PutEvents',
      putEvents({ sessionId: over(ID_MAX_LENGTH) }),
      `at 'sessionId' failed to satisfy constraint: Member must have length less than or equal to ${ID_MAX_LENGTH}`
    ],
    [
      'PutUsers',
      {
        datasetArn: 'arn:aws:personalize:us-west-2:1:dataset/d/USERS',
        users: [{ userId: 'u', properties: over(24_000) }]
      },
      'Member must have length less than or equal to 24000'
    ],
    [
      'PutItems',
      {
        datasetArn: 'arn:aws:personalize:us-west-2:1:dataset/d/ITEMS',
        items: Array.from({ length: 11 }, (_, i) => ({ itemId: `i${i}` }))
      },
      `at 'items' failed to satisfy constraint: Member must have length less than or equal to 10`
    ],
    [
      'PutItems',
      {
        datasetArn: 'arn:aws:personalize:us-west-2:1:dataset/d/ITEMS',
        items: [{ itemId: 'i', properties: over(32_000) }]
      },
      'Member must have length less than or equal to 32000'
    ],
    [
      'GetRecommendations',
      { filterValues: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`K${i}`, 'v'])) },
      `at 'filterValues' failed to satisfy constraint: Member must have length less than or equal to 25`
    ],
    [
      'GetRecommendations',
      { context: Object.fromEntries(Array.from({ length: 151 }, (_, i) => [`K${i}`, 'v'])) },
      `at 'context' failed to satisfy constraint: Member must have length less than or equal to 150`
    ],
    [
      'GetPersonalizedRanking',
      {
        campaignArn: 'arn:aws:personalize:us-west-2:1:campaign/c',
        userId: 'u',
        inputList: Array.from({ length: 501 }, () => 'i')
      },
      `at 'inputList' failed to satisfy constraint: Member must have length less than or equal to 500`
    ]
  ] as Array<[keyof typeof SHAPES, unknown, string]>)('%s: %s', (shape, input, fragment) => {
    const violations = violationsOf(shape, input)
    expect(violations).toHaveLength(1)
    expect(violations[0]).toContain(fragment)
  })
})
