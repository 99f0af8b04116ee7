// The timestamp rule does not depend on the host's time zone. jest sandboxes process.env, so setting TZ inside a test
// changes nothing: each zone gets its own process, which prints what it read.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { T } from '../destination/__tests__/__helpers__/timestamps'

const root = path.join(__dirname, '..')

// Offset-less, in every form the rule reads: UTC by the rule, local time to Date.parse and to DuckDB's default.
const INPUTS = ['2019-02-26T16:04:05', '2019-02-26 16:04:05.5', '2019-02-26', '20190226T160405', '2019-07-01T00:30']

function fixture(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'timezone-'))
  const file = path.join(dir, 'segment-logs', 'SOURCE1', '1551139200000', 'a.ndjson')
  mkdirSync(path.dirname(file), { recursive: true })
  const line = (timestamp: string, i: number) =>
    JSON.stringify({
      type: 'track',
      event: 'Product Viewed',
      messageId: `m-${i}`,
      userId: `user-${i}`,
      timestamp,
      properties: { product_id: 'p-1' }
    })
  writeFileSync(file, INPUTS.map(line).join('\n'))
  return dir
}

const script = (input: string) => `
  const { readFileSync } = require('node:fs')
  const path = require('node:path')
  const { DuckDBInstance } = require('@duckdb/node-api')
  const { toEpochSeconds } = require(${JSON.stringify(path.join(root, 'destination', 'time.ts'))})
  const { backfill } = require(${JSON.stringify(path.join(root, 'backfill', 'backfill.ts'))})
  ;(async () => {
    const inputs = ${JSON.stringify(INPUTS)}
    // What a fresh DuckDB would do (its TimeZone setting follows the host), to show the zones really differ.
    const duckdb = await (await DuckDBInstance.create(':memory:')).connect()
    const cast = (await duckdb.runAndReadAll(
      "SELECT epoch(try_cast('2019-02-26 16:04:05' AS TIMESTAMPTZ))::BIGINT AS s")).getRowObjectsJson()[0].s
    // Beside the logs, not inside them: the three zones run at once, and backfill reads every file under its input.
    const out = ${JSON.stringify(input)} + '-out-' + process.env.TZ.replace('/', '-')
    await backfill({ input: ${JSON.stringify(input)}, out })
    const csv = readFileSync(path.join(out, 'interactions.csv'), 'utf8').trim().split('\\n').slice(1).sort()
    console.log(JSON.stringify({
      offset: new Date(2019, 1, 26).getTimezoneOffset(),
      dateParse: Date.parse(inputs[0]) / 1000,
      duckdbCast: String(cast),
      rule: inputs.map(toEpochSeconds),
      backfill: csv
    }))
  })()`

test('toEpochSeconds and the backfill read offset-less times as UTC in every host zone', async () => {
  const input = fixture()
  const run = async (tz: string) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script(input)], {
      env: { ...process.env, TZ: tz },
      cwd: root
    })
    return JSON.parse(stdout) as {
      offset: number
      dateParse: number
      duckdbCast: string
      rule: number[]
      backfill: string[]
    }
  }
  const [losAngeles, kolkata, utc] = await Promise.all([run('America/Los_Angeles'), run('Asia/Kolkata'), run('UTC')])
  // The hosts really were in different zones, and what reads the host's zone shows it…
  expect([losAngeles.offset, kolkata.offset, utc.offset]).toEqual([480, -330, 0])
  expect([losAngeles.dateParse - utc.dateParse, kolkata.dateParse - utc.dateParse]).toEqual([8 * 3600, -5.5 * 3600])
  expect(new Set([losAngeles.duckdbCast, kolkata.duckdbCast, utc.duckdbCast]).size).toBe(3)
  // …while the rule and the backfill read UTC in all three.
  expect(utc.rule).toEqual([T, T + 0.5, Date.UTC(2019, 1, 26) / 1000, T, Date.UTC(2019, 6, 1, 0, 30) / 1000])
  expect(losAngeles.rule).toEqual(utc.rule)
  expect(kolkata.rule).toEqual(utc.rule)
  const expected = utc.rule.map((seconds, i) => `user-${i},p-1,Product Viewed,${Math.floor(seconds)}`).sort()
  expect(utc.backfill).toEqual(expected)
  expect(losAngeles.backfill).toEqual(expected)
  expect(kolkata.backfill).toEqual(expected)
}, 60_000)
