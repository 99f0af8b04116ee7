// The generator's history (npm start's model: users with tastes), backfilled, then provisioned two ways against the
// local Personalize: an ECOMMERCE Domain dataset group with its recommenders, and the workshop's custom solution,
// whose metrics must show it learned more than popularity does. Then the round-trip against the recommender.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  GetSolutionMetricsCommand,
  ListRecommendersCommand,
  PersonalizeClient
} from '@aws-sdk/client-personalize'
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime'
import { backfill } from '../../backfill/backfill'
import { credentials } from '../../emulators/personalize/__tests__/fixtures'
import { createPersonalizeEmulator } from '../../emulators/personalize/server'
import { testOptions } from '../../generators/__tests__/fixtures'
import { replayToFiles } from '../../generators/replay'
import { provision, ProvisionError } from '../provision'
import { destinationSettings } from '../settings'
import { teardown } from '../teardown'

let emulator: ReturnType<typeof createPersonalizeEmulator>
let personalize: PersonalizeClient
let runtime: PersonalizeRuntimeClient
let csv: { Interactions: string; Users: string; Items: string }

beforeAll(async () => {
  emulator = createPersonalizeEmulator({ delayMs: 20 })
  const endpoint = await emulator.listen()
  const config = { region: 'us-west-2', endpoint, credentials, maxAttempts: 1 }
  personalize = new PersonalizeClient(config)
  runtime = new PersonalizeRuntimeClient(config)
  const logs = mkdtempSync(path.join(os.tmpdir(), 'domain-logs-'))
  const options = testOptions({ usersPerDay: 150 })
  await replayToFiles({ ...options, to: options.from + 9 }, logs, () => undefined, 1)
  const out = mkdtempSync(path.join(os.tmpdir(), 'domain-csv-'))
  await backfill({ input: logs, out })
  csv = {
    Interactions: path.join(out, 'interactions.csv'),
    Users: path.join(out, 'users.csv'),
    Items: path.join(out, 'items.csv')
  }
}, 120_000)
afterAll(() => emulator.close())

test('provision --domain ECOMMERCE: a Domain dataset group, its recommenders, a tracker; reused, then torn down', async () => {
  const result = await provision({ name: 'shop', personalize, csv, domain: 'ECOMMERCE', pollMs: 10 })
  expect(result.steps).toEqual(
    expect.arrayContaining([
      'created ECOMMERCE Domain dataset group shop',
      'created recommender shop-recommended-for-you (Recommended for you)',
      'created recommender shop-most-viewed (Most viewed)',
      'created event tracker shop-tracker'
    ])
  )
  expect(result.campaignArn).toBeUndefined()
  expect(result.recommenderArn).toBe('arn:aws:personalize:us-west-2:000000000000:recommender/shop-recommended-for-you')
  expect(Object.keys(result.recommenderArns!)).toEqual(
    expect.arrayContaining(['recommended-for-you', 'also-viewed', 'most-viewed'])
  )
  const { itemList } = await runtime.send(
    new GetRecommendationsCommand({
      recommenderArn: result.recommenderArn,
      userId: 'someone',
      numResults: 5,
      metadataColumns: { ITEMS: ['CATEGORY'] }
    })
  )
  expect(itemList).toHaveLength(5)
  expect(itemList!.every((item) => typeof item.metadata?.CATEGORY === 'string')).toBe(true)
  expect(destinationSettings(result, 'us-west-2')).toMatchObject({ recommenderArn: result.recommenderArn })
  expect(destinationSettings(result, 'us-west-2')).not.toHaveProperty('campaignArn')

  const again = await provision({ name: 'shop', personalize, csv, domain: 'ECOMMERCE', pollMs: 10 })
  expect(again.steps.filter((step) => !/^(reused|skipped)/.test(step))).toEqual([])
  await expect(provision({ name: 'shop', personalize, csv, pollMs: 10 })).rejects.toThrow(ProvisionError)

  const deleted = await teardown({ name: 'shop', personalize, pollMs: 10 })
  expect(deleted.some((line) => line.startsWith('recommenders '))).toBe(true)
  expect((await personalize.send(new ListRecommendersCommand({}))).recommenders).toEqual([])
}, 60_000)

test('on the generator’s data, user-personalization’s metrics beat popularity-count’s', async () => {
  const result = await provision({ name: 'custom', personalize, csv, pollMs: 10 })
  const metricsOf = async (recipe: string) => {
    const { solutionArn } = await personalize.send(
      new CreateSolutionCommand({
        name: `custom-${recipe}`,
        datasetGroupArn: result.datasetGroupArn,
        recipeArn: `arn:aws:personalize:::recipe/${recipe}`
      })
    )
    const { solutionVersionArn } = await personalize.send(new CreateSolutionVersionCommand({ solutionArn }))
    for (;;) {
      const answer = await personalize
        .send(new GetSolutionMetricsCommand({ solutionVersionArn }))
        .catch((error: Error) => error)
      if (!(answer instanceof Error)) return answer.metrics!
      expect(answer.name).toBe('ResourceInUseException')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  const personalized = await metricsOf('aws-user-personalization')
  const popular = await metricsOf('aws-popularity-count')
  for (const metric of [
    'normalized_discounted_cumulative_gain_at_10',
    'normalized_discounted_cumulative_gain_at_25',
    'precision_at_25',
    'mean_reciprocal_rank_at_25',
    'coverage'
  ])
    expect([metric, personalized[metric]! > popular[metric]!]).toEqual([metric, true])
}, 60_000)
