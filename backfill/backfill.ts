// `segment-personalize backfill`: Segment history → the CSVs Personalize imports, with DuckDB. One read of the logs
// into a typed table (read_ndjson parses in parallel and straight into columns), then SQL over that table for
// interactions, users, items, the skipped lines and the report. The same SQL runs on Athena, Redshift, Snowflake and
// Spark for larger histories: docs/backfill.md.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { ID_MAX_LENGTH } from '../destination/personalize/limits'
import { checkGzipFiles, logFiles, type GzipProblem } from './files'
import { MACROS, objectOrList, quote, withIds, withSeconds } from './rules'
import { columnName, interactionsSchema, itemsSchema, usersSchema } from './schemas'

/** The product events the destination's presets send (destination/presets.ts). */
export const DEFAULT_EVENTS = ['Product Viewed', 'Product Clicked', 'Product Added', 'Order Completed']

// Traits that identify a person rather than describe them: never user metadata.
const PERSONAL_TRAITS = new Set([
  'email',
  'first_name',
  'last_name',
  'name',
  'firstname',
  'lastname',
  'phone',
  'address',
  'ip',
  'username',
  'createdat',
  'birthday'
])

// A trait becomes a Users column when at least this share of users has it.
const TRAIT_COVERAGE = 0.5

export interface BackfillOptions {
  input: string
  out: string
  /** Track events that become interactions, matched without regard to case (default: the presets' product events). */
  events?: string[]
  /** Events without a userId: dropped (default), or kept with the anonymousId as USER_ID. */
  anonymous?: 'drop' | 'keep'
  /** Show DuckDB's progress bar (on a terminal). */
  progress?: boolean
  /** Inflate every .gz file to check it, even when the logs read cleanly (finds a file cut exactly at a line end). */
  verifyGzip?: boolean
}

export interface Report {
  files: number
  linesRead: number
  interactions: number
  skipped: Record<string, number>
  /** Kept events whose name differed from the allowlist's only in case. */
  renamedEvents: number
  users: number
  items: number
  userColumns: string[]
  span?: { from: string; to: string }
  /** Users with two or more interactions, and whether Personalize's training minimums are met. */
  usersWithTwo: number
  minimumsMet: boolean
  outputs: string[]
}

export class BackfillError extends Error {
  override name = 'BackfillError'
}

const list = (items: string[]) => `[${items.map(quote).join(', ')}]`

// The columns read from each line. Anything a line does not have is NULL; a line that is not JSON is all NULL. Ids
// and timestamps are read as JSON, so that their JSON type decides as it does in the destination (rules.ts).
const PRODUCT = 'product_id JSON, sku JSON, name VARCHAR, category VARCHAR, brand VARCHAR, price DOUBLE'
const COLUMNS = `{type: 'VARCHAR', event: 'VARCHAR', userId: 'JSON', anonymousId: 'JSON', messageId: 'VARCHAR',
  "timestamp": 'JSON', originalTimestamp: 'JSON', receivedAt: 'JSON',
  properties: 'STRUCT(${PRODUCT}, value DOUBLE, products STRUCT(${PRODUCT})[])', traits: 'JSON'}`

/**
 * Loads the logs. Clean logs are read once, strictly: any line that is not JSON, or a gzip file that ends in the
 * middle of a line, fails that read. Then (or with verifyGzip) every .gz file is inflated to find the damaged ones
 * (DuckDB reads a truncated file up to the break without a word, and fails on one that is not gzip at all) and the
 * logs are read again, forgivingly, without the unreadable files, each bad line becoming a row of NULLs to report.
 */
async function loadAll(
  connection: DuckDBConnection,
  files: string[],
  verifyGzip: boolean,
  settings: Settings
): Promise<GzipProblem[]> {
  if (!verifyGzip) {
    try {
      await load(connection, files, true, settings)
      return []
    } catch {
      // Something is wrong somewhere: the careful way below says what.
    }
  }
  const problems = await checkGzipFiles(files)
  const corrupt = new Set(problems.filter((p) => p.kind === 'corrupt').map((p) => p.file))
  try {
    await load(
      connection,
      files.filter((file) => !corrupt.has(file)),
      false,
      settings
    )
  } catch (error) {
    throw new BackfillError(`DuckDB could not read the logs: ${(error as Error).message}`)
  }
  return problems
}

