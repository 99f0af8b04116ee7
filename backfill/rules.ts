// The destination's timestamp and id rules in DuckDB SQL, so that history and live events agree to the row:
// timestamps as destination/time.ts's toEpochSeconds reads them, ids as trackEvent keeps them after the framework's
// coercion (destination/trackEvent/fields.ts, interactions.ts; functions/mapping.ts spells the coercion out).
// backfill/__tests__/parity.test.ts holds both to the JavaScript, input by input.
//
// Each rule is a few subquery layers, each computing a column once from the layer below: DuckDB expands a macro by
// copying its arguments into every place that uses them, and nested rules written as macros took a second to bind.
import { ID_MAX_LENGTH } from '../destination/personalize/limits'
import { LATEST_SECONDS, MILLISECONDS_THRESHOLD } from '../destination/time'

// JavaScript's whitespace (what String.prototype.trim removes and \s matches). RE2's \s has neither \v nor the
// Unicode spaces, and DuckDB's trim() removes spaces only.
const JS_SPACE = String.raw`[\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]`

/**
 * time.ts's ISO_8601 and its digit-string alternative in one RE2 pattern, with the trim around them. The ISO branch
 * comes first so that eight digits are a basic date (20240925); any other run of digits can only match the second.
 */
export const TIMESTAMP_PATTERN =
  `^${JS_SPACE}*(?:(\\d{4})-?(\\d{2})-?(\\d{2})(?:[Tt ](\\d{2}):?(\\d{2})(?::?(\\d{2})(?:[.,](\\d+))?)?)?` +
  `${JS_SPACE}*([Zz]|[+-]\\d{2}(?::?\\d{2})?)?|(\\d+(?:\\.\\d+)?))${JS_SPACE}*$`

// The form Segment's libraries send (2026-03-01T10:00:00.000Z), as JSON text, before an hour of 24 or a second of 60:
// there DuckDB's own cast gives the rule's instant (three fraction digits: no rounding), and RE2 matches without
// capturing several times faster than it extracts groups. Anything else takes TIMESTAMP_PATTERN.
const SEGMENT_FORM = '"\\d{4}-\\d{2}-\\d{2}T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{3})?Z"'

/** `text` as an SQL string literal. */
export const quote = (text: string) => `'${text.replaceAll("'", "''")}'`

/**
 * True where the JSON text `json` is an object, or a list that is not one scalar: as an id, a value the destination
 * refuses the whole event for. False otherwise (NULL stays false).
 */
export function objectOrList(json: string): string {
  return `CASE WHEN starts_with(${json}, '{') THEN true WHEN starts_with(${json}, '[')
            THEN json_array_length(${json}) <> 1 OR json_type(json_extract(${json}, 0)) IN ('OBJECT', 'ARRAY')
            ELSE false END`
}

/** Layers over `from`: each adds columns computed from the one below; the last drops the helpers. */
function layers(from: string, steps: string[][], helpers: string[]): string {
  let sql = from
  for (const columns of steps) sql = `SELECT *, ${columns.join(', ')} FROM (${sql})`
  return `SELECT * EXCLUDE (${helpers.join(', ')}) FROM (${sql})`
}

/**
 * `from` with a column `secs`: toEpochSeconds of the JSON value `json` (NULL where the rule refuses it): a JSON
 * string by time.ts's fromText, a JSON number by its fromEpochNumber, then its bounds.
 */
