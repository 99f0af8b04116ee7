// Durable means durable: what the Tracking API acknowledged (200) is read back after a restart, on a disk that fills
// up (short writes, then ENOSPC), whose fsync fails, or that is really full (a tmpfs); what it answered 5xx is not
// stored; a torn gzip member anywhere in a log is skipped and reported, and the members after it are read; the logs
// stay readable by the backfill.
import { appendFileSync, readdirSync, readFileSync, writeFileSync, mkdirSync, mkdtempSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { backfill } from '../../../backfill/backfill'
import { canMountTmpfs, fillBut, fullDisk, onTinyFileSystem, type FullDisk } from '../../__tests__/fullDisk'
import { LogStore, readLog, type StoredMessage } from '../logStore'
import { createSegmentEmulator } from '../server'

const WEB = { name: 'web', writeKey: 'webWriteKey0123456789', sourceId: 'WEBSOURCE1' }
const temporary = () => mkdtempSync(path.join(os.tmpdir(), 'segment-durable-'))

const track = (url: string, n: number, padding = 0) =>
  fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${WEB.writeKey}:`).toString('base64')}`
    },
    body: JSON.stringify({
      userId: `user-${n % 7}`,
      event: 'Product Viewed',
      messageId: `m-${n}`,
      // Random bytes do not compress: each request takes about `padding` bytes on disk.
      properties: { product_id: `p-${n % 5}`, padding: randomBytes(padding).toString('base64') }
    })
  }).then((res) => res.status)

/** What a restart reads back: the stored messageIds, and the log's stats. */
function restart(dir: string) {
  const warnings: string[] = []
  const logs = new LogStore(dir, (warning) => warnings.push(warning))
  const ids = [...logs.stored()].map((message) => message.messageId)
  return { ids, stats: logs.stats, warnings }
}

const gzFiles = (dir: string) =>
  (readdirSync(path.join(dir, 'segment-logs'), { recursive: true }) as string[])
    .filter((name) => name.endsWith('.gz'))
    .map((name) => path.join(dir, 'segment-logs', name))

describe('a disk that fills up', () => {
  let disk: FullDisk | undefined
  afterEach(() => disk?.restore())

  test('acknowledged messages are all read back after a restart, 5xx ones are not stored, and the backfill reads the logs', async () => {
    const dir = temporary()
    const segment = createSegmentEmulator({ dataDir: dir, sources: [WEB] })
    const url = await segment.listen()
    const status = new Map<number, number>()
    for (let n = 0; n < 20; n++) status.set(n, await track(url, n))
    disk = fullDisk(3000)
    // Requests in flight together, as clients send them: short writes, then ENOSPC.
    for (let n = 20; n < 80; n += 8)
      await Promise.all(Array.from({ length: 8 }, (_, k) => track(url, n + k, 200).then((s) => status.set(n + k, s))))
    const failed = [...status].filter(([, s]) => s !== 200).map(([n]) => n)
    expect(failed.length).toBeGreaterThan(20)
    expect(new Set(status.values())).toEqual(new Set([200, 500]))
    // Space returns: the stack goes on, and the clients' retries are stored (not taken for duplicates).
    disk.free = Infinity
    for (const n of [...failed, 80, 81]) status.set(n, await track(url, n, 200))
    expect([...status.values()].every((s) => s === 200)).toBe(true)
    await segment.close()
    disk.restore()

    const { ids, stats, warnings } = restart(dir)
    expect(ids.sort()).toEqual([...status.keys()].map((n) => `m-${n}`).sort())
    expect(stats.tornRecords).toBe(0)
    expect(warnings).toEqual([])
    // Whole members only: each file reads as one gzip stream (DuckDB reads it so), and the backfill reads them all.
    for (const file of gzFiles(dir)) expect(() => gunzipSync(readFileSync(file))).not.toThrow()
    const report = await backfill({ input: dir, out: temporary() })
    expect(report.interactions).toBe(status.size)
    // DuckDB's start takes seconds on a busy machine.
  }, 90_000)

  test('a failed fsync answers 500, and what it covered is not stored', async () => {
    const dir = temporary()
    const segment = createSegmentEmulator({ dataDir: dir, sources: [WEB] })
    const url = await segment.listen()
    expect(await track(url, 1)).toBe(200)
    disk = fullDisk(Infinity)
    disk.failFsyncs(1)
    expect(await track(url, 2)).toBe(500)
    expect(await track(url, 3)).toBe(200)
    await segment.close()
    expect(restart(dir).ids).toEqual(['m-1', 'm-3'])
  })

  // The kernel's own ENOSPC on a 256 KB tmpfs (needs root, as CI has; skipped where mounting is not allowed).
  ;(canMountTmpfs ? test : test.skip)('a really full disk (tmpfs): 200 means stored, 500 means not', () =>
    onTinyFileSystem(256 * 1024, async (tiny) => {
      const dir = path.join(tiny, 'data')
      const giveBack = fillBut(tiny, 16 * 1024)
      const segment = createSegmentEmulator({ dataDir: dir, sources: [WEB] })
      const url = await segment.listen()
      const status = new Map<number, number>()
      for (let n = 0; n < 60; n += 4)
        await Promise.all(Array.from({ length: 4 }, (_, k) => track(url, n + k, 700).then((s) => status.set(n + k, s))))
      const failed = [...status].filter(([, s]) => s !== 200).map(([n]) => n)
      expect(failed.length).toBeGreaterThan(0)
      giveBack()
      for (const n of failed) status.set(n, await track(url, n, 700))
      await segment.close()
      expect(restart(dir).ids.sort()).toEqual([...status.keys()].map((n) => `m-${n}`).sort())
      for (const file of gzFiles(dir)) expect(() => gunzipSync(readFileSync(file))).not.toThrow()
    })
  )
})

