// Provisioning end to end against the local Personalize with the real AWS SDK v3: from the backfill's CSVs (and the
// workshop's own CSV shape) to a campaign and an event tracker, reuse on a second run, and teardown.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CreateSchemaCommand,
  ListCampaignsCommand,
  ListDatasetGroupsCommand,
  ListSchemasCommand,
  PersonalizeClient
} from '@aws-sdk/client-personalize'
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { credentials, INTERACTIONS_SCHEMA, workshopCsv } from '../../emulators/personalize/__tests__/fixtures'
import { createPersonalizeEmulator } from '../../emulators/personalize/server'
import { backfill } from '../../backfill/backfill'
import { replayToFiles } from '../../generators/replay'
import { testOptions } from '../../generators/__tests__/fixtures'
import { provision, ProvisionError } from '../provision'
import { teardown } from '../teardown'

let emulator: ReturnType<typeof createPersonalizeEmulator>
let personalize: PersonalizeClient
let runtime: PersonalizeRuntimeClient
const temporary = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix))

beforeEach(async () => {
  // Personalize's clock moves 5 ms with each request, not with the wall clock: a resource is CREATE PENDING at the
  // first Describe after its create and ACTIVE a few polls later, however busy the machine.
  let now = Date.UTC(2026, 10, 1)
  emulator = createPersonalizeEmulator({ delayMs: 20, clock: () => (now += 5) })
  const endpoint = await emulator.listen()
  const config = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
  personalize = new PersonalizeClient(config)
  runtime = new PersonalizeRuntimeClient(config)
})
afterEach(() => emulator.close())

test('generated history → backfill → provision: a campaign that recommends, a tracker, every dataset; then teardown', async () => {
  const logs = temporary('provision-logs-')
  const options = testOptions({ usersPerDay: 100 })
  await replayToFiles({ ...options, to: options.from + 6 }, logs, () => undefined, 1)
  const out = temporary('provision-csv-')
  await backfill({ input: logs, out })
  const progress: string[] = []
  const result = await provision({
    name: 'segment-workshop',
    personalize,
    csv: {
      Interactions: path.join(out, 'interactions.csv'),
      Users: path.join(out, 'users.csv'),
      Items: path.join(out, 'items.csv')
    },
    pollMs: 10,
    onProgress: (line) => progress.push(line)
  })
  expect(result.steps).toEqual([
    'created dataset group segment-workshop',
    'created schema segment-workshop-interactions',
    'created Interactions dataset',
    'importing interactions.csv into the Interactions dataset',
    'created schema segment-workshop-users',
    'created Users dataset',
    'importing users.csv into the Users dataset',
    'created schema segment-workshop-items',
    'created Items dataset',
    'importing items.csv into the Items dataset',
    'created solution segment-workshop-solution (aws-user-personalization)',
    'training a solution version',
    'created campaign segment-workshop-campaign',
    'created event tracker segment-workshop-tracker'
  ])
  // Progress reports the states it waited through.
  expect(progress).toEqual(expect.arrayContaining([expect.stringMatching(/: CREATE PENDING/)]))
  expect(progress).toEqual(expect.arrayContaining([expect.stringMatching(/: CREATE IN_PROGRESS/)]))
  expect(result.trackingId).toMatch(/\S+/)
  expect(Object.keys(result.datasetArns)).toEqual(['Interactions', 'Users', 'Items'])
  const { itemList } = await runtime.send(
    new GetRecommendationsCommand({ campaignArn: result.campaignArn, userId: 'someone', numResults: 5 })
  )
  expect(itemList).toHaveLength(5)

  // A second run finds everything and reuses it.
  const again = await provision({
    name: 'segment-workshop',
    personalize,
    csv: { Interactions: path.join(out, 'interactions.csv') },
    pollMs: 10
  })
  expect(again.steps.filter((step) => !step.startsWith('reused'))).toEqual([])
  expect(again.campaignArn).toBe(result.campaignArn)
  expect(again.trackingId).toBe(result.trackingId)

  const deleted = await teardown({ name: 'segment-workshop', personalize, pollMs: 10 })
  expect(deleted.map((line) => line.split(' arn:')[0])).toEqual([
    'campaigns',
    'event trackers',
    'solutions',
    'datasets',
    'datasets',
    'datasets',
    'dataset groups',
    'schemas',
    'schemas',
    'schemas'
  ])
  expect((await personalize.send(new ListDatasetGroupsCommand({}))).datasetGroups).toEqual([])
  expect((await personalize.send(new ListSchemasCommand({}))).schemas).toEqual([])
  expect(await teardown({ name: 'segment-workshop', personalize, pollMs: 10 })).toEqual([])
}, 60_000)

test('the workshop’s own interactions CSV shape imports unchanged (quoting and all)', async () => {
  const dir = temporary('provision-workshop-')
  const csv = path.join(dir, 'run-1558198402129-part-r-00000.csv')
  // The workshop's Glue output quotes event types and some ids (exercise1): a real CSV parser is needed.
  const rows = workshopCsv().split('\n')
  writeFileSync(
    csv,
    [
      rows[0],
      ...rows.slice(1).map((row) => row.replace(/,([^,]+),(\d+)$/, ',"$1",$2').replace(/^(user-1\d),/, '"$1",'))
    ].join('\n')
  )
  const result = await provision({ name: 'workshop', personalize, csv: { Interactions: csv }, pollMs: 10 })
  const campaigns = (await personalize.send(new ListCampaignsCommand({}))).campaigns ?? []
  expect(campaigns.map((c) => c.campaignArn)).toEqual([result.campaignArn])
  const { itemList } = await runtime.send(
    new GetRecommendationsCommand({ campaignArn: result.campaignArn, userId: 'user-10', numResults: 3 })
  )
  expect(itemList!.every((item) => item.itemId!.startsWith('shoe'))).toBe(true)
}, 60_000)

test('a CSV that is not interactions: a clear error before anything is created', async () => {
  const csv = path.join(temporary('provision-bad-'), 'x.csv')
  writeFileSync(csv, 'a,b,c\n1,2,3\n')
  await expect(provision({ name: 'bad', personalize, csv: { Interactions: csv }, pollMs: 10 })).rejects.toThrow(
    new ProvisionError(`${csv} does not start with USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP[,EVENT_VALUE]: "a,b,c"`)
  )
})

test('an import that fails: Personalize’s failureReason, and what to do', async () => {
  const csv = path.join(temporary('provision-missing-'), 'interactions.csv')
  writeFileSync(csv, 'USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\nu1,i1,View,1\n')
  const failed = provision({ name: 'small', personalize, csv: { Interactions: csv }, pollMs: 10 })
  // Personalize's own reason (too few interactions to train), then what to do about it.
  await expect(failed).rejects.toThrow(
    /^solution version is CREATE FAILED: .*interactions; at least 1000 are required\. Fix/
  )
  await expect(failed).rejects.toThrow(/Fix that, then run provision again: .*teardown --name small starts over/)
})

test('a name taken by a schema with other fields: what to do, before anything is created', async () => {
  const csv = path.join(temporary('provision-taken-'), 'interactions.csv')
  writeFileSync(csv, 'USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP,EVENT_VALUE\nu1,i1,View,1,2.5\n')
  await personalize.send(new CreateSchemaCommand({ name: 'taken-interactions', schema: INTERACTIONS_SCHEMA }))
  await expect(provision({ name: 'taken', personalize, csv: { Interactions: csv }, pollMs: 10 })).rejects.toThrow(
    new ProvisionError(
      'Schema taken-interactions exists with other columns than interactions.csv: run teardown --name taken, or choose another --name.'
    )
  )
})