export function withSeconds(from: string, json: string): string {
  return layers(
    from,
    [
      [`${json} AS ts__j`],
      [`coalesce(regexp_full_match(ts__j, ${quote(SEGMENT_FORM)}), false) AS ts__common`],
      [
        `CASE WHEN ts__common THEN epoch_ms(try_cast(substr(ts__j, 2, length(ts__j) - 3) AS TIMESTAMP)) END AS ts__fast`,
        `CASE WHEN ts__common THEN NULL
        WHEN json_type(ts__j) = 'VARCHAR' THEN regexp_extract(json_extract_string(ts__j, '$'), ${quote(TIMESTAMP_PATTERN)},
          ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z', 'num']) END AS ts__g`,
        // json_type parses the text: not for the common form, which cannot be a number.
        `CASE WHEN ts__common THEN NULL WHEN json_type(ts__j) IN ('BIGINT', 'UBIGINT', 'DOUBLE')
          THEN try_cast(ts__j AS DOUBLE) END AS ts__n`
      ],
      // time.ts fromText's fields; an offset as minutes east of UTC, NULL past ±23:59 (offsetMinutes).
      [
        `CASE WHEN ts__g.y <> '' THEN struct_pack(y := ts__g.y::INTEGER, mo := ts__g.mo::INTEGER, d := ts__g.d::INTEGER,
          h := sp_int(ts__g.h), mi := sp_int(ts__g.mi), s := sp_int(ts__g.s), f := ts__g.f,
          zh := CASE WHEN upper(ts__g.z) IN ('', 'Z') THEN 0 ELSE substr(ts__g.z, 2, 2)::INTEGER END,
          zm := CASE WHEN upper(ts__g.z) IN ('', 'Z') THEN 0 ELSE sp_int(substr(replace(ts__g.z, ':', ''), 4)) END,
          sign := CASE WHEN starts_with(ts__g.z, '-') THEN -1 ELSE 1 END) END AS ts__i`
      ],
      // Date.UTC's arithmetic (hour 24 and second 60 roll over) after fromText's checks, the fraction rounded to
      // milliseconds as Math.round does; or fromEpochNumber: seconds below 1e11, milliseconds from it.
      [
        `CASE
          WHEN ts__fast IS NOT NULL THEN ts__fast / 1000
          WHEN ts__i IS NOT NULL THEN CASE WHEN ts__i.mo BETWEEN 1 AND 12 AND ts__i.d BETWEEN 1 AND 31 AND ts__i.h <= 24
              AND ts__i.mi <= 59 AND ts__i.s <= 60 AND ts__i.zh <= 23 AND ts__i.zm <= 59 AND ts__i.y >= 1969
              AND (ts__i.h < 24 OR (ts__i.mi = 0 AND ts__i.s = 0 AND ltrim(ts__i.f, '0') = ''))
            THEN ((try(make_date(ts__i.y, ts__i.mo, ts__i.d)) - DATE '1970-01-01') * 86400000 + ts__i.h * 3600000
              + ts__i.mi * 60000 + ts__i.s * 1000 + round(('0.' || coalesce(nullif(ts__i.f, ''), '0'))::DOUBLE * 1000)::BIGINT
              - ts__i.sign * (ts__i.zh * 60 + ts__i.zm) * 60000) / 1000 END
          WHEN ts__g.num <> '' THEN sp_epoch_number(try_cast(ts__g.num AS DOUBLE))
          ELSE sp_epoch_number(ts__n)
        END AS ts__s`
      ],
      [`CASE WHEN ts__s BETWEEN 0 AND ${LATEST_SECONDS}::DOUBLE THEN ts__s END AS secs`]
    ],
    ['ts__j', 'ts__common', 'ts__fast', 'ts__g', 'ts__n', 'ts__i', 'ts__s']
  )
}

/**
 * `from` with, for each name → JSON value, the column `<name>`: the text the value becomes as a string field after the
 * framework's coercion (ajv coerceTypes 'array'): text as it is, numbers as JavaScript writes them, booleans as
 * true/false, a list of one scalar as that scalar (of null, ''); NULL when absent or when the value is an object or
 * another list, and then `<name>_invalid` is true (the destination refuses the whole event).
 */
