import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { DAY_MS } from '../calendar'
import { replay, replayToFiles } from '../replay'
import { logFile, segmentLogsSink } from '../sinks/segmentLogs'
import { GeneratorError } from '../sinks/sink'
import { defaultSource } from '../sources'
import { FROM, messagesOf, parseLines, testOptions } from './fixtures'

const temporary = () => mkdtempSync(path.join(os.tmpdir(), 'segment-logs-'))
const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))

describe('--out writes the S3 destination’s layout, read back and checked', () => {
  const dir = temporary()
  const options = { ...testOptions(), to: FROM + 2 }
  let summary: string

  beforeAll(async () => {
    summary = await replayToFiles(options, dir, () => undefined, 2)
  }, 60_000)

  test('segment-logs/<source-id>/<received-day-ms>/<file>.gz, nothing else', () => {
    const paths = files(dir)
    expect(paths.length).toBeGreaterThan(8)
    for (const file of paths) {
      const match = /^segment-logs\/([A-Za-z0-9]{10})\/(\d+)\/[^/]+\.gz$/.exec(file)
      expect(match).not.toBeNull()
      // The folder is an exact UTC midnight in epoch milliseconds.
      expect(Number(match![2]) % DAY_MS).toBe(0)
    }
  })

  test('each file is gzipped NDJSON of full messages of its source, received on its folder’s day', () => {
    for (const file of files(dir)) {
      const [, sourceId, day] = file.split('/')
      const lines = parseLines(gunzipSync(readFileSync(path.join(dir, file))))
      expect(lines.length).toBeGreaterThan(0)
      for (const line of lines) {
        expect(line.projectId).toBe(sourceId)
        expect(Math.floor(Date.parse(line.receivedAt) / DAY_MS) * DAY_MS).toBe(Number(day))
        expect(line).toMatchObject({ messageId: expect.any(String), sentAt: expect.any(String), version: 2 })
        expect(line.context.library.name).toEqual(expect.any(String))
      }
    }
  })

  test('the files hold exactly the replay’s messages, once each', () => {
    const read = files(dir).flatMap((file) => parseLines(gunzipSync(readFileSync(path.join(dir, file)))))
    const expected = messagesOf(testOptions(), 3)
    expect(read).toHaveLength(expected.length)
    expect(new Set(read.map((line) => line.messageId))).toEqual(new Set(expected.map((line) => line.messageId)))
    expect(summary).toBe(`${expected.length} messages in ${files(dir).length} files under ${dir}/segment-logs`)
  })

  test('each source has its own folder', () => {
    const folders = new Set(files(dir).map((file) => file.split('/')[1]))
    expect(folders).toEqual(
      new Set(['web', 'ios', 'android', 'email'].map((name) => defaultSource(name as 'web').sourceId))
    )
  })
})

test('a full disk: a clear error, the partial file removed, no half-written .gz', async () => {
  const dir = temporary()
  const web = defaultSource('web')
  const target = logFile(dir, web.sourceId, FROM, FROM, 0)
  mkdirSync(path.dirname(target), { recursive: true })
  // The temporary file is a link to /dev/full, where every write fails with ENOSPC, as on a full disk.
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.partial`)
  symlinkSync('/dev/full', partial)
  await expect(replay({ ...testOptions(), to: FROM }, segmentLogsSink(dir), () => undefined)).rejects.toThrow(
    new GeneratorError(`Cannot write ${target}: no space left on the device`)
  )
  expect(existsSync(target)).toBe(false)
  expect(existsSync(partial)).toBe(false)
  expect(files(dir).filter((file) => file.endsWith('.partial'))).toEqual([])
})

test('an unwritable folder: a clear error', async () => {
  const dir = temporary()
  const blocker = path.join(dir, 'segment-logs')
  // A file where the folder should be.
  mkdirSync(dir, { recursive: true })
  writeFileSync(blocker, 'not a folder')
  await expect(replay({ ...testOptions(), to: FROM }, segmentLogsSink(dir), () => undefined)).rejects.toThrow(
    /^Cannot write .*segment-logs\/.*\.gz: a parent of it is a file, not a folder$/
  )
})
