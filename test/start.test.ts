// npm start (segment-personalize start), as a newcomer runs it: history, the local stack, backfill, provisioning and
// a live day; then the Profile API shows recommended_products for the live day's shoppers. A re-run reuses the data
// dir, --clean starts over, and bad data dirs and ports are refused before anything is done.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { PROFILE_TOKEN } from '../emulators/segment/profiles'
import { ROUND_TRIP_SOURCE } from '../emulators/segment/server'

const CLI = path.join(__dirname, '..', 'cli', 'main.ts')
const SMALL = ['--port', '0', '--days', '7', '--users-per-day', '60', '--rate', '500', '--delay-ms', '0']

interface Run {
  child: ChildProcess
  output: () => string
  /** Resolves with the first match of the pattern in stdout, or rejects when the process exits first. */
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>
  exited: Promise<number | null>
}

function start(...args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  const listeners = new Set<() => void>()
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    for (const listener of listeners) listener()
  })
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out)
        if (match) {
          listeners.delete(check)
          resolve(match)
        }
      }
      listeners.add(check)
      check()
      void exited.then((code) => reject(new Error(`start exited (${code}) before ${pattern}:\n${out}`)))
    })
  return { child, output: () => out, waitFor, exited }
}

/** The users the round-trip wrote recommendations for, from the local Segment's logs of its source (an anonymous
 *  visitor's identify, which has no userId, is not a user_id profile). Delivery order decides which comes first. */
function recommendedUsers(dataDir: string): string[] {
  const root = path.join(dataDir, 'segment-logs', ROUND_TRIP_SOURCE.sourceId)
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.gz'))
    .flatMap((file) =>
      gunzipSync(readFileSync(path.join(root, file)))
        .toString()
        .split('\n')
        .filter(Boolean)
    )
    .flatMap((line) => {
      const { userId } = JSON.parse(line) as { userId?: unknown }
      return typeof userId === 'string' ? [userId] : []
    })
}

async function traits(url: string, userId: string) {
  const response = await fetch(
    `${url}/v1/spaces/demo/collections/users/profiles/user_id:${userId}/traits?include=recommended_products`,
    {
      headers: { authorization: `Basic ${Buffer.from(`${PROFILE_TOKEN}:`).toString('base64')}` }
    }
  )
  expect(response.status).toBe(200)
  return ((await response.json()) as { traits: Record<string, unknown> }).traits
}

test('npm start: the whole pipeline offline, then profiles carry recommendations; a re-run reuses it all', async () => {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'start-')), 'data')
  const first = start('--data-dir', dataDir, ...SMALL)
  try {
    const [, url] = await first.waitFor(/Explorer: (http:\/\/\S+)\//)
    expect(first.output()).toMatch(/\[1\/5\] history: [\d,]+ messages/)
    expect(first.output()).toMatch(/\[3\/5\] backfill: [\d,]+ interactions/)
    expect(first.output()).toMatch(/set-up took [\d.]+ s/)
    const summary =
      /summary: ([\d,]+) events sent .* ([\d,]+) delivered through the destination .* ([\d,]+) recommendations written to ([\d,]+) profiles · 0 failed/.exec(
        first.output()
      )
    expect(summary).not.toBeNull()
    const stats = (await (await fetch(`${url!}/_local/stats`)).json()) as {
      delivery: { delivered: number; failed: number }
    }
    expect(stats.delivery.delivered).toBeGreaterThan(0)
    expect(stats.delivery.failed).toBe(0)
    const users = recommendedUsers(dataDir)
    expect(users.length).toBeGreaterThan(0)
    const recommended = (await traits(url!, users[0]!)).recommended_products
    expect(Array.isArray(recommended) && recommended.length > 0).toBe(true)
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
  } finally {
    first.child.kill('SIGKILL')
  }

  const again = start('--data-dir', dataDir, ...SMALL)
  try {
    await again.waitFor(/Explorer: /)
    expect(again.output()).toMatch(/\[1\/5\] history: kept from the last run/)
    expect(again.output()).toMatch(/\[3\/5\] backfill: kept from the last run/)
    expect(again.output()).toMatch(/resources reused/)
    // The first run streamed the whole live day and stopped cleanly: the second goes on from its end, sending nothing.
    const sent = /summary: ([\d,]+) events sent/.exec(first.output())![1]!.replace(/,/g, '')
    expect(again.output()).toMatch(new RegExp(`from message ${sent} `))
    expect(again.output()).toMatch(/summary: 0 events sent/)
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)
  } finally {
    again.child.kill('SIGKILL')
  }

  const clean = start('--data-dir', dataDir, '--clean', ...SMALL)
  try {
    await clean.waitFor(/\[2\/5\] local stack ready/)
    expect(clean.output()).toMatch(/\[1\/5\] history: [\d,]+ messages/)
  } finally {
    clean.child.kill('SIGKILL')
  }
}, 180_000)

test('npm start -- --lambda: the classic path, the live day delivered through the Lambda build', async () => {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'start-lambda-')), 'data')
  const run = start('--data-dir', dataDir, '--lambda', ...SMALL)
  try {
    const [, url] = await run.waitFor(/Explorer: (http:\/\/\S+)\//)
    expect(run.output()).toMatch(/\[2\/5\] local stack ready .*delivery through the Lambda build/)
    expect(run.output()).toMatch(/summary: [\d,]+ events sent .* · 0 failed/)
    const stats = (await (await fetch(`${url!}/_local/stats`)).json()) as {
      delivery: { delivered: number; failed: number }
    }
    expect(stats.delivery).toMatchObject({ failed: 0 })
    expect(stats.delivery.delivered).toBeGreaterThan(0)
    const users = recommendedUsers(dataDir)
    expect(users.length).toBeGreaterThan(0)
    expect((await traits(url!, users[0]!)).recommended_products).toEqual(expect.arrayContaining([expect.any(String)]))
    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
  } finally {
    run.child.kill('SIGKILL')
  }
}, 180_000)

describe('bad input is refused before anything is done', () => {
  test('a data dir that is not empty and not ours', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'start-foreign-'))
    writeFileSync(path.join(dir, 'thesis.tex'), 'precious')
    const run = start('--data-dir', dir, ...SMALL)
    expect(await run.exited).toBe(2)
    expect(run.output()).toContain('is not empty and was not made by segment-personalize start')
    expect(readdirSync(dir)).toEqual(['thesis.tex'])
  })

  test('a data dir that cannot be made', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'start-file-')), 'a-file')
    writeFileSync(file, '')
    const run = start('--data-dir', path.join(file, 'data'), ...SMALL)
    expect(await run.exited).toBe(2)
    expect(run.output()).toMatch(/Cannot use the data dir .*a part of the path is a file/)
  })

  test('a port in use', async () => {
    const server = http.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'start-port-')), 'data')
      const run = start('--data-dir', dir, ...SMALL, '--port', String(port))
      expect(await run.exited).toBe(1)
      expect(run.output()).toContain(`Port ${port} is in use`)
      expect(run.output()).not.toContain('[1/5]')
    } finally {
      server.close()
    }
  })

  test('a bad number', async () => {
    const run = start('--days', 'lots')
    expect(await run.exited).toBe(2)
    expect(run.output()).toContain('--days must be a whole number of at least 7, not "lots"')
  })
})
