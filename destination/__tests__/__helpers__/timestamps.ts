// toEpochSeconds' table (destination/time.ts): what each input reads as, and what is not a date. The rule's own tests
// (../time.test.ts) and backfill's parity test (backfill/__tests__/parity.test.ts, the same rule in SQL) read it.

// 2019-02-26T16:04:05Z, the workshop generator's start date.
export const T = 1551197045

/** Inputs and the epoch seconds they read as. */
export const READ_AS: Array<[string | number, number]> = [
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
  [String(T * 1000), T],
  // Eight digits are a basic ISO date, not 20,240,925 seconds (1970-08-23).
  ['20240925', Date.UTC(2024, 8, 25) / 1000],
  // 24:00:00 is the end of the day: the next day's midnight.
  ['2019-02-26T24:00:00Z', Date.UTC(2019, 1, 27) / 1000],
  ['1970-01-01T00:00:00Z', 0],
  ['9999-12-31T23:59:59Z', 253402300799],
  [0, 0],
  [99_999_999_999, 99_999_999_999],
  [1e11, 1e8]
]

/** Inputs that are not a date. */
export const NOT_DATES: Array<string | number> = [
  'not a date',
  '',
  '2019-02-30T00:00:00Z',
  '2019-13-01',
  '2019-02-26T25:00:00Z',
  'Feb 26 2019',
  '26/02/2019',
  '-5',
  NaN,
  -1,
  Infinity,
  // Before 1970, which Personalize's epoch seconds cannot say, and Date.UTC's 19xx for the years 0–99.
  '1960-01-01T00:00:00Z',
  '0099-06-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  // After 9999, and epoch numbers past it (1e20 ms is the year 3,170,843).
  1e20,
  '1e20',
  String(2.6e14),
  '2019-02-26T24:30:00Z',
  '2019-02-26T24:00:01Z',
  '2019-02-26T16:04:05+24:00',
  '2019-02-26T16:04:05+05:75'
]
