// Days and times, all in UTC. A day is a whole number of days since 1970-01-01, so nothing here reads the host's
// time zone (the workshop's generator shifted every event by it: ../docs/generator.md#what-changed).
import { cumulative, type Random } from './random'

export const DAY_MS = 86_400_000

export class DateError extends RangeError {}

/** `YYYY-MM-DD` → day number; anything else, or a date that does not exist (2026-02-30), is a DateError. */
export function parseDay(flag: string, text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text)
    throw new DateError(`--${flag} must be a date as YYYY-MM-DD (UTC), not "${text}"`)
  return ms / DAY_MS
}

export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** The UTC day a moment falls on. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS)
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'))
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'))

/**
 * `Date.prototype.toISOString` for the generator's hot path (four timestamps per event), several times faster: the
 * date and time up to the minute are formatted once per minute. The output is identical (a test compares them).
 */
export function isoTime(ms: number): string {
  const minute = Math.floor(ms / 60_000)
  if (minute !== cachedMinute) {
    cachedMinute = minute
    cachedPrefix = new Date(minute * 60_000).toISOString().slice(0, 17)
  }
  return cachedPrefix + secondsAndMillis(ms - minute * 60_000)
}
let cachedMinute = NaN
let cachedPrefix = ''

/** `SS.mmmZ` for a number of milliseconds into the minute. */
function secondsAndMillis(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  return `${TWO_DIGITS[seconds]!}.${THREE_DIGITS[ms - seconds * 1000]!}Z`
}

// How shopping traffic spreads over a day in the shopper's own time zone, by hour (00-01 … 23-24): quiet at night,
// a morning rise, a lunch bump and the evening peak that e-commerce sites see.
const LOCAL_HOURS = cumulative([
  1.2, 0.8, 0.5, 0.4, 0.4, 0.6, 1.2, 2.2, 3.2, 3.8, 4.2, 4.6, 5.2, 5.0, 4.6, 4.5, 4.7, 5.2, 6.0, 6.9, 7.4, 7.0, 5.2, 2.8
])

/**
 * A moment on `day` (UTC) for a shopper whose clock is `offsetMinutes` from UTC, drawn from the daily traffic curve in
 * their local time.
 */
export function momentOn(day: number, offsetMinutes: number, random: Random): number {
  const local = (random.weighted(LOCAL_HOURS) + random.float()) * 3_600_000
  const utc = (((local - offsetMinutes * 60_000) % DAY_MS) + DAY_MS) % DAY_MS
  return day * DAY_MS + Math.floor(utc)
}
