// What issue 17 added, through the real SDK clients: pages every paginator walks, regions from the signature, tags,
// recipes, solution metrics, promotions, item metadata, recommenders (with their lifecycle and the real-time effect),
// and a journal that restores each region's resources, old journals included.
import { appendFileSync, mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CreateDatasetGroupCommand,
  DescribeDatasetGroupCommand,
  DescribeRecipeCommand,
  DescribeRecommenderCommand,
  DescribeSolutionVersionCommand,
  GetSolutionMetricsCommand,
  InvalidNextTokenException,
  ListDatasetGroupsCommand,
  ListTagsForResourceCommand,
  ListRecipesCommand,
  paginateListDatasetGroups,
  paginateListRecipes,
  paginateListSchemas,
  PersonalizeClient,
  ResourceInUseException,
  ResourceNotFoundException,
  StartRecommenderCommand,
  StopRecommenderCommand,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
  UpdateRecommenderCommand,
  CreateSchemaCommand,
  CreateSolutionVersionCommand
} from '@aws-sdk/client-personalize'
import { PersonalizeEventsClient, PutEventsCommand } from '@aws-sdk/client-personalize-events'
import {
  GetRecommendationsCommand,
  InvalidInputException,
  PersonalizeRuntimeClient
} from '@aws-sdk/client-personalize-runtime'
import { createPersonalizeEmulator } from '../server'
import { credentials, INTERACTIONS_SCHEMA } from './fixtures'
import { buildWorld, recipe, type World } from './world'

let emulator: ReturnType<typeof createPersonalizeEmulator>
let endpoint: string
let world: World
let dir: string

const clients = (region = 'us-west-2', at = endpoint) => {
  const config = { region, endpoint: at, credentials, maxAttempts: 1 }
  return {
    control: new PersonalizeClient(config),
    events: new PersonalizeEventsClient(config),
    runtime: new PersonalizeRuntimeClient(config)
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'features-'))
  emulator = createPersonalizeEmulator({ delayMs: 0, s3Root: dir })
  endpoint = await emulator.listen()
  world = await buildWorld(clients().control, dir)
}, 60_000)
afterAll(() => emulator.close())

describe('pagination', () => {
  test('the SDK paginators walk every page, a page of maxResults at a time', async () => {
    const { control } = clients('eu-central-1')
    const names = Array.from({ length: 7 }, (_, i) => `paged-${i}`)
    for (const name of names) await control.send(new CreateDatasetGroupCommand({ name }))
    const pages: string[][] = []
    for await (const page of paginateListDatasetGroups({ client: control, pageSize: 3 }, {}))
      pages.push((page.datasetGroups ?? []).map((g) => g.name!))
    expect(pages).toEqual([names.slice(0, 3), names.slice(3, 6), names.slice(6)])
    const recipes: string[] = []
    for await (const page of paginateListRecipes({ client: control, pageSize: 4 }, {}))
      recipes.push(...(page.recipes ?? []).map((r) => r.name!))
    expect(recipes).toHaveLength(11)
    expect(new Set(recipes).size).toBe(11)
  })

  test('maxResults 1 answers one entry and a nextToken; the last page has none', async () => {
    const { control } = clients('eu-central-1')
    const first = await control.send(new ListDatasetGroupsCommand({ maxResults: 1 }))
    expect(first.datasetGroups).toHaveLength(1)
    expect(first.nextToken).toEqual(expect.any(String))
    const all = await control.send(new ListDatasetGroupsCommand({}))
    expect(all.nextToken).toBeUndefined()
  })

  test('more than 100 entries take two pages without maxResults (the model allows 1..100)', async () => {
    const { control } = clients('sa-east-1')
    for (let i = 0; i < 101; i++)
      await control.send(new CreateSchemaCommand({ name: `s${i}`, schema: INTERACTIONS_SCHEMA }))
    const pages: number[] = []
    for await (const page of paginateListSchemas({ client: control }, {})) pages.push(page.schemas!.length)
    expect(pages).toEqual([100, 1])
  })

  test('a token that is not ours, or another operation’s, is InvalidNextTokenException', async () => {
    const { control } = clients()
    await expect(control.send(new ListDatasetGroupsCommand({ nextToken: 'bogus' }))).rejects.toBeInstanceOf(
      InvalidNextTokenException
    )
    const { nextToken } = await control.send(new ListRecipesCommand({ maxResults: 1 }))
    await expect(control.send(new ListDatasetGroupsCommand({ nextToken }))).rejects.toBeInstanceOf(
      InvalidNextTokenException
    )
  })
})

