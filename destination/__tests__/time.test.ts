import { toEpochSeconds } from '../time'

// 2019-02-26T16:04:05Z, the workshop generator's start date.
const T = 1551197045

describe('toEpochSeconds', () => {
  test.each([
    ['2019-02-26T16:04:05.000Z', T],
    ['2019-02-26T16:04:05Z', T],
    ['2019-02-26T16:04:05.123Z', T + 0.123],
    ['2019-02-26T16:04:05.123456Z', T + 0.123],
    ['2019-02-26T16:04:05,5Z', T + 0.5],
    ['2019-02-26T17:04:05+01:00', T],
    ['2019-02-26T11:04:05-0500', T],
    ['2019-02-26T21:34:05+05:30', T],
    ['2019-02-26T17:04:05+01', T],
    ['2019-02-26T16:04:05', T],
    ['2019-02-26 16:04:05', T],
    ['2019-02-26T16:04', T - 5],
    ['20190226T160405Z', T],
    ['2019-02-26', T - (16 * 3600 + 4 * 60 + 5)],
    ['2019-02-26t16:04:05z', T],
    [T, T],
    [T * 1000, T],
    [T * 1000 + 250, T + 0.25],
    [String(T), T],
    [String(T * 1000), T]
  ])('%p is %p', (input, expected) => {
    expect(toEpochSeconds(input)).toBeCloseTo(expected, 3)
  })

  test.each([
    'not a date',
    '',
    '2019-02-30T00:00:00Z',
    '2019-13-01',
    '2019-02-26T25:00:00Z',
    'Feb 26 2019',
    '26/02/2019',
    '-5',
    NaN,
    -1
  ])('%p is not a date', (input) => {
    expect(toEpochSeconds(input)).toBeUndefined()
  })

  test('a time without an offset is UTC whatever the host timezone', () => {
    const tz = process.env.TZ
    process.env.TZ = 'America/Los_Angeles'
    try {
      expect(toEpochSeconds('2019-02-26T16:04:05')).toBe(T)
    } finally {
      process.env.TZ = tz
    }
  })
})
