// npm run bench -- backfill
// The backfill over about 2 GB of uncompressed segment-logs (generated once, then reused from the temp folder), and,
// in the same run, the bare DuckDB query that only filters and maps the same logs to interactions (read_ndjson,
// the allowlist, the item-id rule and products[] fan-out, COPY to CSV), and a single-threaded Node loop that gunzips
// each file, JSON.parses each line and does the same filtering and mapping.
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { DuckDBInstance } from '@duckdb/node-api'
import { backfill, DEFAULT_EVENTS } from '../backfill/backfill'
import { logFiles } from '../backfill/files'
import { parseDay } from '../generators/calendar'
import { DEFAULTS } from '../generators/model'
import { replayToFiles } from '../generators/replay'
import { defaultSource, SOURCE_NAMES } from '../generators/sources'
import { measure } from './destination'

const DAYS = Number(process.env.BENCH_DAYS ?? 75)
const LOGS = path.join(os.tmpdir(), `segment-personalize-bench-logs-${DAYS}`)

async function logs(): Promise<string> {
  if (existsSync(path.join(LOGS, 'complete'))) return LOGS
  rmSync(LOGS, { recursive: true, force: true })
  const from = parseDay('from', '2026-06-01')
  const sources = SOURCE_NAMES.map(defaultSource)
  await replayToFiles({ ...DEFAULTS, sources, from, to: from + DAYS - 1 }, LOGS, () => undefined)
  writeFileSync(path.join(LOGS, 'complete'), '')
  return LOGS
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`

async function bareQuery(files: string[], out: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  const events = DEFAULT_EVENTS.map(quote).join(', ')
  await connection.run(`COPY (
    WITH m AS (SELECT userId, event, "timestamp", properties FROM read_ndjson([${files.map(quote).join(', ')}],
      columns={userId: 'VARCHAR', event: 'VARCHAR', "timestamp": 'TIMESTAMPTZ',
        properties: 'STRUCT(product_id VARCHAR, sku VARCHAR, products STRUCT(product_id VARCHAR, sku VARCHAR)[])'})
      WHERE event IN (${events}) AND userId IS NOT NULL),
    rows AS (SELECT userId, event, "timestamp", unnest(CASE WHEN len(coalesce(properties.products, [])) > 0
      THEN properties.products ELSE [struct_pack(product_id := properties.product_id, sku := properties.sku)] END) AS p FROM m)
    SELECT userId AS USER_ID, coalesce(p.product_id, p.sku) AS ITEM_ID, event AS EVENT_TYPE, epoch("timestamp")::BIGINT AS "TIMESTAMP"
    FROM rows WHERE coalesce(p.product_id, p.sku) IS NOT NULL) TO ${quote(out)} (FORMAT csv, HEADER)`)
  const { n } = (
    await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_csv(${quote(out)})`)
  ).getRowObjectsJson()[0] as { n: number }
  connection.closeSync()
  return n
}

interface Line {
  event?: string
  userId?: string
  timestamp?: string
  properties?: { product_id?: string; sku?: string; products?: Array<{ product_id?: string; sku?: string }> }
}

/** One thread: gunzip, JSON.parse every line, filter and map, write CSV. Returns [rows written, bytes read]. */
async function jsonParseLoop(files: string[], out: string): Promise<[number, number]> {
  const allowed = new Set(DEFAULT_EVENTS)
  const csv = createWriteStream(out)
  csv.write('USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\n')
  let rows = 0
  let bytes = 0
  for (const file of files) {
    const text = gunzipSync(readFileSync(file)).toString()
    bytes += text.length
    const chunk: string[] = []
    for (const raw of text.split('\n')) {
      if (raw === '') continue
      const line = JSON.parse(raw) as Line
      if (!line.userId || !line.event || !allowed.has(line.event) || !line.timestamp) continue
      const seconds = Math.floor(Date.parse(line.timestamp) / 1000)
      const products = line.properties?.products?.length ? line.properties.products : [line.properties ?? {}]
      for (const product of products) {
        const item = product.product_id ?? product.sku
        if (item) chunk.push(`${line.userId},${item},${line.event},${seconds}\n`)
      }
    }
    rows += chunk.length
    if (!csv.write(chunk.join(''))) await new Promise<void>((resolve) => csv.once('drain', () => resolve()))
  }
  await new Promise<void>((resolve) => csv.end(() => resolve()))
  return [rows, bytes]
}

export async function benchBackfill(): Promise<void> {
  const input = await logs()
  const files = await logFiles(input)
  const out = mkdtempSync(path.join(os.tmpdir(), 'backfill-bench-'))
  try {
    let report: Awaited<ReturnType<typeof backfill>> | undefined
    const full = await measure(async () => {
      report = await backfill({ input, out: path.join(out, 'backfill') })
    })
    let bareRows = 0
    const bare = await measure(async () => {
      bareRows = await bareQuery(files, path.join(out, 'bare.csv'))
    })
    let loop: [number, number] = [0, 0]
    const node = await measure(async () => {
      loop = await jsonParseLoop(files, path.join(out, 'loop.csv'))
    })
    const [loopRows, bytes] = loop
    const mb = bytes / 1e6
    const lines = report!.linesRead
    console.log('\n## backfill\n')
    console.log(
      `input: ${files.length} files, ${lines} lines, ${mb.toFixed(0)} MB uncompressed (${DAYS} generated days, default model)`
    )
    console.log('\n| path | interactions written | wall s | lines/s | MB/s | CPU s |')
    console.log('| --- | --- | --- | --- | --- | --- |')
    const row = (name: string, rows: number, run: { seconds: number; cpuMicros: number }) =>
      console.log(
        `| ${name} | ${rows} | ${run.seconds.toFixed(2)} | ${Math.round(lines / run.seconds)} | ${(mb / run.seconds).toFixed(0)} | ${(run.cpuMicros / 1e6).toFixed(1)} |`
      )
    row('backfill (interactions, users, items, skipped, report)', report!.interactions, full)
    row('bare DuckDB query (filter and map only)', bareRows, bare)
    row('Node JSON.parse loop, one thread', loopRows, node)
    console.log(`\nbackfill / bare query: ${(full.seconds / bare.seconds).toFixed(2)}× the time (target ≤ 1.3×)`)
    console.log(`JSON.parse loop / backfill: ${(node.seconds / full.seconds).toFixed(2)}× the time (target ≥ 2×)`)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}