describe('regions', () => {
  test('each client sees its own region’s ARNs and resources', async () => {
    const tokyo = clients('ap-northeast-1').control
    const { datasetGroupArn } = await tokyo.send(new CreateDatasetGroupCommand({ name: 'workshop' }))
    expect(datasetGroupArn).toBe('arn:aws:personalize:ap-northeast-1:000000000000:dataset-group/workshop')
    // The same name in another region is another resource; us-west-2's is not visible from Tokyo.
    expect(world.groupArn).toBe('arn:aws:personalize:us-west-2:000000000000:dataset-group/workshop')
    await expect(
      tokyo.send(new DescribeDatasetGroupCommand({ datasetGroupArn: world.groupArn }))
    ).rejects.toBeInstanceOf(ResourceNotFoundException)
    const listed = (await tokyo.send(new ListDatasetGroupsCommand({}))).datasetGroups!.map((g) => g.datasetGroupArn)
    expect(listed).toEqual([datasetGroupArn])
  })

  test('a restart replays each region’s resources, and a journal without regions is us-west-2’s', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'regions-'))
    const first = createPersonalizeEmulator({ delayMs: 0, dataDir })
    const url = await first.listen()
    const { datasetGroupArn: paris } = await clients('eu-west-3', url).control.send(
      new CreateDatasetGroupCommand({ name: 'g' })
    )
    await first.close()
    // A line as journals were written before regions were recorded.
    appendFileSync(
      path.join(dataDir, 'journal.ndjson'),
      `${JSON.stringify({ op: 'CreateDatasetGroup', input: { name: 'old' }, at: 1_700_000_000_000, ids: [] })}\n`
    )
    const second = createPersonalizeEmulator({ delayMs: 0, dataDir })
    const again = await second.listen()
    const parisGroups = await clients('eu-west-3', again).control.send(new ListDatasetGroupsCommand({}))
    expect(parisGroups.datasetGroups!.map((g) => g.datasetGroupArn)).toEqual([paris])
    const oregon = await clients('us-west-2', again).control.send(new ListDatasetGroupsCommand({}))
    expect(oregon.datasetGroups!.map((g) => g.datasetGroupArn)).toEqual([
      'arn:aws:personalize:us-west-2:000000000000:dataset-group/old'
    ])
    await second.close()
  })
})