async function load(connection: DuckDBConnection, files: string[], strict: boolean, settings: Settings): Promise<void> {
  // The first of timestamp, originalTimestamp and receivedAt that is there, read by toEpochSeconds' rule; ids as the
  // text the destination would send (NULL when absent or empty), and whether they make the event invalid.
  const read = `SELECT filename AS file, type, event, userId AS userIdJson, anonymousId AS anonymousIdJson, messageId,
      coalesce("timestamp", originalTimestamp, receivedAt) AS timestampJson, properties, traits,
      (type IS NULL AND messageId IS NULL AND event IS NULL AND userId IS NULL AND anonymousId IS NULL) AS unreadable
    FROM read_ndjson(${list(files)}, columns=${COLUMNS}, ignore_errors=${!strict}, filename=true,
      maximum_object_size=33554432)`
  // The anonymousId is an id only with --anonymous keep.
  const keep = settings.anonymous === 'keep'
  const ids: Record<string, string> = keep
    ? { userId: 'userIdJson', anonymousId: 'anonymousIdJson' }
    : { userId: 'userIdJson' }
  const source = `SELECT file, type, event, nullif(userId, '') AS userId, userId_invalid AS user_invalid,
      ${keep ? "nullif(anonymousId, '') AS anonymousId, anonymousId_invalid AS anonymous_invalid," : ''} messageId, secs,
      to_timestamp(secs) AS ts, properties, traits, unreadable
    FROM (${withIds(withSeconds(read, 'timestampJson'), ids)})`
  await connection.run(classify(source, settings))
  // Replays repeat messageIds: all but the first one read of each are skipped. Only the ids seen more than once are
  // ranked, so clean logs cost one hash aggregate.
  await connection.run(`UPDATE classified SET reason = 'duplicate messageId (a replay)' WHERE rowid IN (
    SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY messageId ORDER BY rowid) AS n FROM classified
      WHERE messageId IN (SELECT messageId FROM classified WHERE messageId IS NOT NULL GROUP BY messageId HAVING count(*) > 1))
    WHERE n > 1)`)
  await connection.run(PARTS)
  // The item rules, on the parts: an object or a list as an item id makes the destination refuse the whole event; an
  // event none of whose parts has a usable id is not an interaction. Only messages with a part that is invalid or
  // unusable can be refused: the others (nearly all) skip the aggregate.
  await connection.run(`CREATE OR REPLACE TEMP TABLE refused AS SELECT message, CASE
      WHEN bool_or(invalid) THEN 'product_id or sku is an object or a list'
      WHEN NOT bool_or(item IS NOT NULL) THEN 'no product_id or sku'
      WHEN NOT bool_or(usable) THEN 'product_id or sku over ${ID_MAX_LENGTH} characters' END AS reason
    FROM parts WHERE message IN (SELECT message FROM parts WHERE invalid OR NOT usable)
    GROUP BY message HAVING bool_or(invalid) OR NOT bool_or(usable)`)
  await connection.run(
    'UPDATE classified SET reason = refused.reason FROM refused WHERE classified.rowid = refused.message'
  )
}

/** Why each message is not an interaction (NULL: it is one), first reason first. */
type Settings = Required<Pick<BackfillOptions, 'events' | 'anonymous'>>

