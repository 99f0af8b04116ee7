// Durable means durable, for the local Personalize's journal: an operation's changes stand only once its entry is on
// disk (a full disk or a failed fsync answers 500 and leaves the store as it was); a torn entry anywhere in the
// journal is skipped and reported, and the entries after it are replayed; a replay does what was acknowledged as it
// happened, whatever --delay-ms the restart has.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CreateCampaignCommand,
  CreateDatasetGroupCommand,
  CreateEventTrackerCommand,
  DescribeCampaignCommand,
  PersonalizeClient
} from '@aws-sdk/client-personalize'
import { PersonalizeEventsClient, PutEventsCommand } from '@aws-sdk/client-personalize-events'
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { fullDisk, type FullDisk } from '../../__tests__/fullDisk'
import { createPersonalizeEmulator, type PersonalizeEmulatorOptions } from '../server'
import { credentials, provisionWorkshop, workshopCsv } from './fixtures'

const temporary = () => mkdtempSync(path.join(os.tmpdir(), 'personalize-journal-'))
const open: Array<ReturnType<typeof createPersonalizeEmulator>> = []
afterEach(async () => {
  for (const emulator of open.splice(0)) await emulator.close()
})

async function emulator(options: PersonalizeEmulatorOptions) {
  const warnings: string[] = []
  const warn = jest.spyOn(console, 'warn').mockImplementation((line: string) => void warnings.push(line))
  const emulator = createPersonalizeEmulator(options)
  warn.mockRestore()
  open.push(emulator)
  const endpoint = await emulator.listen()
  // No retries: a 500 is seen as it is answered.
  const config = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
  return {
    emulator,
    warnings,
    control: new PersonalizeClient(config),
    events: new PersonalizeEventsClient(config),
    runtime: new PersonalizeRuntimeClient(config)
  }
}

const putEvents = (trackingId: string, n: number) =>
  new PutEventsCommand({
    trackingId,
    sessionId: `s-${n}`,
    userId: `user-${n % 3}`,
    eventList: [{ eventType: 'View', itemId: `shoe-${n % 10}`, sentAt: new Date(1_800_000_000_000 + n * 1000) }]
  })

describe('a disk that fills up', () => {
  let disk: FullDisk | undefined
  afterEach(() => disk?.restore())

  test('a failed append answers 500 and leaves the store as it was; once space returns, it goes on', async () => {
    const dir = temporary()
    const { emulator: first, control, events } = await emulator({ delayMs: 0, dataDir: dir })
    const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'kept' }))
    const { trackingId } = await control.send(new CreateEventTrackerCommand({ name: 'tracker', datasetGroupArn }))
    await events.send(putEvents(trackingId!, 0))
    const before = {
      events: first.store.events.get(datasetGroupArn!)!.length,
      index: first.store.eventIndex.size,
      resources: [...first.store.resources.keys()]
    }
    const now = () => ({
      events: first.store.events.get(datasetGroupArn!)!.length,
      index: first.store.eventIndex.size,
      resources: [...first.store.resources.keys()]
    })

    disk = fullDisk(40)
    await expect(events.send(putEvents(trackingId!, 1))).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } })
    await expect(control.send(new CreateDatasetGroupCommand({ name: 'lost' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 }
    })
    expect(now()).toEqual(before)
    // An fsync that fails: the entry may not be on disk, so its changes are taken back too.
    disk.free = Infinity
    disk.failFsyncs(1)
    await expect(events.send(putEvents(trackingId!, 2))).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } })
    expect(now()).toEqual(before)

    // Space is back: the same requests succeed (the group was never created, so it is not "already existing").
    await events.send(putEvents(trackingId!, 3))
    await control.send(new CreateDatasetGroupCommand({ name: 'lost' }))
    expect(now().events).toBe(before.events + 1)
    expect(first.journal!.stats).toMatchObject({ failedAppends: 3, tornRecords: 0 })
    const kept = now()
    disk.restore()
    await first.close()
    open.pop()

    // A restart replays exactly what was acknowledged.
    const { emulator: second, warnings } = await emulator({ delayMs: 0, dataDir: dir })
    expect({
      events: second.store.events.get(datasetGroupArn!)!.length,
      index: second.store.eventIndex.size,
      resources: [...second.store.resources.keys()]
    }).toEqual(kept)
    expect(warnings).toEqual([])
    expect(second.journal!.stats).toMatchObject({ tornRecords: 0, diverged: 0, cutBytes: 0 })
  })
})

