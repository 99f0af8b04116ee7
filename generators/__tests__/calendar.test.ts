import { DAY_MS, DateError, formatDay, isoTime, momentOn, parseDay } from '../calendar'
import { writeIsoTime } from '../messages'
import { Random } from '../random'

describe('parseDay', () => {
  test.each([
    ['2026-03-01', Date.UTC(2026, 2, 1) / DAY_MS],
    ['2024-02-29', Date.UTC(2024, 1, 29) / DAY_MS],
    ['1970-01-01', 0]
  ])('%s is a day', (text, day) => {
    expect(parseDay('from', text)).toBe(day)
    expect(formatDay(day)).toBe(text)
  })

  test.each([
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-3-1',
    '26-03-01',
    '2026-03-01T00:00:00Z',
    'yesterday',
    ''
  ])('"%s" is refused with the flag and the format', (text) => {
    expect(() => parseDay('to', text)).toThrow(DateError)
    expect(() => parseDay('to', text)).toThrow(`--to must be a date as YYYY-MM-DD (UTC), not "${text}"`)
  })
})

describe('ISO-8601 times', () => {
  const random = new Random(42)
  const moments = [
    0,
    Date.UTC(2026, 2, 1),
    Date.UTC(2026, 2, 1) - 1,
    Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    ...Array.from({ length: 5000 }, () => Date.UTC(2019, 0, 1) + Math.floor(random.float() * 3e11))
  ]

  const expected = moments.map((ms) => new Date(ms).toISOString())

  test('isoTime gives what Date.prototype.toISOString gives', () => {
    expect(moments.map(isoTime)).toEqual(expected)
  })

  test('writeIsoTime writes the same bytes', () => {
    const buffer = Buffer.alloc(24)
    const written = moments.map((ms) => {
      expect(writeIsoTime(buffer, 0, ms)).toBe(24)
      return buffer.toString()
    })
    expect(written).toEqual(expected)
  })
})

describe('momentOn', () => {
  const day = parseDay('from', '2026-03-01')

  test('stays on the day, for every time zone', () => {
    const random = new Random(7)
    for (const offset of [-720, -480, -300, 0, 60, 540, 600, 840]) {
      const moments = Array.from({ length: 2000 }, () => momentOn(day, offset, random))
      expect(Math.min(...moments)).toBeGreaterThanOrEqual(day * DAY_MS)
      expect(Math.max(...moments)).toBeLessThan((day + 1) * DAY_MS)
    }
  })

  test('follows the shopper’s local day: evenings busy, small hours quiet', () => {
    const random = new Random(8)
    const hours = new Array<number>(24).fill(0)
    for (let n = 0; n < 20_000; n++) hours[new Date(momentOn(day, -300, random)).getUTCHours()]!++
    // New York (UTC−5): 20:00 local is 01:00 UTC, 04:00 local is 09:00 UTC.
    expect(hours[1]!).toBeGreaterThan(hours[9]! * 8)
    expect(hours.filter((count) => count > 0)).toHaveLength(24)
  })
})
