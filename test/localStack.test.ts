// The local stack as a process: Segment's messages sent to it are durable before they are acknowledged. A replay is
// killed (SIGKILL) half-way; after a restart every acknowledged message is in the logs, and a client re-sending
// everything leaves each message there exactly once.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync, constants } from 'node:zlib'
import { defaultSource } from '../generators/sources'

const CLI = path.join(__dirname, '..', 'cli', 'main.ts')
const WEB = defaultSource('web')

async function start(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'local', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /ready at (http:\/\/[^:]+:\d+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`local exited ${code}: ${out}`)))
  })
  return { child, url }
}

const batch = (n: number) => ({
  batch: Array.from({ length: 50 }, (_, k) => ({
    type: 'track',
    event: 'Product Viewed',
    userId: `user-${k}`,
    messageId: `batch-${n}-${k}`,
    properties: { product_id: `p-${k}` }
  }))
})

const send = async (url: string, n: number) => {
  const response = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${WEB.writeKey}:`).toString('base64')}`
    },
    body: JSON.stringify(batch(n))
  })
  return response.status === 200
}

function storedIds(dataDir: string): string[] {
  const root = path.join(dataDir, 'segment-logs')
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.gz'))
    .flatMap((file) =>
      gunzipSync(readFileSync(path.join(root, file)), { finishFlush: constants.Z_SYNC_FLUSH })
        .toString()
        .split('\n')
        .flatMap((line) => {
          try {
            return [(JSON.parse(line) as { messageId: string }).messageId]
          } catch {
            return []
          }
        })
    )
}

test('killed mid-replay: every acknowledged message survives, and a full re-send stores each once', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'local-stack-'))
  const first = await start(dataDir)
  const acknowledged: number[] = []
  // Batches go out four at a time; the process is killed after the 40th acknowledgement, with more in flight.
  let next = 0
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < 200) {
        const n = next++
        const ok = await send(first.url, n).catch(() => false)
        if (!ok) return
        acknowledged.push(n)
        if (acknowledged.length === 40) first.child.kill('SIGKILL')
      }
    })
  )
  expect(acknowledged.length).toBeGreaterThanOrEqual(40)
  expect(acknowledged.length).toBeLessThan(200)
  const afterKill = new Set(storedIds(dataDir))
  for (const n of acknowledged) for (let k = 0; k < 50; k++) expect(afterKill.has(`batch-${n}-${k}`)).toBe(true)

  const second = await start(dataDir)
  try {
    for (let n = 0; n < 200; n++) expect(await send(second.url, n)).toBe(true)
  } finally {
    second.child.kill('SIGTERM')
  }
  const ids = storedIds(dataDir)
  expect(ids).toHaveLength(200 * 50)
  expect(new Set(ids).size).toBe(200 * 50)
}, 60_000)