/** The messages with why each is not an interaction (NULL: it is one), first reason first. */
function classify(source: string, options: Settings): string {
  const allow = options.events.map((event) => `(${quote(event.toLowerCase())}, ${quote(event)})`).join(', ')
  const keep = options.anonymous === 'keep'
  const user = keep ? 'coalesce(m.userId, m.anonymousId)' : 'm.userId'
  // The event's own item id, which the destination checks even when products[] gives the interactions (the parts
  // check the rest).
  const item = 'coalesce(m.properties.product_id, m.properties.sku)'
  return `CREATE OR REPLACE TEMP TABLE classified AS
    WITH allow(key, name) AS (VALUES ${allow})
    SELECT m.file, m.type, m.event, m.userId, m.messageId, m.ts, m.secs, m.properties, m.traits,
      CASE
        WHEN m.unreadable THEN 'not JSON, or not a Segment message'
        WHEN m.type IS DISTINCT FROM 'track' THEN 'not a track event'
        WHEN allow.name IS NULL THEN 'event not in the allowlist'
        WHEN m.user_invalid THEN 'userId is an object or a list'
        ${keep ? "WHEN m.userId IS NULL AND m.anonymous_invalid THEN 'anonymousId is an object or a list'" : ''}
        WHEN ${user} IS NULL THEN ${keep ? "'no userId or anonymousId'" : "'no userId'"}
        WHEN sp_too_long(${user}) THEN 'userId over ${ID_MAX_LENGTH} characters'
        WHEN lower(${user}) IN ('null', 'undefined') THEN 'userId is "null" or "undefined"'
        WHEN m.secs IS NULL THEN 'timestamp missing, not ISO-8601 or epoch time, or out of range'
        WHEN len(coalesce(m.properties.products, [])) > 0 AND ${objectOrList(item)}
          THEN 'product_id or sku is an object or a list'
      END AS reason,
      ${user} AS user_key,
      allow.name AS event_type
    FROM (${source}) m LEFT JOIN allow ON lower(m.event) = allow.key`
}

// The items of each message that passed the other rules: its own product, or one per element of products[], each
// with its id as the destination reads it (product_id when it is there, even "", else sku).
const PARTS = `CREATE OR REPLACE TEMP TABLE parts AS
  WITH listed AS (
    SELECT rowid AS message, user_key, event_type, event, ts, secs, properties.value AS value,
      CASE WHEN len(coalesce(properties.products, [])) > 0 THEN properties.products
        ELSE [struct_pack(product_id := properties.product_id, sku := properties.sku, name := properties.name,
          category := properties.category, brand := properties.brand, price := properties.price)] END AS list
    FROM classified WHERE reason IS NULL
  ), rows AS (SELECT * EXCLUDE (list), unnest(list) AS p FROM listed)
  SELECT * EXCLUDE (item, item_invalid), item_invalid AS invalid, nullif(item, '') AS item,
    CASE WHEN nullif(item, '') IS NULL THEN false ELSE NOT sp_too_long(item) END AS usable
  FROM (${withIds('SELECT * FROM rows', { item: 'coalesce(p.product_id, p.sku)' })})`

// One row per interaction: each usable part of the messages the item rules did not refuse, as the destination's
// trackEvent sends them (parts without a usable id are left out). A view: a filter over parts costs less than a copy.
const INTERACTIONS = `CREATE OR REPLACE TEMP VIEW interactions AS
  SELECT user_key AS USER_ID, item AS ITEM_ID, event_type AS EVENT_TYPE, floor(secs)::BIGINT AS "TIMESTAMP",
    value AS EVENT_VALUE, event, ts, p.name AS name, p.category AS category, p.brand AS brand, p.price AS price
  FROM parts WHERE usable AND message NOT IN (SELECT message FROM refused)`

async function rows<T>(connection: DuckDBConnection, sql: string): Promise<T[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as T[]
}

async function one<T>(connection: DuckDBConnection, sql: string): Promise<T> {
  return (await rows<T>(connection, sql))[0]!
}

/** The traits most users have (scalar ones, not personal), as Users columns. */
async function traitColumns(
  connection: DuckDBConnection
): Promise<Array<{ trait: string; name: string; numeric: boolean }>> {
  const found = await rows<{ trait: string; users: number; numeric: boolean; total: number }>(
    connection,
    `WITH latest AS (SELECT userId, arg_max(traits, coalesce(ts, TIMESTAMPTZ '1970-01-01 00:00:00+00')) AS traits FROM classified
        WHERE type = 'identify' AND userId IS NOT NULL AND traits IS NOT NULL AND reason IS DISTINCT FROM 'duplicate messageId (a replay)'
        GROUP BY userId),
      keyed AS (SELECT userId, unnest(json_keys(traits)) AS trait, traits FROM latest)
    SELECT trait, count(*)::INTEGER AS users,
      bool_and(json_type(traits, '$."' || replace(trait, '"', '') || '"') IN ('BIGINT', 'UBIGINT', 'DOUBLE')) AS numeric,
      (SELECT count(*) FROM latest)::INTEGER AS total
    FROM keyed
    WHERE json_type(traits, '$."' || replace(trait, '"', '') || '"') IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN')
    GROUP BY trait ORDER BY trait`
  )
  const columns = new Map<string, { trait: string; name: string; numeric: boolean }>()
  for (const { trait, users, numeric, total } of found) {
    const name = columnName(trait)
    if (
      trait.includes('"') ||
      users < total * TRAIT_COVERAGE ||
      PERSONAL_TRAITS.has(trait.toLowerCase().replace(/[^a-z]/g, '')) ||
      columns.has(name)
    )
      continue
    columns.set(name, { trait, name, numeric })
  }
  return [...columns.values()]
}

