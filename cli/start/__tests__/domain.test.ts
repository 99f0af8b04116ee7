// npm start --domain ecommerce: the same pipeline on an ECOMMERCE Domain dataset group, the round-trip asking its
// "Recommended for you" recommender (the destination's Recommender ARN setting), end to end.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const CLI = path.join(__dirname, '..', '..', 'main.ts')
const SMALL = ['--port', '0', '--days', '7', '--users-per-day', '100', '--rate', '500', '--delay-ms', '0']

test('start --domain ecommerce runs the pipeline on recommenders, and the round-trip writes their recommendations', async () => {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'start-domain-')), 'data')
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'start', '--data-dir', dataDir, '--domain', 'ecommerce', ...SMALL],
    {
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /Explorer: (http:\/\/\S+)\//.exec(out)
        if (match) resolve(match[1]!)
      })
      void exited.then((code) => reject(new Error(`start exited (${code}):\n${out}`)))
    })
    expect(out).toMatch(/provisioned segment-personalize-shop: recommenders and event tracker ACTIVE/)
    const settings = JSON.parse(readFileSync(path.join(dataDir, 'destination.json'), 'utf8')) as Record<string, unknown>
    expect(settings.recommenderArn).toBe(
      'arn:aws:personalize:us-west-2:000000000000:recommender/segment-personalize-shop-recommended-for-you'
    )
    expect(settings.campaignArn).toBeUndefined()
    expect(out).toMatch(/summary: .* ([1-9][\d,]*) recommendations written to ([1-9][\d,]*) profiles · 0 failed/)
    const stats = (await (await fetch(`${url}/_local/stats`)).json()) as { delivery: { failed: number } }
    expect(stats.delivery.failed).toBe(0)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  } finally {
    child.kill('SIGKILL')
  }
}, 180_000)

test('--domain takes ecommerce only', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--domain', 'video', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let err = ''
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2)
  expect(err).toMatch(/--domain takes ecommerce, not "video"/)
})
