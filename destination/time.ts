// Segment timestamps are ISO-8601; Personalize's restJson1 protocol sends `sentAt` as epoch seconds.
// Date.parse is not used: it reads a date-time without an offset as *local* time (the workshop generator's
// timezone bug) and accepts non-ISO forms whose meaning varies by engine. One strict rule, shared by the destination,
// the Destination Function and backfill (whose SQL applies the same bounds):
// - ISO-8601: extended or basic, `T` or space, any fraction length, `Z` or ±hh[:mm], or no offset = UTC; hour 24 only
//   as 24:00:00 (the end of the day, as ISO allows); an eight-digit string is a basic date (20240925), not a number;
// - or an epoch number (or a string of digits): seconds below 1e11, milliseconds from 1e11 (1e11 seconds is the year
//   5138, 1e11 milliseconds 1973);
// - and the instant between 1970-01-01 and the end of 9999: Personalize's sentAt is epoch seconds, and Date.UTC would
//   read the years 0–99 as 19xx.
const ISO_8601 =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

export const MILLISECONDS_THRESHOLD = 1e11
/** 9999-12-31T23:59:59.999Z, in seconds: the last instant the rule accepts. */
export const LATEST_SECONDS = 253402300799.999

/** Epoch seconds (with millisecond precision) for an ISO-8601 string or an epoch number, or undefined. */
export function toEpochSeconds(value: string | number): number | undefined {
  const seconds = typeof value === 'number' ? fromEpochNumber(value) : fromText(value.trim())
  return seconds !== undefined && seconds >= 0 && seconds <= LATEST_SECONDS ? seconds : undefined
}

function fromText(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text) && !/^\d{8}$/.test(text)) return fromEpochNumber(Number(text))
  const match = ISO_8601.exec(text)
  if (!match) return undefined
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset = 'Z'] = match
  const fields = [Number(month), Number(day), Number(hour), Number(minute), Number(second)]
  if (!inRange(fields) || (fields[2] === 24 && (fields[3] !== 0 || fields[4] !== 0 || Number(fraction) !== 0)))
    return undefined
  const zone = offsetMinutes(offset)
  // Date.UTC reads the years 0–99 as 19xx; any year before 1969 is out of range anyway (1969 may be 1970 in UTC).
  if (zone === undefined || Number(year) < 1969) return undefined
  // Reject dates that Date.UTC would silently roll over (2019-02-30 → March 2).
  if (new Date(Date.UTC(Number(year), fields[0]! - 1, fields[1])).getUTCDate() !== fields[1]) return undefined
  const utc = Date.UTC(Number(year), fields[0]! - 1, fields[1], fields[2], fields[3], fields[4])
  const millis = Math.round(Number(`0.${fraction || '0'}`) * 1000)
  return (utc + millis - zone * 60_000) / 1000
}

function fromEpochNumber(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined
  return n >= MILLISECONDS_THRESHOLD ? n / 1000 : n
}

function inRange([month, day, hour, minute, second]: number[]): boolean {
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= 31 && hour! <= 24 && minute! <= 59 && second! <= 60
}

/** The offset in minutes east of UTC; undefined past ±23:59. */
function offsetMinutes(offset: string): number | undefined {
  if (offset.toUpperCase() === 'Z') return 0
  const sign = offset.startsWith('-') ? -1 : 1
  const digits = offset.slice(1).replace(':', '')
  const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')]
  return hours <= 23 && minutes <= 59 ? sign * (hours * 60 + minutes) : undefined
}
