// The workshop flow against the emulator with the real AWS SDK v3 clients: import a CSV, train, create a campaign,
// get recommendations, and see PutEvents change them at once.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateEventTrackerCommand,
  CreateFilterCommand,
  CreateSchemaCommand,
  PersonalizeClient
} from '@aws-sdk/client-personalize'
import { PersonalizeEventsClient, PutEventsCommand, PutItemsCommand } from '@aws-sdk/client-personalize-events'
import {
  GetPersonalizedRankingCommand,
  GetRecommendationsCommand,
  PersonalizeRuntimeClient
} from '@aws-sdk/client-personalize-runtime'
import { createPersonalizeEmulator } from '../server'
import { credentials, provisionWorkshop, workshopCsv } from './fixtures'

let emulator: ReturnType<typeof createPersonalizeEmulator>
let control: PersonalizeClient
let events: PersonalizeEventsClient
let runtime: PersonalizeRuntimeClient
let dir: string

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'personalize-'))
  emulator = createPersonalizeEmulator({ delayMs: 0, s3Root: path.join(dir, 's3') })
  const endpoint = await emulator.listen()
  const config = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
  control = new PersonalizeClient(config)
  events = new PersonalizeEventsClient(config)
  runtime = new PersonalizeRuntimeClient(config)
})
afterEach(() => emulator.close())

const provision = (csv: string, recipe?: string, location?: string) =>
  provisionWorkshop(control, dir, csv, recipe, location)

async function campaignFor(solutionVersionArn: string) {
  const { campaignArn } = await control.send(
    new CreateCampaignCommand({ name: 'segment-workshop-campaign', solutionVersionArn })
  )
  return campaignArn!
}

const recommended = async (campaignArn: string, userId: string, numResults = 5) =>
  (await runtime.send(new GetRecommendationsCommand({ campaignArn, userId, numResults }))).itemList!.map(
    (i) => i.itemId!
  )

test('trains on the imported CSV and recommends each user their own taste', async () => {
  const { importJob, solutionVersion, solutionVersionArn } = await provision(workshopCsv())
  expect(importJob.status).toBe('ACTIVE')
  expect(solutionVersion.status).toBe('ACTIVE')
  const campaignArn = await campaignFor(solutionVersionArn)
  const shoes = await recommended(campaignArn, 'user-3')
  const books = await recommended(campaignArn, 'user-100')
  expect(shoes.filter((i) => i.startsWith('shoe')).length).toBeGreaterThanOrEqual(4)
  expect(books.filter((i) => i.startsWith('book')).length).toBeGreaterThanOrEqual(4)
  const response = await runtime.send(new GetRecommendationsCommand({ campaignArn, userId: 'user-3' }))
  expect(response.itemList).toHaveLength(20) // all 20 items exist; user-personalization's default asks 25
  expect(response.recommendationId!.length).toBeLessThanOrEqual(40)
  const scores = response.itemList!.map((i) => i.score!)
  expect([...scores].sort((a, b) => b - a)).toEqual(scores)
})

test('a PutEvents for a cold visitor changes their next recommendations at once (anonymous session as user)', async () => {
  const { datasetGroupArn, solutionVersionArn } = await provision(workshopCsv())
  const campaignArn = await campaignFor(solutionVersionArn)
  const { trackingId } = await control.send(new CreateEventTrackerCommand({ name: 'tracker', datasetGroupArn }))
  const before = await recommended(campaignArn, 'anon-42', 10)
  await events.send(
    new PutEventsCommand({
      trackingId,
      sessionId: 'anon-42',
      eventList: ['book-1', 'book-2', 'book-3'].map((itemId, k) => ({
        eventType: 'Product Viewed',
        itemId,
        sentAt: new Date(1_800_000_000_000 + k)
      }))
    })
  )
  const after = await recommended(campaignArn, 'anon-42', 5)
  expect(after).not.toEqual(before.slice(0, 5))
  expect(after.every((i) => i.startsWith('book'))).toBe(true)
})

test('results are deterministic for the same data', async () => {
  const { solutionVersionArn } = await provision(workshopCsv())
  const campaignArn = await campaignFor(solutionVersionArn)
  expect(await recommended(campaignArn, 'user-7', 10)).toEqual(await recommended(campaignArn, 'user-7', 10))
})

test('training enforces Personalize’s minimums, with the reason', async () => {
  const { solutionVersion } = await provision(workshopCsv(20, 10))
  expect(solutionVersion.status).toBe('CREATE FAILED')
  expect(solutionVersion.failureReason).toBe(
    'Insufficient data for training: there are 200 interactions; at least 1000 are required.'
  )
})

test('a missing CSV fails the import job with the reason; s3:// maps under the S3 folder', async () => {
  const { importJob } = await provision(workshopCsv(), 'aws-user-personalization', 's3://bucket/missing.csv')
  expect(importJob.status).toBe('CREATE FAILED')
  expect(importJob.failureReason).toBe('Cannot read s3://bucket/missing.csv: ENOENT')
})

test('aws-sims recommends items related to an item', async () => {
  const { solutionVersionArn } = await provision(workshopCsv(), 'aws-sims')
  const campaignArn = await campaignFor(solutionVersionArn)
  const related = (
    await runtime.send(new GetRecommendationsCommand({ campaignArn, itemId: 'shoe-2', numResults: 5 }))
  ).itemList!.map((i) => i.itemId!)
  expect(related).not.toContain('shoe-2')
  expect(related.filter((i) => i.startsWith('shoe')).length).toBeGreaterThanOrEqual(4)
})