describe('tags', () => {
  test('given on create, added, listed and removed', async () => {
    const { control } = clients()
    const { datasetGroupArn } = await control.send(
      new CreateDatasetGroupCommand({ name: 'tagged', tags: [{ tagKey: 'team', tagValue: 'growth' }] })
    )
    await control.send(
      new TagResourceCommand({
        resourceArn: datasetGroupArn,
        tags: [
          { tagKey: 'team', tagValue: 'search' },
          { tagKey: 'cost-centre', tagValue: '42' }
        ]
      })
    )
    expect((await control.send(new ListTagsForResourceCommand({ resourceArn: datasetGroupArn }))).tags).toEqual([
      { tagKey: 'team', tagValue: 'search' },
      { tagKey: 'cost-centre', tagValue: '42' }
    ])
    await control.send(new UntagResourceCommand({ resourceArn: datasetGroupArn, tagKeys: ['team'] }))
    expect((await control.send(new ListTagsForResourceCommand({ resourceArn: datasetGroupArn }))).tags).toEqual([
      { tagKey: 'cost-centre', tagValue: '42' }
    ])
  })

  test('more than 50 on a resource is TooManyTagsException; an unknown resource ResourceNotFoundException', async () => {
    const { control } = clients()
    const tags = Array.from({ length: 51 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' }))
    await expect(control.send(new CreateDatasetGroupCommand({ name: 'over-tagged', tags }))).rejects.toBeInstanceOf(
      TooManyTagsException
    )
    await expect(
      control.send(new ListTagsForResourceCommand({ resourceArn: `${world.groupArn}-none` }))
    ).rejects.toBeInstanceOf(ResourceNotFoundException)
  })
})

describe('recipes and metrics', () => {
  test('ListRecipes by domain, DescribeRecipe with its type', async () => {
    const { control } = clients()
    const ecommerce = await control.send(new ListRecipesCommand({ domain: 'ECOMMERCE' }))
    expect(ecommerce.recipes!.map((r) => r.name)).toEqual([
      'aws-ecomm-recommended-for-you',
      'aws-ecomm-customers-who-viewed-x-also-viewed',
      'aws-ecomm-frequently-bought-together',
      'aws-ecomm-popular-items-by-purchases',
      'aws-ecomm-popular-items-by-views'
    ])
    const { recipe: sims } = await control.send(new DescribeRecipeCommand({ recipeArn: recipe('aws-sims') }))
    expect(sims).toMatchObject({ recipeType: 'RELATED_ITEMS', status: 'ACTIVE' })
  })

  test('GetSolutionMetrics reports AWS’s metrics; a model that learned beats popularity', async () => {
    const { control } = clients()
    const metricsOf = async (recipeName: string) => {
      const solutionVersionArn = await world.version(await world.solution(world.groupArn, recipeName))
      return (await control.send(new GetSolutionMetricsCommand({ solutionVersionArn }))).metrics!
    }
    const personalized = await metricsOf('aws-user-personalization')
    const popular = await metricsOf('aws-popularity-count')
    expect(Object.keys(personalized).sort()).toEqual([
      'coverage',
      'mean_reciprocal_rank_at_25',
      'normalized_discounted_cumulative_gain_at_10',
      'normalized_discounted_cumulative_gain_at_25',
      'normalized_discounted_cumulative_gain_at_5',
      'precision_at_10',
      'precision_at_25',
      'precision_at_5'
    ])
    expect(personalized.normalized_discounted_cumulative_gain_at_10).toBeGreaterThan(
      popular.normalized_discounted_cumulative_gain_at_10!
    )
  })

  test('a version’s name is its own; without one it has none', async () => {
    const { control } = clients()
    const { solutionVersionArn } = await control.send(
      new CreateSolutionVersionCommand({ solutionArn: world.solutionArn, name: 'nightly' })
    )
    const described = await control.send(new DescribeSolutionVersionCommand({ solutionVersionArn }))
    expect(described.solutionVersion?.name).toBe('nightly')
    const unnamed = await control.send(new DescribeSolutionVersionCommand({ solutionVersionArn: world.versionArn }))
    expect(unnamed.solutionVersion?.name).toBeUndefined()
  })
})

describe('GetRecommendations', () => {
  test('a promotion fills its share from its filter, each promoted item named', async () => {
    const { runtime } = clients()
    const { itemList } = await runtime.send(
      new GetRecommendationsCommand({
        campaignArn: world.campaignArn,
        userId: 'user-100', // a book reader
        numResults: 10,
        promotions: [{ name: 'shoe-week', percentPromotedItems: 30, filterArn: world.filterArn }]
      })
    )
    const promoted = itemList!.filter((item) => item.promotionName === 'shoe-week')
    expect(promoted).toHaveLength(3)
    expect(promoted.every((item) => item.itemId!.startsWith('shoe-'))).toBe(true)
    expect(itemList).toHaveLength(10)
    expect(new Set(itemList!.map((i) => i.itemId)).size).toBe(10)
  })

  test('metadataColumns returns the Items dataset’s columns where metadata is enabled', async () => {
    const { runtime } = clients()
    const { itemList } = await runtime.send(
      new GetRecommendationsCommand({
        recommenderArn: world.recommenderArn,
        userId: 'user-1',
        numResults: 3,
        metadataColumns: { ITEMS: ['CATEGORY', 'PRICE'] }
      })
    )
    for (const item of itemList!) {
      expect(item.metadata).toEqual({
        CATEGORY: item.itemId!.startsWith('shoe') ? 'shoes' : 'books',
        PRICE: expect.stringMatching(/^\d+$/)
      })
    }
    await expect(
      runtime.send(
        new GetRecommendationsCommand({
          campaignArn: world.rankingCampaignArn,
          userId: 'user-1',
          metadataColumns: { ITEMS: ['CATEGORY'] }
        })
      )
    ).rejects.toBeInstanceOf(InvalidInputException)
  })
})

describe('recommenders', () => {
  test('Recommended for you learns tastes and follows new events at once', async () => {
    const { runtime, events, control } = clients()
    const { itemList } = await runtime.send(
      new GetRecommendationsCommand({ recommenderArn: world.recommenderArn, userId: 'user-1', numResults: 5 })
    )
    expect(itemList!.filter((item) => item.itemId!.startsWith('shoe')).length).toBeGreaterThanOrEqual(4)
    // The domain group's tracker takes the visitor's views; their next recommendations follow them.
    const { CreateEventTrackerCommand } = await import('@aws-sdk/client-personalize')
    const { trackingId } = await control.send(
      new CreateEventTrackerCommand({ name: 'shop-tracker', datasetGroupArn: world.domainGroupArn })
    )
    await events.send(
      new PutEventsCommand({
        trackingId,
        sessionId: 'new-visitor',
        eventList: ['book-1', 'book-2', 'book-3'].map((itemId, i) => ({
          eventType: 'View',
          itemId,
          sentAt: new Date(1_800_000_000_000 + i * 1000)
        }))
      })
    )
    const after = await runtime.send(
      new GetRecommendationsCommand({ recommenderArn: world.recommenderArn, userId: 'new-visitor', numResults: 5 })
    )
    expect(after.itemList!.filter((item) => item.itemId!.startsWith('book')).length).toBeGreaterThanOrEqual(4)
  })

  test('stop, start and update move through AWS’s statuses; a stopped recommender does not answer', async () => {
    let now = Date.now()
    const stepped = createPersonalizeEmulator({ delayMs: 60_000, s3Root: dir, clock: () => now })
    const url = await stepped.listen()
    const { control } = clients('us-west-2', url)
    const arn = world.recommenderArn
    // The recommender of the shared world is copied into this emulator's store, ACTIVE.
    const source = emulator.store.resources.get(arn)!
    stepped.store.resources.set(arn, { ...source, fields: { ...source.fields }, phase: { ...source.phase, since: 0 } })
    stepped.store.models.set(arn, emulator.store.models.get(arn)!)
    const status = async () =>
      (await control.send(new DescribeRecommenderCommand({ recommenderArn: arn }))).recommender!
    expect((await status()).status).toBe('ACTIVE')
    await control.send(new StopRecommenderCommand({ recommenderArn: arn }))
    expect((await status()).status).toBe('STOP PENDING')
    now += 40_000
    expect((await status()).status).toBe('STOP IN_PROGRESS')
    now += 40_000
    expect((await status()).status).toBe('INACTIVE')
    await expect(control.send(new StopRecommenderCommand({ recommenderArn: arn }))).rejects.toBeInstanceOf(
      ResourceInUseException
    )
    await expect(
      clients('us-west-2', url).runtime.send(new GetRecommendationsCommand({ recommenderArn: arn, userId: 'user-1' }))
    ).rejects.toBeInstanceOf(InvalidInputException)
    await control.send(new StartRecommenderCommand({ recommenderArn: arn }))
    expect((await status()).status).toBe('START PENDING')
    now += 60_000
    await control.send(
      new UpdateRecommenderCommand({
        recommenderArn: arn,
        recommenderConfig: { minRecommendationRequestsPerSecond: 5 }
      })
    )
    const updating = await status()
    expect(updating).toMatchObject({
      status: 'UPDATE PENDING',
      latestRecommenderUpdate: {
        status: 'UPDATE PENDING',
        recommenderConfig: { minRecommendationRequestsPerSecond: 5 }
      }
    })
    expect(updating.lastUpdatedDateTime!.getTime()).toBe(now)
    now += 60_000
    expect((await status()).status).toBe('ACTIVE')
    await stepped.close()
  })

  test('a use case without enough of its event type fails to create, with the reason', async () => {
    const { control } = clients()
    const recommenderArn = await world.recommender('aws-ecomm-frequently-bought-together')
    const { recommender } = await control.send(new DescribeRecommenderCommand({ recommenderArn }))
    expect(recommender).toMatchObject({ status: 'CREATE FAILED' })
    expect(recommender?.failureReason).toMatch(/Purchase events; at least 1000/)
  })

  test('modelMetrics once ACTIVE', async () => {
    const { control } = clients()
    const { recommender } = await control.send(new DescribeRecommenderCommand({ recommenderArn: world.recommenderArn }))
    expect(recommender?.modelMetrics).toMatchObject({
      coverage: expect.any(Number),
      precision_at_25: expect.any(Number)
    })
  })
})