async function copy(connection: DuckDBConnection, query: string, file: string): Promise<void> {
  await connection.run(`COPY (${query}) TO ${quote(file)} (FORMAT csv, HEADER)`)
}

/** Runs the backfill. Outputs are written to temporary names and renamed together at the end. */
export async function backfill(options: BackfillOptions): Promise<Report> {
  const files = await logFiles(options.input).catch((error: NodeJS.ErrnoException) => {
    throw new BackfillError(
      `Cannot read --input ${options.input}: ${error.code === 'ENOENT' ? 'no such folder' : error.message}`
    )
  })
  if (files.length === 0)
    throw new BackfillError(
      `No Segment logs under ${options.input}: looked for segment-logs/**/*.gz, *.json and *.ndjson`
    )
  const settings = { events: options.events ?? DEFAULT_EVENTS, anonymous: options.anonymous ?? 'drop' }
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  // Offset-less times are UTC in the rule; nothing else should read the host's zone either.
  await connection.run(`SET TimeZone = 'UTC'; ${MACROS}`)
  if (options.progress) await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = true')
  const problems = await loadAll(connection, files, options.verifyGzip ?? false, settings)
  await connection.run(INTERACTIONS)
  const userColumns = await traitColumns(connection)

  const { withValue } = await one<{ withValue: boolean }>(
    connection,
    'SELECT count(EVENT_VALUE) > 0 AS withValue FROM interactions'
  )
  const outputs = {
    interactions: path.join(options.out, 'interactions.csv'),
    users: path.join(options.out, 'users.csv'),
    items: path.join(options.out, 'items.csv'),
    skipped: path.join(options.out, 'skipped.csv')
  }
  const partial = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.partial`)
  await mkdir(options.out, { recursive: true }).catch((error: Error) => {
    throw new BackfillError(`Cannot write --out ${options.out}: ${error.message}`)
  })
  try {
    await copy(
      connection,
      `SELECT USER_ID, ITEM_ID, EVENT_TYPE, "TIMESTAMP"${withValue ? ', EVENT_VALUE' : ''} FROM interactions`,
      partial(outputs.interactions)
    )
    const traitSelect = userColumns
      .map(({ trait, name, numeric }) => {
        const value = `json_extract_string(traits, '$."${trait.replaceAll("'", "''")}"')`
        return `${numeric ? `try_cast(${value} AS DOUBLE)` : `left(${value}, 1000)`} AS ${name}`
      })
      .join(', ')
    await copy(
      connection,
      `SELECT userId AS USER_ID${traitSelect ? `, ${traitSelect}` : ''} FROM (SELECT userId, arg_max(traits, coalesce(ts, TIMESTAMPTZ '1970-01-01 00:00:00+00')) AS traits FROM classified
        WHERE type = 'identify' AND userId IS NOT NULL AND NOT sp_too_long(userId)
          AND reason IS DISTINCT FROM 'duplicate messageId (a replay)' GROUP BY userId) ORDER BY USER_ID`,
      partial(outputs.users)
    )
    await copy(
      connection,
      `SELECT ITEM_ID, arg_max(name, ts) AS NAME, arg_max(category, ts) AS CATEGORY, arg_max(brand, ts) AS BRAND,
        arg_max(price, ts) AS PRICE FROM interactions GROUP BY ITEM_ID ORDER BY ITEM_ID`,
      partial(outputs.items)
    )
    await copy(
      connection,
      `SELECT file AS FILE, messageId AS MESSAGE_ID, type AS TYPE, event AS EVENT, reason AS REASON FROM classified
        WHERE reason IS NOT NULL AND NOT (type = 'identify' AND reason = 'not a track event')
       UNION ALL SELECT * FROM (VALUES ${
         problems.length > 0
           ? problems
               .map((p) => `(${quote(p.file)}, NULL, NULL, NULL, ${quote(`${p.kind} gzip file: ${p.detail}`)})`)
               .join(', ')
           : '(NULL, NULL, NULL, NULL, NULL)'
       }) WHERE col0 IS NOT NULL`,
      partial(outputs.skipped)
    )
    await writeFile(partial(path.join(options.out, 'interactions-schema.json')), interactionsSchema(withValue))
    await writeFile(partial(path.join(options.out, 'users-schema.json')), usersSchema(userColumns))
    await writeFile(partial(path.join(options.out, 'items-schema.json')), itemsSchema())
  } catch (error) {
    const written = [
      ...Object.values(outputs),
      ...['interactions', 'users', 'items'].map((n) => path.join(options.out, `${n}-schema.json`))
    ]
    await Promise.all(written.map((file) => rm(partial(file), { force: true })))
    throw new BackfillError(`Cannot write --out ${options.out}: ${(error as Error).message}`)
  }
  const finals = [
    ...Object.values(outputs),
    ...['interactions', 'users', 'items'].map((name) => path.join(options.out, `${name}-schema.json`))
  ]
  for (const file of finals) await rename(partial(file), file)
  const report = await summarize(
    connection,
    files.length,
    problems,
    userColumns.map((c) => c.name)
  )
  connection.closeSync()
  return { ...report, outputs: finals }
}

