import { PersonalizeClient, ListDatasetGroupsCommand } from '@aws-sdk/client-personalize'
import { createPersonalizeEmulator, type Faults } from '../server'

const credentials = { accessKeyId: 'a', secretAccessKey: 'b' }

async function outcomes(faults: Faults, calls = 200) {
  const emulator = createPersonalizeEmulator({ delayMs: 0, faults })
  const endpoint = await emulator.listen()
  const client = new PersonalizeClient({ region: 'us-west-2', endpoint, credentials, maxAttempts: 1 })
  const counts: Record<string, number> = {}
  const started = Date.now()
  for (let i = 0; i < calls; i++) {
    const name = await client.send(new ListDatasetGroupsCommand({})).then(
      () => 'ok',
      (e: Error & { $metadata: { httpStatusCode: number } }) => `${e.name} ${e.$metadata.httpStatusCode}`
    )
    counts[name] = (counts[name] ?? 0) + 1
  }
  await emulator.close()
  return { counts, ms: Date.now() - started }
}

test('a chosen fraction of calls fails with ThrottlingException and InternalFailure, the same every run', async () => {
  const first = await outcomes({ throttle: 0.2, error: 0.1, seed: 7 })
  expect(first.counts['ThrottlingException 400']).toBeGreaterThan(20)
  expect(first.counts['ThrottlingException 400']).toBeLessThan(60)
  expect(first.counts['InternalFailure 500']).toBeGreaterThan(8)
  expect(first.counts['InternalFailure 500']).toBeLessThan(35)
  expect((await outcomes({ throttle: 0.2, error: 0.1, seed: 7 })).counts).toEqual(first.counts)
  // 400 calls one after the other: seconds on a quiet machine, more on a busy 2-core CI.
}, 60_000)

test('every call can be throttled, and the SDK sees the throttling error type', async () => {
  expect((await outcomes({ throttle: 1 }, 5)).counts).toEqual({ 'ThrottlingException 400': 5 })
})

test('delays hold the answer back', async () => {
  const { counts, ms } = await outcomes({ delay: 1, delayMs: 40 }, 5)
  expect(counts).toEqual({ ok: 5 })
  expect(ms).toBeGreaterThanOrEqual(200)
})
