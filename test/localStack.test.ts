// The local stack as a process: Segment's messages sent to it are durable before they are acknowledged, and each is
// delivered to Personalize once. A replay of product events is killed (SIGKILL) half-way, with delivery under way;
// after a restart on the same data dir and a client re-sending everything, every acknowledged message is in the logs
// exactly once and in Personalize (read back with a dataset export job) exactly once.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync, constants } from 'node:zlib'
import { PersonalizeClient } from '@aws-sdk/client-personalize'
import { credentials, exportDataset } from '../emulators/personalize/__tests__/fixtures'
import { defaultSource } from '../generators/sources'
import { freePort, localSettings, provisionTracker, startLocal, untilDeliveryIdle } from './localProcess'

const WEB = defaultSource('web')
const BATCHES = 200
const PER_BATCH = 50

// Each message's product id is derived from its messageId, so an exported interaction names the message it came from.
const batch = (n: number) => ({
  batch: Array.from({ length: PER_BATCH }, (_, k) => ({
    type: 'track',
    event: 'Product Viewed',
    userId: `user-${k % 5}`,
    messageId: `batch-${n}-${k}`,
    properties: { product_id: `p-${n}-${k}` }
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

const count = (values: string[]) => {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}

test('killed mid-replay: every acknowledged message is in the logs and in Personalize exactly once', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'local-stack-'))
  const dataDir = path.join(dir, 'data')
  const settingsFile = path.join(dir, 'destination.json')
  // The same port after the restart, so that the destination's settings still point at the stack.
  const args = ['--port', String(await freePort()), '--delay-ms', '0', '--destination', settingsFile]
  const first = await startLocal(dataDir, ...args)
  const control = new PersonalizeClient({ region: 'us-west-2', endpoint: first.url, credentials, maxAttempts: 1 })
  const { datasetArn, trackingId } = await provisionTracker(control, 'restart')
  writeFileSync(settingsFile, JSON.stringify(localSettings(first.url, trackingId)))

  const acknowledged: number[] = []
  // Batches go out four at a time; the process is killed after the 40th acknowledgement, with more in flight.
  let next = 0
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < BATCHES) {
        const n = next++
        const ok = await send(first.url, n).catch(() => false)
        if (!ok) return
        acknowledged.push(n)
        if (acknowledged.length === 40) first.child.kill('SIGKILL')
      }
    })
  )
  await first.stop('SIGKILL')
  expect(acknowledged.length).toBeGreaterThanOrEqual(40)
  expect(acknowledged.length).toBeLessThan(BATCHES)
  const afterKill = new Set(storedIds(dataDir))
  for (const n of acknowledged) for (let k = 0; k < PER_BATCH; k++) expect(afterKill.has(`batch-${n}-${k}`)).toBe(true)

  const second = await startLocal(dataDir, ...args)
  try {
    // A client without acknowledgments re-sends everything.
    for (let n = 0; n < BATCHES; n++) expect(await send(second.url, n)).toBe(true)
    const stats = await untilDeliveryIdle(second.url, BATCHES * PER_BATCH - afterKill.size)
    expect(stats.delivery.failed).toBe(0)

    const ids = storedIds(dataDir)
    expect(ids).toHaveLength(BATCHES * PER_BATCH)
    expect(new Set(ids).size).toBe(BATCHES * PER_BATCH)

    // Personalize recorded each message once: the re-delivery after the restart repeated eventIds it ignores.
    const interactions = await exportDataset(control, datasetArn, path.join(dir, 'export'))
    const perProduct = count(interactions.map((row) => row.ITEM_ID!))
    const notOnce: string[] = []
    for (let n = 0; n < BATCHES; n++)
      for (let k = 0; k < PER_BATCH; k++) if (perProduct.get(`p-${n}-${k}`) !== 1) notOnce.push(`p-${n}-${k}`)
    expect(notOnce).toEqual([])
    expect(interactions).toHaveLength(BATCHES * PER_BATCH)
  } finally {
    await second.stop()
  }
}, 60_000)