async function summarize(
  connection: DuckDBConnection,
  files: number,
  problems: GzipProblem[],
  userColumns: string[]
): Promise<Omit<Report, 'outputs'>> {
  const skipped: Record<string, number> = {}
  for (const { reason, n } of await rows<{ reason: string; n: number }>(
    connection,
    `SELECT reason, count(*)::INTEGER AS n FROM classified WHERE reason IS NOT NULL
      AND NOT (type = 'identify' AND reason = 'not a track event') GROUP BY reason ORDER BY n DESC`
  ))
    skipped[reason] = n
  for (const problem of problems) skipped[`${problem.kind} gzip file`] = (skipped[`${problem.kind} gzip file`] ?? 0) + 1
  const totals = await one<{
    lines: number
    interactions: number
    users: number
    items: number
    renamed: number
    usersWithTwo: number
    from: string | null
    to: string | null
    identified: number
  }>(
    connection,
    `SELECT (SELECT count(*) FROM classified)::INTEGER AS lines,
      (SELECT count(*) FROM interactions)::INTEGER AS interactions,
      (SELECT count(DISTINCT USER_ID) FROM interactions)::INTEGER AS users,
      (SELECT count(DISTINCT ITEM_ID) FROM interactions)::INTEGER AS items,
      (SELECT count(*) FROM interactions WHERE event <> EVENT_TYPE)::INTEGER AS renamed,
      (SELECT count(*) FROM (SELECT USER_ID FROM interactions GROUP BY USER_ID HAVING count(*) >= 2))::INTEGER AS usersWithTwo,
      (SELECT strftime(min(ts) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') FROM interactions) AS "from",
      (SELECT strftime(max(ts) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') FROM interactions) AS "to",
      (SELECT count(DISTINCT userId) FROM classified WHERE type = 'identify' AND userId IS NOT NULL)::INTEGER AS identified`
  )
  return {
    files,
    linesRead: totals.lines + problems.filter((p) => p.kind === 'truncated').length,
    interactions: totals.interactions,
    skipped,
    renamedEvents: totals.renamed,
    users: totals.identified,
    items: totals.items,
    userColumns,
    span: totals.from && totals.to ? { from: totals.from, to: totals.to } : undefined,
    usersWithTwo: totals.usersWithTwo,
    // Personalize trains on at least 1,000 interactions from at least 25 users with two or more each.
    minimumsMet: totals.interactions >= 1000 && totals.usersWithTwo >= 25
  }
}
