import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { replayToFiles } from '../replay'
import { renderDays, testOptions } from './fixtures'

const digest = (buffers: Buffer[]) => buffers.map((buffer) => createHash('sha256').update(buffer).digest('hex'))

test('the same arguments give the same bytes', () => {
  expect(digest(renderDays(testOptions(), 3))).toEqual(digest(renderDays(testOptions(), 3)))
})

test('another seed gives other messages', () => {
  const [a] = renderDays(testOptions({ seed: 1 }), 1)
  const [b] = renderDays(testOptions({ seed: 2 }), 1)
  expect(a!.equals(b!)).toBe(false)
})

test('a longer range leaves the earlier days byte-identical (so a re-sent replay dedupes)', () => {
  const short = digest(renderDays(testOptions(), 2))
  const long = digest(renderDays(testOptions(), 4))
  expect(long.slice(0, 2)).toEqual(short)
})

test('the host time zone changes nothing (the workshop generator shifted every event by it)', async () => {
  const script = `
    const { renderDays, testOptions } = require(${JSON.stringify(path.join(__dirname, 'fixtures.ts'))})
    const { createHash } = require('node:crypto')
    const hash = createHash('sha256')
    for (const day of renderDays(testOptions(), 2)) hash.update(day)
    console.log(new Date(2026, 2, 1).getTimezoneOffset(), hash.digest('hex'))`
  const run = async (tz: string) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, TZ: tz },
      cwd: path.join(__dirname, '..', '..')
    })
    return stdout.trim().split(' ')
  }
  const [losAngeles, tokyo, utc] = await Promise.all([run('America/Los_Angeles'), run('Asia/Tokyo'), run('UTC')])
  // The hosts really were in different zones…
  expect([losAngeles[0], tokyo[0], utc[0]]).toEqual(['480', '-540', '0'])
  // …and wrote the same bytes.
  expect(losAngeles[1]).toBe(utc[1])
  expect(tokyo[1]).toBe(utc[1])
}, 60_000)

test('segment-logs files are the same whatever the number of worker threads', async () => {
  const options = { ...testOptions({ usersPerDay: 60 }), to: testOptions().from + 3 }
  const tree = (dir: string) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const file = path.join(entry.parentPath, entry.name)
        return [path.relative(dir, file), createHash('sha256').update(readFileSync(file)).digest('hex')]
      })
      .sort(([a], [b]) => a!.localeCompare(b!))
  const one = mkdtempSync(path.join(os.tmpdir(), 'generate-'))
  const two = mkdtempSync(path.join(os.tmpdir(), 'generate-'))
  await replayToFiles(options, one, () => undefined, 1)
  await replayToFiles(options, two, () => undefined, 2)
  expect(tree(one).length).toBeGreaterThan(4)
  expect(tree(two)).toEqual(tree(one))
}, 60_000)