export function withIds(from: string, ids: Record<string, string>): string {
  const names = Object.keys(ids)
  const each = (make: (name: string) => string) => names.map(make)
  // Most ids are strings without escapes: their JSON text without the quotes, without parsing them again.
  const plain = (j: string) => `starts_with(${j}, '"') AND NOT contains(${j}, '\\')`
  return layers(
    from,
    [
      each((n) => `${ids[n]} AS ${n}__j`),
      [
        ...each((n) => `CASE WHEN ${plain(`${n}__j`)} THEN substr(${n}__j, 2, length(${n}__j) - 2) END AS ${n}__plain`),
        ...each(
          (n) => `CASE WHEN ${plain(`${n}__j`)} THEN NULL WHEN NOT starts_with(${n}__j, '[') THEN ${n}__j
            WHEN json_array_length(${n}__j) = 1 THEN json_extract(${n}__j, 0) END AS ${n}__e`
        ),
        ...each((n) => `${objectOrList(`${n}__j`)} AS ${n}_invalid`)
      ],
      each((n) => `json_type(${n}__e) AS ${n}__t`),
      each(
        (n) => `CASE WHEN ${n}__t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN try_cast(${n}__e AS DOUBLE) END AS ${n}__x`
      ),
      // String(x): the shortest digits that read back as x, which DuckDB's DOUBLE to VARCHAR writes too (as d.ddd,
      // d.0 or d.ddde±NN), laid out as JavaScript's Number::toString lays them out.
      each((n) => `abs(${n}__x)::VARCHAR AS ${n}__s`),
      [
        ...each((n) => `split_part(split_part(${n}__s, 'e', 1), '.', 1) AS ${n}__int`),
        ...each((n) => `split_part(split_part(${n}__s, 'e', 1), '.', 2) AS ${n}__frac`),
        ...each((n) => `sp_int(split_part(${n}__s, 'e', 2)) AS ${n}__exp`)
      ],
      [
        ...each((n) => `rtrim(ltrim(${n}__int || ${n}__frac, '0'), '0') AS ${n}__digits`),
        ...each(
          (n) => `length(${n}__int) + ${n}__exp
            - (length(${n}__int || ${n}__frac) - length(ltrim(${n}__int || ${n}__frac, '0'))) AS ${n}__point`
        )
      ],
      each(
        (n) => `CASE
          WHEN ${n}__plain IS NOT NULL THEN ${n}__plain
          WHEN ${n}__t IN ('VARCHAR', 'BOOLEAN') THEN json_extract_string(${n}__e, '$')
          WHEN ${n}__t = 'NULL' THEN ''
          WHEN ${n}__x IS NOT NULL THEN CASE
            WHEN isnan(${n}__x) THEN 'NaN'
            WHEN isinf(${n}__x) THEN CASE WHEN ${n}__x > 0 THEN 'Infinity' ELSE '-Infinity' END
            WHEN ${n}__x = 0 THEN '0'
            WHEN ${n}__x = trunc(${n}__x) AND abs(${n}__x) < 9007199254740992 THEN ${n}__x::BIGINT::VARCHAR
            ELSE CASE WHEN ${n}__x < 0 THEN '-' ELSE '' END || sp_js_layout(${n}__digits, ${n}__point) END
        END AS ${n}`
      )
    ],
    names.flatMap((n) =>
      ['j', 'plain', 'e', 't', 'x', 's', 'int', 'frac', 'exp', 'digits', 'point'].map((h) => `${n}__${h}`)
    )
  )
}

/** The macros withSeconds and withIds use, and sp_too_long, created once per connection. */
export const MACROS = `
  CREATE OR REPLACE TEMP MACRO sp_int(t) AS coalesce(nullif(t, ''), '0')::INTEGER;
  CREATE OR REPLACE TEMP MACRO sp_epoch_number(x) AS
    CASE WHEN isfinite(x) AND x >= 0 THEN CASE WHEN x >= ${MILLISECONDS_THRESHOLD} THEN x / 1000 ELSE x END END;
  -- Number::toString's layout of the digits d1…dk of a number d1.d2…dk × 10^(n-1).
  CREATE OR REPLACE TEMP MACRO sp_js_layout(digits, n) AS CASE
    WHEN length(digits) <= n AND n <= 21 THEN digits || repeat('0', n - length(digits))
    WHEN 0 < n AND n <= 21 THEN left(digits, n) || '.' || substr(digits, n + 1)
    WHEN -6 < n AND n <= 0 THEN '0.' || repeat('0', -n) || digits
    ELSE left(digits, 1) || CASE WHEN length(digits) > 1 THEN '.' || substr(digits, 2) ELSE '' END
      || 'e' || CASE WHEN n >= 1 THEN '+' ELSE '-' END || abs(n - 1)::VARCHAR
  END;
  -- Personalize's id limit in UTF-16 code units, as JavaScript counts them (DuckDB's length() counts code points).
  CREATE OR REPLACE TEMP MACRO sp_too_long(t) AS CASE WHEN strlen(t) > ${ID_MAX_LENGTH}
    THEN length(t) + length(regexp_replace(t, '[^\\x{10000}-\\x{10FFFF}]', '', 'g')) > ${ID_MAX_LENGTH} ELSE false END;
`