test('aws-popularity-count recommends the most popular items to anyone', async () => {
  const csv = workshopCsv()
  const { solutionVersionArn } = await provision(csv, 'aws-popularity-count')
  const campaignArn = await campaignFor(solutionVersionArn)
  const top = await recommended(campaignArn, 'someone', 3)
  expect(await recommended(campaignArn, 'someone-else', 3)).toEqual(top)
  // The CSV's own counts: no item left out is more popular than one recommended.
  const counts = new Map<string, number>()
  for (const line of csv.trim().split('\n').slice(1)) {
    const item = line.split(',')[1]!
    counts.set(item, (counts.get(item) ?? 0) + 1)
  }
  expect(top).toHaveLength(3)
  const weakest = Math.min(...top.map((item) => counts.get(item) ?? 0))
  const strongestLeftOut = Math.max(...[...counts].filter(([item]) => !top.includes(item)).map(([, n]) => n))
  expect(weakest).toBeGreaterThanOrEqual(strongestLeftOut)
})

test('GetPersonalizedRanking puts the user’s taste first and unknown items last', async () => {
  const { solutionVersionArn } = await provision(workshopCsv(), 'aws-personalized-ranking')
  const campaignArn = await campaignFor(solutionVersionArn)
  const { personalizedRanking } = await runtime.send(
    new GetPersonalizedRankingCommand({
      campaignArn,
      userId: 'user-100',
      inputList: ['shoe-1', 'never-seen', 'book-4', 'book-7']
    })
  )
  const order = personalizedRanking!.map((i) => i.itemId)
  expect(order.slice(0, 2).every((i) => i!.startsWith('book'))).toBe(true)
  expect(order.at(-1)).toBe('never-seen')
})

test('an unknown campaign is ResourceNotFoundException', async () => {
  await expect(
    runtime.send(
      new GetRecommendationsCommand({
        campaignArn: 'arn:aws:personalize:us-west-2:000000000000:campaign/none',
        userId: 'u'
      })
    )
  ).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
})

describe('filters', () => {
  test('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (…) removes what the user did', async () => {
    const { datasetGroupArn, solutionVersionArn } = await provision(workshopCsv())
    const campaignArn = await campaignFor(solutionVersionArn)
    const { filterArn } = await control.send(
      new CreateFilterCommand({
        name: 'not-viewed',
        datasetGroupArn,
        filterExpression: 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Product Viewed")'
      })
    )
    const viewed = new Set(
      workshopCsv()
        .split('\n')
        .filter((row) => row.startsWith('user-3,'))
        .map((row) => row.split(',')[1])
    )
    const { itemList } = await runtime.send(new GetRecommendationsCommand({ campaignArn, userId: 'user-3', filterArn }))
    expect(itemList!.length).toBeGreaterThan(0)
    expect(itemList!.filter((i) => viewed.has(i.itemId))).toEqual([])
  })

  test('INCLUDE ItemID WHERE Items.<COLUMN> IN ($PARAM) keeps the matching items, with the value from filterValues', async () => {
    const { datasetGroupArn, solutionVersionArn } = await provision(workshopCsv())
    const campaignArn = await campaignFor(solutionVersionArn)
    const schema = JSON.stringify({
      type: 'record',
      name: 'Items',
      fields: ['ITEM_ID', 'CATEGORY'].map((name) => ({ name, type: 'string' }))
    })
    const { schemaArn } = await control.send(new CreateSchemaCommand({ name: 'items', schema }))
    const { datasetArn } = await control.send(
      new CreateDatasetCommand({ name: 'items', schemaArn, datasetGroupArn, datasetType: 'Items' })
    )
    for (const taste of ['shoe', 'book']) {
      const items = Array.from({ length: 10 }, (_, i) => ({
        itemId: `${taste}-${i}`,
        properties: JSON.stringify({ category: taste === 'shoe' ? 'footwear|outdoor' : 'books' })
      }))
      await events.send(new PutItemsCommand({ datasetArn, items }))
    }
    const { filterArn } = await control.send(
      new CreateFilterCommand({
        name: 'by-category',
        datasetGroupArn,
        filterExpression: 'INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)'
      })
    )
    const { itemList } = await runtime.send(
      new GetRecommendationsCommand({
        campaignArn,
        userId: 'user-100',
        filterArn,
        filterValues: { CATEGORY: '"outdoor"' },
        numResults: 8
      })
    )
    expect(itemList!.length).toBe(8)
    expect(itemList!.every((i) => i.itemId!.startsWith('shoe'))).toBe(true)
    await expect(
      runtime.send(new GetRecommendationsCommand({ campaignArn, userId: 'user-100', filterArn }))
    ).rejects.toThrow('The filter needs a value for $CATEGORY in filterValues')
  })

  test('an unsupported expression is refused with what is supported', async () => {
    const { datasetGroupArn } = await control.send(new CreateDatasetGroupCommand({ name: 'g' }))
    await expect(
      control.send(
        new CreateFilterCommand({
          name: 'f',
          datasetGroupArn,
          filterExpression: 'EXCLUDE ItemID WHERE Items.PRICE > 10'
        })
      )
    ).rejects.toMatchObject({
      name: 'InvalidInputException',
      message: expect.stringContaining('supports filter expressions of the form')
    })
  })
})