describe('torn gzip members', () => {
  const message = (n: number): StoredMessage => ({
    projectId: WEB.sourceId,
    receivedAt: '2026-11-30T10:00:00.000Z',
    messageId: `m-${n}`
  })
  const member = (...ns: number[]) => gzipSync(ns.map((n) => `${JSON.stringify(message(n))}\n`).join(''))
  const logFile = (dir: string) => path.join(dir, 'segment-logs', WEB.sourceId, '1795996800000', '1796032800000.gz')

  test('a torn member in the middle is skipped and reported, and every member before and after it is read', () => {
    const torn = member(3, 4)
    const bytes = Buffer.concat([member(1, 2), torn.subarray(0, torn.length - 9), member(5), member(6, 7)])
    const { texts } = readLog(bytes)
    expect(texts.map(String).join('')).toBe([1, 2, 5, 6, 7].map((n) => `${JSON.stringify(message(n))}\n`).join(''))

    const dir = temporary()
    mkdirSync(path.dirname(logFile(dir)), { recursive: true })
    writeFileSync(logFile(dir), bytes)
    const { ids, stats, warnings } = restart(dir)
    expect(ids).toEqual(['m-1', 'm-2', 'm-5', 'm-6', 'm-7'])
    expect(stats).toMatchObject({ tornRecords: 1, tornBytes: torn.length - 9 })
    expect(warnings).toEqual([expect.stringMatching(/skipped a torn gzip member \(\d+ bytes at byte \d+\)/)])
  })

  test('a corrupted member (its CRC does not match) and zeros a crash left are skipped too', () => {
    const bad = member(2)
    bad[bad.length - 6]! ^= 0xff
    const { texts } = readLog(Buffer.concat([member(1), bad, Buffer.alloc(300), member(3)]), () => undefined)
    expect(texts.map(String).join('')).toBe([1, 3].map((n) => `${JSON.stringify(message(n))}\n`).join(''))
  })

  test('a torn last member is cut before the next append, so that the file reads whole again', async () => {
    const dir = temporary()
    const file = logFile(dir)
    mkdirSync(path.dirname(file), { recursive: true })
    const torn = member(2)
    writeFileSync(file, member(1))
    appendFileSync(file, torn.subarray(0, 20))
    const warnings: string[] = []
    const logs = new LogStore(dir, (warning) => warnings.push(warning))
    expect([...logs.stored()].map((m) => m.messageId)).toEqual(['m-1'])
    await logs.append([message(3)])
    await logs.close()
    expect(warnings).toEqual([
      expect.stringContaining('skipped a torn gzip member'),
      expect.stringContaining('cut a torn last member (20 bytes)')
    ])
    expect(gunzipSync(readFileSync(file)).toString()).toBe(
      [1, 3].map((n) => `${JSON.stringify(message(n))}\n`).join('')
    )
  })
})