test('torn entries in the middle and at the end of the journal are skipped and reported; the rest replays', async () => {
  const dir = temporary()
  const { emulator: first, control } = await emulator({ delayMs: 0, dataDir: dir })
  for (const name of ['a', 'b', 'c', 'd']) await control.send(new CreateDatasetGroupCommand({ name }))
  const names = first.store.list('dataset-group').map((group) => group.name)
  await first.close()
  open.pop()

  const file = path.join(dir, 'journal.ndjson')
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
  expect(lines).toHaveLength(4)
  // A torn entry followed by a whole one on the same line (a journal written before torn tails were cut), a line a
  // disk lost (zeros, then garbage), and a torn last line.
  const torn = lines[1]!.slice(0, 30)
  writeFileSync(
    file,
    [lines[0], `${torn}${lines[1]}`, `\0\0\0\0garbage`, lines[2], lines[3]].map((line) => `${line}\n`).join('')
  )
  appendFileSync(file, '{"op":"CreateDatasetGroup","input":{"name":"to')

  const { emulator: second, warnings } = await emulator({ delayMs: 0, dataDir: dir })
  expect(second.store.list('dataset-group').map((group) => group.name)).toEqual(names)
  expect(second.journal!.stats).toMatchObject({ entries: 4, tornRecords: 2, tornBytes: 30 + 11, diverged: 0 })
  expect(warnings).toEqual([
    expect.stringMatching(/skipped a torn entry \(30 bytes at byte \d+\)/),
    expect.stringMatching(/skipped a torn entry \(11 bytes at byte \d+\)/),
    expect.stringMatching(/cut a torn last line \(\d+ bytes\)/)
  ])
})

describe('a replay does what was acknowledged, under any --delay-ms', () => {
  test.each([0, 300])(
    'resources created with --delay-ms %i, reopened with 1000: the campaign is there, ACTIVE, and serves',
    async (delayMs) => {
      const dir = temporary()
      // A stepped clock: each resource is used the moment it becomes ACTIVE under the first run's delay.
      let now = Date.UTC(2026, 10, 30, 12)
      const { emulator: first, control, events } = await emulator({ delayMs, dataDir: dir, clock: () => now })
      const { datasetGroupArn, solutionVersionArn } = await provisionWorkshop(control, dir, workshopCsv())
      const { trackingId } = await control.send(new CreateEventTrackerCommand({ name: 'tracker', datasetGroupArn }))
      now += delayMs
      const { campaignArn } = await control.send(new CreateCampaignCommand({ name: 'campaign', solutionVersionArn }))
      await events.send(putEvents(trackingId!, 1))
      const recorded = first.store.events.get(datasetGroupArn)!.length
      await first.close()
      open.pop()

      const second = await emulator({ delayMs: 1000, dataDir: dir })
      expect(second.emulator.journal!.stats).toMatchObject({ diverged: 0 })
      expect(second.warnings).toEqual([])
      const { campaign } = await second.control.send(new DescribeCampaignCommand({ campaignArn }))
      expect(campaign).toMatchObject({ status: 'ACTIVE', solutionVersionArn })
      expect(second.emulator.store.events.get(datasetGroupArn)).toHaveLength(recorded)
      const { itemList } = await second.runtime.send(new GetRecommendationsCommand({ campaignArn, userId: 'user-1' }))
      expect(itemList!.length).toBeGreaterThan(0)
      await second.emulator.close()
      open.pop()

      // A journal written before entries recorded their delay replays with none: what it holds was acknowledged.
      const file = path.join(dir, 'journal.ndjson')
      writeFileSync(file, readFileSync(file, 'utf8').replace(/,"delayMs":\d+/g, ''))
      const third = await emulator({ delayMs: 1000, dataDir: dir })
      expect(third.emulator.journal!.stats).toMatchObject({ diverged: 0 })
      expect(third.emulator.store.get('campaign', campaignArn)).toBeDefined()
    }
  )
})
