// Segment timestamps are ISO-8601; Personalize's restJson1 protocol sends `sentAt` as epoch seconds.
// Date.parse is not used: it reads a date-time without an offset as *local* time (the workshop generator's
// timezone bug) and accepts non-ISO forms whose meaning varies by engine. This parser reads the ISO-8601 forms
// (extended and basic, `T` or space, any fraction length, `Z` or ±hh[:mm], or none = UTC) and nothing else.
const ISO_8601 =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

// Epoch values above this are milliseconds: 1e11 seconds is the year 5138, 1e11 milliseconds is 1973.
const MILLISECONDS_THRESHOLD = 1e11

/** Epoch seconds (with millisecond precision) for an ISO-8601 string or an epoch number, or undefined. */
export function toEpochSeconds(value: string | number): number | undefined {
  if (typeof value === 'number') return fromEpochNumber(value)
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return fromEpochNumber(Number(trimmed))
  const match = ISO_8601.exec(trimmed)
  if (!match) return undefined
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset = 'Z'] = match
  const fields = [Number(month), Number(day), Number(hour), Number(minute), Number(second)]
  if (!inRange(fields)) return undefined
  // Reject dates that Date.UTC would silently roll over (2019-02-30 → March 2).
  if (new Date(Date.UTC(Number(year), fields[0]! - 1, fields[1])).getUTCDate() !== fields[1]) return undefined
  const utc = Date.UTC(Number(year), fields[0]! - 1, fields[1], fields[2], fields[3], fields[4])
  const millis = Math.round(Number(`0.${fraction || '0'}`) * 1000)
  return (utc + millis - offsetMinutes(offset) * 60_000) / 1000
}

function fromEpochNumber(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined
  return n > MILLISECONDS_THRESHOLD ? n / 1000 : n
}

function inRange([month, day, hour, minute, second]: number[]): boolean {
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= 31 && hour! <= 24 && minute! <= 59 && second! <= 60
}

function offsetMinutes(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0
  const sign = offset.startsWith('-') ? -1 : 1
  const digits = offset.slice(1).replace(':', '')
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'))
}
